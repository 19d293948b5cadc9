// `npx tsx bench/explain-search.ts [query...]`: EXPLAIN ANALYZE of the product search (typo lookup, count and
// first page, built from the same SQL fragments the API uses) on the configured database: PostgreSQL with
// DATABASE_URL, else the embedded PGlite under DATA_DIR. Seed it first (`npm run seed -- --products 100000`).
import { and, inArray, sql } from 'drizzle-orm';
import { withCliContext } from '../src/cli/context.js';
import { queryRows } from '../src/core/db.js';
import { allowedTypos, deletions, findTypos, searchCondition, searchRank } from '../src/modules/catalog/catalog.search.js';
import { products } from '../src/modules/catalog/catalog.tables.js';
import { searchWords } from '../src/modules/catalog/search-words.tables.js';

const queries = process.argv.slice(2).length ? process.argv.slice(2) : ['lether', 'wirelss hedphones', 'leather'];

await withCliContext(async (ctx) => {
  const explain = async (title: string, query: ReturnType<typeof sql>) => {
    const rows = await queryRows<{ 'QUERY PLAN': string }>(ctx.db, sql`explain (analyze, costs off) ${query}`);
    console.log(`\n-- ${title}\n${rows.map((r) => r['QUERY PLAN']).join('\n')}`);
  };
  for (const text of queries) {
    const search = { text, typos: await findTypos(ctx.db, text) };
    console.log(`\n==== search=${JSON.stringify(text)} typos=${JSON.stringify(search.typos)}`);
    const words = text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
    const keys = [
      ...new Set(words.filter((w) => allowedTypos(w.length) > 0).flatMap((w) => deletions(w, allowedTypos(w.length)))),
    ];
    if (keys.length) {
      await explain(
        'typo candidates',
        sql`select distinct ${searchWords.word} from ${searchWords} where ${inArray(searchWords.term, keys)}`,
      );
    }
    const where = and(sql`${products.isActive} and ${products.deletedAt} is null`, searchCondition(search));
    await explain('count', sql`select count(*) from ${products} where ${where}`);
    await explain(
      'first page by relevance',
      sql`select ${products.id}, ${products.name} from ${products} where ${where}
          order by ${searchRank(search)} desc, ${products.createdAt} desc, ${products.id} desc limit 20`,
    );
  }
});
