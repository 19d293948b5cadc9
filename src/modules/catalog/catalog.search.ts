// Product search as SQL fragments: PostgreSQL full-text search over the stored weighted `search_vector`
// (name A > sku B > description C) with websearch syntax plus prefix matching, and typo tolerance as search
// engines do it (Meilisearch/Typesense): one typo (insertion, deletion, substitution or transposition) in a
// word of 5+ letters, two from 9 letters. Typo candidates come from `search_words` (a SymSpell index of the
// words of product names, see search-words.tables.ts) by an indexed equality lookup, are checked with the
// optimal-string-alignment distance here, and join the full-text query as alternatives of their word, so the
// whole search still runs through the GIN index. Exact and prefix matches rank above typo-only matches.
// The same SQL runs on PGlite and PostgreSQL.
import { inArray, type SQL, sql } from 'drizzle-orm';
import type { Db } from '../../core/db.js';
import { searchWords } from './search-words.tables.js';

/** A search: the text as typed and, per query word, the name words within its allowed typos. */
export interface ProductSearch {
  text: string;
  typos: Record<string, string[]>;
}

const MAX_WORDS = 8;

/** The plain (not negated, not quoted) words of a query, lower-cased, as prefixQuery splits them. */
function plainWords(text: string): string[] {
  const words: string[] = [];
  for (const match of text.replace(/"[^"]*"?/g, ' ').matchAll(/(^|\s)(-?)(\S+)/g)) {
    if (match[2] === '-') continue;
    for (const word of (match[3] ?? '').toLowerCase().split(/[^\p{L}\p{N}]+/u)) if (word) words.push(word);
  }
  return [...new Set(words)].slice(0, MAX_WORDS);
}

/**
 * A tsquery text matching every plain word as a prefix (`head` finds "headphones"), or any of its typo
 * variants; `-word` stays a negation. Quoted phrases and `or` are left to websearch_to_tsquery. Undefined
 * when nothing usable is left.
 */
export function prefixQuery(text: string, typos: Record<string, string[]> = {}): string | undefined {
  if (/\bor\b/i.test(text)) return undefined;
  const terms: string[] = [];
  for (const match of text.replace(/"[^"]*"?/g, ' ').matchAll(/(^|\s)(-?)(\S+)/g)) {
    const negated = match[2] === '-';
    for (const word of (match[3] ?? '').toLowerCase().split(/[^\p{L}\p{N}]+/u)) {
      if (!word) continue;
      const variants = negated ? [] : (typos[word] ?? []);
      if (negated) terms.push(`!${word}`);
      else terms.push(variants.length ? `(${[`${word}:*`, ...variants].join(' | ')})` : `${word}:*`);
    }
  }
  return terms.some((t) => !t.startsWith('!')) ? terms.join(' & ') : undefined;
}

/** Typos a word of this length may hold: none below 5 letters, one from 5, two from 9. */
export const allowedTypos = (length: number) => (length >= 9 ? 2 : length >= 5 ? 1 : 0);

/** The word itself and every string made by deleting up to `depth` letters (SymSpell keys). */
export function deletions(word: string, depth: number): string[] {
  const result = new Set([word]);
  let frontier = [word];
  for (let d = 0; d < depth; d++) {
    const next: string[] = [];
    for (const w of frontier) {
      for (let i = 0; i < w.length; i++) {
        const shorter = w.slice(0, i) + w.slice(i + 1);
        if (!result.has(shorter)) next.push(shorter);
        result.add(shorter);
      }
    }
    frontier = next;
  }
  return [...result];
}

/** Optimal string alignment distance: Levenshtein where swapping two neighbouring letters is one edit. */
export function typoDistance(a: string, b: string): number {
  const rows = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) (rows[0] as number[])[j] = j;
  for (let i = 1; i <= a.length; i++) {
    const row = rows[i] as number[];
    const prev = rows[i - 1] as number[];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min((prev[j] as number) + 1, (row[j - 1] as number) + 1, (prev[j - 1] as number) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        best = Math.min(best, ((rows[i - 2] as number[])[j - 2] as number) + 1);
      }
      row[j] = best;
    }
  }
  return (rows[a.length] as number[])[b.length] as number;
}

/** For each query word of 5+ letters, the product-name words within its allowed typos (not itself). */
export async function findTypos(db: Db, text: string): Promise<Record<string, string[]>> {
  const words = plainWords(text).filter((w) => allowedTypos(w.length) > 0 && w.length <= 40);
  if (!words.length) return {};
  const keys = new Set(words.flatMap((w) => deletions(w, allowedTypos(w.length))));
  const rows = await db
    .selectDistinct({ word: searchWords.word })
    .from(searchWords)
    .where(inArray(searchWords.term, [...keys]));
  const typos: Record<string, string[]> = {};
  for (const word of words) {
    const close = rows
      .map((r) => r.word)
      .filter((candidate) => candidate !== word && typoDistance(word, candidate) <= allowedTypos(word.length));
    if (close.length) typos[word] = close.sort().slice(0, 20);
  }
  return typos;
}

function exactQuery(text: string): SQL {
  const prefix = prefixQuery(text);
  const websearch = sql`websearch_to_tsquery('english', ${text})`;
  return prefix ? sql`(${websearch} || to_tsquery('english', ${prefix}))` : websearch;
}

/** The exact/prefix query, widened by the typo variants when there are any. */
function tsQuery(search: ProductSearch): SQL {
  const exact = exactQuery(search.text);
  const widened = Object.keys(search.typos).length ? prefixQuery(search.text, search.typos) : undefined;
  return widened ? sql`(${exact} || to_tsquery('english', ${widened}))` : exact;
}

/** WHERE condition of a search (served by the GIN index on search_vector). */
export function searchCondition(search: ProductSearch): SQL {
  return sql`"products"."search_vector" @@ ${tsQuery(search)}`;
}

/** Relevance, higher first: exact/prefix matches above typo-only ones, then ts_rank (name A > description C). */
export function searchRank(search: ProductSearch): SQL {
  const exact = exactQuery(search.text);
  if (!Object.keys(search.typos).length) return sql`ts_rank("products"."search_vector", ${exact})`;
  return sql`(case when "products"."search_vector" @@ ${exact} then 1000 else 0 end + ts_rank("products"."search_vector", ${tsQuery(search)}))`;
}
