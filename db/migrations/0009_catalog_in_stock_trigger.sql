-- products.in_stock_variants counts the product's active variants with stock > 0. A deferred constraint
-- trigger applies +1/-1 deltas at commit, only when a variant crosses in/out of stock: deltas commute, so
-- concurrent transactions keep the count exact without reading each other's rows, and a checkout that leaves
-- stock above zero never touches the product row.
UPDATE "products" p SET "in_stock_variants" = s.n
FROM (SELECT "product_id", count(*)::int AS n FROM "product_variants"
      WHERE "is_active" AND "stock_quantity" > 0 GROUP BY "product_id") s
WHERE s."product_id" = p."id";
--> statement-breakpoint
CREATE OR REPLACE FUNCTION catalog_in_stock_delta() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  was_in boolean := false;
  is_in boolean := false;
BEGIN
  IF TG_OP <> 'INSERT' THEN was_in := OLD.is_active AND OLD.stock_quantity > 0; END IF;
  IF TG_OP <> 'DELETE' THEN is_in := NEW.is_active AND NEW.stock_quantity > 0; END IF;
  IF TG_OP = 'UPDATE' AND OLD.product_id <> NEW.product_id THEN
    IF was_in THEN UPDATE products SET in_stock_variants = in_stock_variants - 1 WHERE id = OLD.product_id; END IF;
    IF is_in THEN UPDATE products SET in_stock_variants = in_stock_variants + 1 WHERE id = NEW.product_id; END IF;
  ELSIF was_in AND NOT is_in THEN
    UPDATE products SET in_stock_variants = in_stock_variants - 1 WHERE id = OLD.product_id;
  ELSIF is_in AND NOT was_in THEN
    UPDATE products SET in_stock_variants = in_stock_variants + 1 WHERE id = NEW.product_id;
  END IF;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE CONSTRAINT TRIGGER product_variants_in_stock
AFTER INSERT OR UPDATE OR DELETE ON product_variants
DEFERRABLE INITIALLY DEFERRED
FOR EACH ROW EXECUTE FUNCTION catalog_in_stock_delta();
