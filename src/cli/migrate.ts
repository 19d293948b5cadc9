// `npm run migrate`: applies pending migrations (the release step when MIGRATE_ON_START=false).
// The app is imported after the arguments are read, so --help answers at once.
if (process.argv.slice(2).some((arg) => arg === '--help' || arg === '-h')) {
  console.log('Usage: npm run migrate\n\nApplies pending migrations to DATABASE_URL (or the embedded database under DATA_DIR).');
  process.exit(0);
}

const { withCliContext } = await import('./context.js');
await withCliContext(async (ctx) => {
  await ctx.database.migrate();
  console.log(`migrations applied (${ctx.database.kind})`);
});
