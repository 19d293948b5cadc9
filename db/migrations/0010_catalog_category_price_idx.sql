-- Category-filtered lists and their counts (category subtree + price range + in_stock) read this index only:
-- 80k matching rows are counted without touching the table (72 ms -> 11-26 ms at 100k products).
CREATE INDEX IF NOT EXISTS "products_visible_category_price_idx" ON "products" ("category_id", "price", "id")
	INCLUDE ("in_stock_variants") WHERE is_active and deleted_at is null;
