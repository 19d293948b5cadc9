-- Hand-written (drizzle-kit generate --custom): the database refuses a category parent change that would
-- make a cycle, whatever code path writes it. Every tree-shape change takes one transaction-scoped advisory
-- lock first (the service takes the same lock before its own check), so two concurrent opposite moves
-- ("X under Y" and "Y under X") run one after the other: the second one's check runs in a fresh snapshot
-- after the first committed, sees the first move and is refused. The ancestor walk carries a CYCLE clause,
-- so even a cycle that got in some other way (triggers disabled) cannot make it loop.
CREATE OR REPLACE FUNCTION catalog_category_no_cycle() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.parent_id IS NULL THEN RETURN NEW; END IF;
  IF TG_OP = 'UPDATE' AND OLD.parent_id IS NOT DISTINCT FROM NEW.parent_id THEN RETURN NEW; END IF;
  PERFORM pg_advisory_xact_lock(727013);
  IF NEW.parent_id = NEW.id OR EXISTS (
    WITH RECURSIVE up(id, parent_id) AS (
      SELECT c.id, c.parent_id FROM categories c WHERE c.id = NEW.parent_id
      UNION ALL
      SELECT c.id, c.parent_id FROM categories c JOIN up ON c.id = up.parent_id
    ) CYCLE id SET is_cycle USING path
    SELECT 1 FROM up WHERE up.id = NEW.id
  ) THEN
    RAISE EXCEPTION 'category % cannot be moved under its own descendant %', NEW.id, NEW.parent_id
      USING ERRCODE = '23514', CONSTRAINT = 'categories_no_cycle';
  END IF;
  RETURN NEW;
END $$;
--> statement-breakpoint
CREATE TRIGGER categories_no_cycle
BEFORE INSERT OR UPDATE OF parent_id ON categories
FOR EACH ROW EXECUTE FUNCTION catalog_category_no_cycle();
