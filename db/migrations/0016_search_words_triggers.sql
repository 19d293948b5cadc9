-- Hand-written: keeps search_words (the typo index of product names, see search-words.tables.ts) filled.
-- Statement-level triggers with transition tables, so a bulk insert (the 100k seed, a CSV import) computes the
-- words of all its rows in one statement instead of one per row.
CREATE FUNCTION search_words_of(names text[]) RETURNS void LANGUAGE sql AS $$
  INSERT INTO search_words (term, word)
  SELECT DISTINCT t.term, w.word
  FROM (
    SELECT DISTINCT part AS word
    FROM unnest(names) AS n(name), regexp_split_to_table(lower(n.name), '[^[:alnum:]]+') AS part
    WHERE length(part) BETWEEN 4 AND 40
  ) w
  CROSS JOIN LATERAL (
    SELECT w.word AS term
    UNION
    SELECT overlay(w.word placing '' from i for 1) FROM generate_series(1, length(w.word)) AS i
    UNION
    SELECT overlay(overlay(w.word placing '' from j for 1) placing '' from i for 1)
    FROM generate_series(1, length(w.word)) AS i, generate_series(i + 1, length(w.word)) AS j
    WHERE length(w.word) >= 7
  ) t
  ON CONFLICT DO NOTHING;
$$;
--> statement-breakpoint
CREATE FUNCTION products_search_words_trigger() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM search_words_of(ARRAY(SELECT name FROM new_rows));
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER products_search_words_insert AFTER INSERT ON products
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION products_search_words_trigger();
--> statement-breakpoint
-- updates (stock flags, ratings...) are frequent; only renamed products add words. A row trigger with a WHEN
-- clause, not a statement trigger with transition tables: the deferred in-stock trigger updates products once
-- per variant at COMMIT, and a transition-table trigger there re-scanned every earlier row each time
-- (quadratic; a 1,000-variant import spent minutes in COMMIT on PostgreSQL 15).
CREATE FUNCTION products_search_words_rename_trigger() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM search_words_of(ARRAY[NEW.name]);
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER products_search_words_update AFTER UPDATE OF name ON products
  FOR EACH ROW WHEN (OLD.name IS DISTINCT FROM NEW.name) EXECUTE FUNCTION products_search_words_rename_trigger();
--> statement-breakpoint
SELECT search_words_of(ARRAY(SELECT name FROM products));
