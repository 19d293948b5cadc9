// Vite build of the admin UI: served by the API at /admin/ from dist/admin (see src/core/admin-ui.ts).
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const here = path.dirname(fileURLToPath(import.meta.url));

export default defineConfig({
  root: here,
  base: '/admin/',
  plugins: [react()],
  build: {
    outDir: path.resolve(here, '../dist/admin'),
    emptyOutDir: true,
    sourcemap: false,
    // the CSP forbids inline scripts: never inline the module preload polyfill or small assets as data: scripts
    modulePreload: { polyfill: false },
    chunkSizeWarningLimit: 1500,
  },
  server: {
    // `npm run admin:dev`: the API runs on :8000; the dev server proxies it (same origin for the browser)
    proxy: { '/api': 'http://localhost:8000', '/media': 'http://localhost:8000' },
  },
});
