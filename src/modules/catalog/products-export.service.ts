// CSV product export: the staff product list's filters, walked in keyset batches (never the whole table in
// memory), one row per variant with the import's columns, so an export re-imports as is.
import type { AppContext } from '../../core/context.js';
import { formatMoney } from '../../core/money.js';
import { byProduct } from './catalog.present.js';
import * as repo from './catalog.repo.js';
import { filterOf, type ProductListQuery } from './catalog.service.js';
import { IMPORT_COLUMNS } from './products-import.rows.js';

export const EXPORT_COLUMNS = IMPORT_COLUMNS;

/** Batches of export rows (arrays in EXPORT_COLUMNS order), `batchSize` products at a time. */
export async function* exportProducts(
  ctx: AppContext,
  query: ProductListQuery,
  batchSize = 500,
): AsyncGenerator<(string | number | boolean)[][]> {
  const filter = filterOf(ctx, query, true);
  // relevance order has no keyset; exports of a search come newest first
  const ordering = query.ordering ?? '-created_at';
  let afterId: string | undefined;
  for (;;) {
    const position = afterId ? { afterId, reverse: false } : { offset: 0 };
    const rows = await repo.listProducts(ctx.db, filter, ordering, position, batchSize);
    if (rows.length === 0) return;
    const variants = byProduct(
      await repo.variantsOf(
        ctx.db,
        rows.map((r) => r.id),
        false,
      ),
    );
    yield rows.flatMap((p) =>
      (variants.get(p.id) ?? []).map((v) => [
        p.slug,
        p.name,
        p.category?.slug ?? '',
        p.description,
        p.isActive,
        p.isFeatured,
        v.sku,
        v.name,
        formatMoney(v.price ?? p.price, p.currency),
        v.stockQuantity,
        v.lowStockThreshold,
      ]),
    );
    if (rows.length < batchSize) return;
    afterId = rows.at(-1)?.id;
  }
}
