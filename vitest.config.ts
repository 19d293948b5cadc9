import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts', 'admin/src/**/*.test.ts'],
    globalSetup: ['test/setup/global-setup.ts'],
    pool: 'forks',
    maxWorkers: process.env.DATABASE_URL ? 4 : 2,
    testTimeout: 30_000,
    hookTimeout: 60_000,
    reporters: ['default', './test/setup/services-reporter.ts'],
  },
});
