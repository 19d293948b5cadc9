CREATE TABLE "audit_changes" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"object_type" text NOT NULL,
	"object_id" uuid NOT NULL,
	"action" text NOT NULL,
	"before" jsonb,
	"after" jsonb,
	"actor_id" uuid,
	"actor_kind" text NOT NULL,
	"request_id" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "jobs" ADD COLUMN "trace_parent" text;--> statement-breakpoint
CREATE INDEX "audit_changes_object_idx" ON "audit_changes" USING btree ("object_type","object_id","created_at");--> statement-breakpoint
CREATE INDEX "audit_changes_created_idx" ON "audit_changes" USING btree ("created_at");--> statement-breakpoint
CREATE INDEX "audit_changes_request_idx" ON "audit_changes" USING btree ("request_id");
--> statement-breakpoint
-- Hand-written from here: the row triggers that fill audit_changes (see audit.tables.ts). One generic function;
-- each trigger passes its object type and the audited columns. A column written '~name' is recorded only for
-- staff and system changes: the stock a checkout reserves (or a customer's cancel puts back) would be a row per
-- order line on every sale, and the order row itself already tells that story.
-- The actor comes from transaction-local settings the app sets at BEGIN (core/audit-scope.ts); without them
-- (seed, CLI, psql) nothing is recorded, and each trigger's WHEN clause keeps such bulk loads from even
-- entering the function. From psql, record a manual fix with
--   BEGIN; SELECT set_config('emporium.actor_kind', 'system', true), set_config('emporium.request_id', 'psql:ticket-123', true); ...
CREATE FUNCTION audit_record_change() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  kind text := nullif(current_setting('emporium.actor_kind', true), '');
  old_row jsonb;
  new_row jsonb;
  before_values jsonb := '{}';
  after_values jsonb := '{}';
  col text;
  field text;
BEGIN
  IF kind IS NULL THEN RETURN NULL; END IF;
  IF TG_OP <> 'INSERT' THEN old_row := to_jsonb(OLD); END IF;
  IF TG_OP <> 'DELETE' THEN new_row := to_jsonb(NEW); END IF;
  FOREACH col IN ARRAY TG_ARGV[1:TG_NARGS - 1] LOOP
    field := ltrim(col, '~');
    CONTINUE WHEN field <> col AND kind NOT IN ('staff', 'system');
    CONTINUE WHEN TG_OP = 'UPDATE' AND (old_row -> field) IS NOT DISTINCT FROM (new_row -> field);
    IF old_row IS NOT NULL THEN before_values := before_values || jsonb_build_object(field, old_row -> field); END IF;
    IF new_row IS NOT NULL THEN after_values := after_values || jsonb_build_object(field, new_row -> field); END IF;
  END LOOP;
  IF before_values = '{}' AND after_values = '{}' THEN RETURN NULL; END IF;
  INSERT INTO audit_changes (object_type, object_id, action, before, after, actor_id, actor_kind, request_id, created_at)
  VALUES (
    TG_ARGV[0],
    (coalesce(new_row, old_row) ->> 'id')::uuid,
    lower(TG_OP),
    CASE WHEN TG_OP = 'INSERT' THEN NULL ELSE before_values END,
    CASE WHEN TG_OP = 'DELETE' THEN NULL ELSE after_values END,
    nullif(current_setting('emporium.actor_id', true), '')::uuid,
    kind,
    coalesce(nullif(current_setting('emporium.request_id', true), ''), 'unknown'),
    clock_timestamp()
  );
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER products_audit AFTER INSERT OR DELETE OR UPDATE OF
  name, slug, description, sku, price, compare_at_price, currency, category_id, is_active, is_featured, deleted_at
  ON products FOR EACH ROW
  WHEN (coalesce(current_setting('emporium.actor_kind', true), '') <> '') EXECUTE FUNCTION audit_record_change(
  'product', 'name', 'slug', 'description', 'sku', 'price', 'compare_at_price', 'currency', 'category_id', 'is_active',
  'is_featured', 'deleted_at');
--> statement-breakpoint
CREATE TRIGGER product_variants_audit AFTER INSERT OR DELETE OR UPDATE OF
  sku, name, options, price, stock_quantity, low_stock_threshold, is_active
  ON product_variants FOR EACH ROW
  WHEN (coalesce(current_setting('emporium.actor_kind', true), '') <> '') EXECUTE FUNCTION audit_record_change(
  'variant', 'sku', 'name', 'options', 'price', '~stock_quantity', 'low_stock_threshold', 'is_active');
--> statement-breakpoint
CREATE TRIGGER categories_audit AFTER INSERT OR DELETE OR UPDATE OF
  name, slug, description, parent_id, position, is_active
  ON categories FOR EACH ROW
  WHEN (coalesce(current_setting('emporium.actor_kind', true), '') <> '') EXECUTE FUNCTION audit_record_change(
  'category', 'name', 'slug', 'description', 'parent_id', 'position', 'is_active');
--> statement-breakpoint
CREATE TRIGGER coupons_audit AFTER INSERT OR DELETE OR UPDATE OF
  code, description, discount_type, value, currency, minimum_subtotal, maximum_discount, valid_from, valid_to,
  usage_limit, per_user_limit, is_active
  ON coupons FOR EACH ROW
  WHEN (coalesce(current_setting('emporium.actor_kind', true), '') <> '') EXECUTE FUNCTION audit_record_change(
  'coupon', 'code', 'description', 'discount_type', 'value', 'currency', 'minimum_subtotal', 'maximum_discount',
  'valid_from', 'valid_to', 'usage_limit', 'per_user_limit', 'is_active');
--> statement-breakpoint
CREATE TRIGGER orders_audit AFTER INSERT OR DELETE OR UPDATE OF
  status, payment_status, shipping_address, billing_address, notes
  ON orders FOR EACH ROW
  WHEN (coalesce(current_setting('emporium.actor_kind', true), '') <> '') EXECUTE FUNCTION audit_record_change(
  'order', 'status', 'payment_status', 'shipping_address', 'billing_address', 'notes');
--> statement-breakpoint
CREATE TRIGGER users_audit AFTER INSERT OR DELETE OR UPDATE OF
  is_staff, is_superuser, is_active
  ON users FOR EACH ROW
  WHEN (coalesce(current_setting('emporium.actor_kind', true), '') <> '') EXECUTE FUNCTION audit_record_change('user', 'is_staff', 'is_superuser', 'is_active');
