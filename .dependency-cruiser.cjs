// Module boundaries, written down in src/modules/README.md. `npm run lint` runs this after Biome;
// test/lint/module-boundaries.test.ts proves the rules catch a new cycle and a reach into another module.
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-module-cycles',
      comment:
        'Two feature modules must not depend on each other, directly or through others: the lower one calls up ' +
        'only through a hook wired in src/modules/index.ts (see src/modules/README.md).',
      severity: 'error',
      scope: 'folder',
      from: { path: '^src/modules/[^/]+$' },
      to: { circular: true, path: '^src/modules/[^/]+$' },
    },
    {
      name: 'no-reach-into-another-module',
      comment:
        "A module uses another only through its services and job definitions, never its repos (SQL). Table files may " +
        "reference another module's tables for foreign keys; src/import/ and admin.stats.repo.ts are the documented " +
        'exceptions that read tables directly (src/modules/README.md).',
      severity: 'error',
      from: { path: '^src/modules/([^/]+)/', pathNot: ['\\.tables\\.ts$', '^src/modules/admin/admin\\.stats\\.repo\\.ts$'] },
      to: { path: '^src/modules/[^/]+/.*\\.(repo|tables)\\.ts$', pathNot: '^src/modules/$1/' },
    },
    {
      name: 'tables-reference-only-tables',
      comment: "A table file may import another module's table file (foreign keys) and nothing else of that module.",
      severity: 'error',
      from: { path: '^src/modules/([^/]+)/.*\\.tables\\.ts$' },
      to: { path: '^src/modules/[^/]+/', pathNot: ['^src/modules/$1/', '\\.tables\\.ts$', '\\.service\\.ts$'] },
    },
    {
      name: 'app-code-outside-modules-uses-services',
      comment:
        "Code outside src/modules (core, app, server, worker, scheduler, cli) never reads a module's repo or tables; " +
        'src/import/ (the one-off importer) is the documented exception.',
      severity: 'error',
      from: { path: '^src/', pathNot: ['^src/modules/', '^src/import/', '\\.test\\.ts$'] },
      to: { path: '^src/modules/[^/]+/.*\\.(repo|tables)\\.ts$' },
    },
    {
      name: 'core-stays-below-modules',
      comment: 'src/core is shared plumbing: it never imports a feature module.',
      severity: 'error',
      from: { path: '^src/core/', pathNot: '\\.test\\.ts$' },
      to: { path: '^src/modules/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(\\.test\\.ts$|^test/)' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.js'] },
  },
};
