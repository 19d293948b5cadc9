import { index, pgTable, primaryKey, text } from 'drizzle-orm/pg-core';

/**
 * The typo index of product names (SymSpell): every name word of 4+ letters under itself and each string
 * made by deleting one letter (and two, for words of 7+ letters). A query word and a name word within one or
 * two edits (insertion, deletion, substitution, transposition) share a key, so typo candidates come from an
 * equality lookup on `term`. Kept by triggers on products (hand-written migration); words are never removed
 * (a stale word only adds a search term that matches nothing).
 */
export const searchWords = pgTable(
  'search_words',
  {
    term: text('term').notNull(),
    word: text('word').notNull(),
  },
  (t) => [primaryKey({ columns: [t.term, t.word] }), index('search_words_word_idx').on(t.word)],
);
