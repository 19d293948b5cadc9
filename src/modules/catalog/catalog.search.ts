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

/**
 * The words of a query for the typo fallback (at most 8). Each is matched on its own, because the similarity
 * of a whole multi-word query to a name drops below the threshold as soon as one word has a typo.
 */
export function trigramWords(text: string): string[] {
  const words = text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
  return [...new Set(words)].slice(0, 8);
}

/** WHERE condition for a search in the given mode. */
export function searchCondition(text: string, mode: SearchMode): SQL {
  if (mode === 'trigram') {
    const words = trigramWords(text);
    if (!words.length) return sql`false`;
    // every word must be close to some word of the name (`<%` uses the trigram index on name)
    return sql.join(
      words.map((word) => sql`${word} <% ${products.name}`),
      sql` AND `,
    );
  }
  return sql`"products"."search_vector" @@ ${tsQuery(text)}`;
}

/** Relevance, higher first: ts_rank weights name matches (A) well above description matches (C). */
export function searchRank(text: string, mode: SearchMode): SQL {
  if (mode === 'trigram') {
    const words = trigramWords(text);
    if (!words.length) return sql`0`;
    return sql.join(
      words.map((word) => sql`word_similarity(${word}, ${products.name})`),
      sql` + `,
    );
  }
  return sql`ts_rank("products"."search_vector", ${tsQuery(text)})`;
}
