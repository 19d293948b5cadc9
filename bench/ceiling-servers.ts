// The reference servers of the ceilings bench (bench/ceilings.ts), one per process, each as bare as it can be:
//   bare  - Fastify 5 sending a fixed body from memory (the framework ceiling)
//   redis - Fastify + one Redis GET of that same body (the cache ceiling)
//   pg    - Fastify + `pg`, ONE query returning the 20 newest visible products as JSON (the one-query ceiling)
// Usage: tsx bench/ceiling-servers.ts <bare|redis|pg> <port>; the body comes from CEILING_BODY_FILE, the
// services from DATABASE_URL / REDIS_URL. Prints "ready" once it listens.
import fs from 'node:fs';
import Fastify from 'fastify';
import { Redis } from 'ioredis';
import pg from 'pg';

const [mode, portArg] = process.argv.slice(2);
const port = Number(portArg);
const app = Fastify({ logger: false });
const json = 'application/json; charset=utf-8';

if (mode === 'bare') {
  const body = fs.readFileSync(process.env.CEILING_BODY_FILE as string);
  app.get('/', (_request, reply) => reply.type(json).send(body));
} else if (mode === 'redis') {
  const redis = new Redis(process.env.REDIS_URL as string);
  const key = 'bench:ceiling:body';
  await redis.set(key, fs.readFileSync(process.env.CEILING_BODY_FILE as string));
  app.get('/', async (_request, reply) => reply.type(json).send(await redis.getBuffer(key)));
} else if (mode === 'pg') {
  const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 10 });
  const newest = `SELECT coalesce(json_agg(p), '[]')::text AS body FROM (
      SELECT id, name, slug, price, compare_at_price, currency, category_id, is_featured,
             average_rating, review_count, in_stock_variants > 0 AS in_stock, created_at
        FROM products WHERE is_active AND deleted_at IS NULL
       ORDER BY created_at DESC, id DESC LIMIT 20) p`;
  app.get('/', async (_request, reply) => {
    const { rows } = await pool.query({ name: 'newest', text: newest });
    return reply.type(json).send(rows[0].body);
  });
} else {
  console.error('usage: ceiling-servers.ts <bare|redis|pg> <port>');
  process.exit(2);
}

await app.listen({ host: '127.0.0.1', port });
console.log('ready');
