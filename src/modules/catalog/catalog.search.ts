// Product search as SQL fragments: PostgreSQL full-text search over the stored weighted `search_vector`
// (name A > sku B > description C) with websearch syntax plus prefix matching, and a trigram fallback on the
// name for typos. Both run the same on PGlite (pg_trgm loaded) and PostgreSQL.
import { type SQL, sql } from 'drizzle-orm';
import { products } from './catalog.tables.js';

export type SearchMode = 'fulltext' | 'trigram';

/**
 * A tsquery text matching every plain word as a prefix (`head` finds "headphones"); `-word` stays a
 * negation. Quoted phrases and `or` are left to websearch_to_tsquery. Undefined when nothing usable is left.
 */
export function prefixQuery(text: string): string | undefined {
  if (/\bor\b/i.test(text)) return undefined;
  const terms: string[] = [];
  for (const match of text.replace(/"[^"]*"?/g, ' ').matchAll(/(^|\s)(-?)(\S+)/g)) {
    const negated = match[2] === '-';
    for (const word of (match[3] ?? '').toLowerCase().split(/[^\p{L}\p{N}]+/u)) {
      if (word) terms.push(negated ? `!${word}` : `${word}:*`);
    }
  }
  return terms.some((t) => !t.startsWith('!')) ? terms.join(' & ') : undefined;
}

function tsQuery(text: string): SQL {
  const prefix = prefixQuery(text);
  const websearch = sql`websearch_to_tsquery('english', ${text})`;
  return prefix ? sql`(${websearch} || to_tsquery('english', ${prefix}))` : websearch;
}

/** WHERE condition for a search in the given mode. */
export function searchCondition(text: string, mode: SearchMode): SQL {
  if (mode === 'trigram') return sql`${text} <% ${products.name}`;
  return sql`"products"."search_vector" @@ ${tsQuery(text)}`;
}

/** Relevance, higher first: ts_rank weights name matches (A) well above description matches (C). */
export function searchRank(text: string, mode: SearchMode): SQL {
  if (mode === 'trigram') return sql`word_similarity(${text}, ${products.name})`;
  return sql`ts_rank("products"."search_vector", ${tsQuery(text)})`;
}
