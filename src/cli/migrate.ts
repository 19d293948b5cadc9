// `npm run migrate`: applies pending migrations (the release step when MIGRATE_ON_START=false).
import { withCliContext } from './context.js';

await withCliContext(async (ctx) => {
  await ctx.database.migrate();
  console.log(`migrations applied (${ctx.database.kind})`);
});
