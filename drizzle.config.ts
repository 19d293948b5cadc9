import { defineConfig } from 'drizzle-kit';

// Migrations are generated from every *.tables.ts file (`npm run db:generate`), reviewed and committed.
export default defineConfig({
  dialect: 'postgresql',
  schema: ['./src/core/*.tables.ts', './src/modules/*/*.tables.ts'],
  out: './db/migrations',
  casing: 'snake_case',
});
