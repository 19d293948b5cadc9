import { defineConfig } from 'vitest/config';

// Test files that change process-wide state (module mocks, global SDKs such as Sentry or OpenTelemetry,
// spawned processes) run isolated: a fresh module graph per file. The module tests share one module graph per
// worker (isolate: false), which saves importing the app's modules again for every file (about half the CPU
// time of those files); each still builds its own app on its own database.
const isolatedModuleTests = ['src/modules/accounts/accounts.auth.test.ts'];

export default defineConfig({
  test: {
    globalSetup: ['test/setup/global-setup.ts'],
    pool: 'forks',
    maxWorkers: process.env.DATABASE_URL ? 4 : 2,
    testTimeout: 30_000,
    hookTimeout: 60_000,
    reporters: ['default', './test/setup/services-reporter.ts'],
    projects: [
      {
        extends: true,
        test: { name: 'modules', include: ['src/**/*.test.ts'], exclude: isolatedModuleTests, isolate: false },
      },
      {
        extends: true,
        test: { name: 'isolated', include: ['test/**/*.test.ts', 'admin/src/**/*.test.ts', ...isolatedModuleTests] },
      },
    ],
  },
});
