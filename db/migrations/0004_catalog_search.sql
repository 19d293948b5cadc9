-- Full-text search on products: a stored, weighted tsvector (name A > sku B > description C) with a GIN
-- index, and pg_trgm for the typo-tolerant fallback (trigram index on products.name comes with the next
-- migration, which needs the extension to exist first).
CREATE EXTENSION IF NOT EXISTS pg_trgm;
--> statement-breakpoint
ALTER TABLE "products" ADD COLUMN "search_vector" tsvector GENERATED ALWAYS AS (
	setweight(to_tsvector('english'::regconfig, coalesce("name", '')), 'A') ||
	setweight(to_tsvector('simple'::regconfig, coalesce("sku", '')), 'B') ||
	setweight(to_tsvector('english'::regconfig, coalesce("description", '')), 'C')
) STORED;
--> statement-breakpoint
CREATE INDEX "products_search_idx" ON "products" USING gin ("search_vector");
