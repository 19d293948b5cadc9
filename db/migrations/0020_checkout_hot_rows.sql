-- Checkout under a flash sale: the in-stock counter trigger of 0009 was a deferred constraint trigger on EVERY
-- variant write, so each sale queued an event per order line and ran the plpgsql function at commit, while the
-- hot variant rows were still locked, only to find that nothing flipped. Split it in two: inserts and deletes
-- keep the trigger (same name: the demo seed disables it during its bulk load), and updates fire only when
-- the row's in-stock state (is_active AND stock_quantity > 0) or its product really changes, a condition the
-- WHEN clause checks without queueing anything. A sale that leaves stock above zero now costs the trigger
-- nothing; the one that sells the last unit still moves products.in_stock_variants exactly as before.
DROP TRIGGER IF EXISTS product_variants_in_stock ON product_variants;
--> statement-breakpoint
CREATE CONSTRAINT TRIGGER product_variants_in_stock
AFTER INSERT OR DELETE ON product_variants
DEFERRABLE INITIALLY DEFERRED
FOR EACH ROW EXECUTE FUNCTION catalog_in_stock_delta();
--> statement-breakpoint
CREATE CONSTRAINT TRIGGER product_variants_in_stock_change
AFTER UPDATE OF stock_quantity, is_active, product_id ON product_variants
DEFERRABLE INITIALLY DEFERRED
FOR EACH ROW
WHEN (
  (OLD.is_active AND OLD.stock_quantity > 0) IS DISTINCT FROM (NEW.is_active AND NEW.stock_quantity > 0)
  OR OLD.product_id IS DISTINCT FROM NEW.product_id
)
EXECUTE FUNCTION catalog_in_stock_delta();
