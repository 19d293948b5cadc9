// TypeBox schemas of the catalog API: requests are validated by them, responses serialized by them.
import { Type } from 'typebox';
import { MoneyInput, MoneyString, Paginated, Timestamp, Uuid } from '../../core/http.js';
import { PageQuery } from '../../core/pagination.js';
import { ORDERINGS } from './catalog.repo.js';

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) => Type.Union([schema, Type.Null()]);
/** Stock, thresholds and positions live in `integer` columns; nobody needs more than a billion. */
export const Count = (description?: string) => Type.Integer({ minimum: 0, maximum: 1_000_000_000, description });
export const Slug = Type.String({ pattern: '^[a-z0-9]+(?:-[a-z0-9]+)*$', minLength: 1, maxLength: 200 });
export const SlugParams = Type.Object({ slug: Type.String({ minLength: 1, maxLength: 200 }) });
export const SlugIdParams = Type.Object({ slug: Type.String({ minLength: 1, maxLength: 200 }), id: Uuid });

export const CategoryRef = Type.Object({ id: Uuid, name: Type.String(), slug: Type.String() });

export const Image = Type.Object({
  id: Uuid,
  url: Type.String(),
  thumbnail_url: Type.String(),
  alt_text: Type.String(),
  position: Type.Integer(),
  is_primary: Type.Boolean(),
  width: Type.Integer(),
  height: Type.Integer(),
  created_at: Timestamp,
});

export const Variant = Type.Object({
  id: Uuid,
  sku: Type.String(),
  name: Type.String(),
  options: Type.Record(Type.String(), Type.String()),
  price: MoneyString,
  /** The variant's own price when it overrides the product's; null when it uses the product price. */
  price_override: Nullable(MoneyString),
  stock_quantity: Type.Integer(),
  low_stock_threshold: Type.Integer(),
  is_active: Type.Boolean(),
  position: Type.Integer(),
});

export const Product = Type.Object(
  {
    id: Uuid,
    name: Type.String(),
    slug: Type.String(),
    description: Type.String(),
    price: MoneyString,
    compare_at_price: Nullable(MoneyString),
    currency: Type.String(),
    sku: Type.String(),
    stock_quantity: Type.Integer({ description: 'Sum of the active variants’ stock' }),
    is_active: Type.Boolean(),
    is_featured: Type.Boolean(),
    category: Nullable(CategoryRef),
    images: Type.Array(Image),
    variants: Type.Array(Variant),
    average_rating: Type.String({ examples: ['4.50'] }),
    review_count: Type.Integer(),
    deleted_at: Nullable({ ...Timestamp, description: 'When staff soft-deleted it (only staff see deleted products)' }),
    created_at: Timestamp,
    updated_at: Timestamp,
  },
  { title: 'Product' },
);

/** Page-number pages carry `count`; cursor pages (`?cursor=`) do not, as DRF's CursorPagination. */
export const ProductPage = Type.Object({
  count: Type.Optional(Type.Integer()),
  next: Nullable(Type.String()),
  previous: Nullable(Type.String()),
  results: Type.Array(Product),
});

export const ProductListQuery = Type.Object({
  ...PageQuery,
  cursor: Type.Optional(Type.String({ maxLength: 200, description: 'Keyset pagination; empty for the first page' })),
  category: Type.Optional(Type.String({ maxLength: 200, description: 'Category slug; includes subcategories' })),
  is_featured: Type.Optional(Type.Boolean()),
  min_price: Type.Optional(MoneyString),
  max_price: Type.Optional(MoneyString),
  in_stock: Type.Optional(Type.Boolean()),
  search: Type.Optional(Type.String({ maxLength: 200 })),
  ordering: Type.Optional(Type.Union(ORDERINGS.map((o) => Type.Literal(o)))),
  include_inactive: Type.Optional(Type.Boolean({ description: 'Staff only: also inactive and deleted products' })),
  is_active: Type.Optional(Type.Boolean({ description: 'Staff with include_inactive: only active / inactive products' })),
  is_deleted: Type.Optional(Type.Boolean({ description: 'Staff with include_inactive: only soft-deleted / not deleted' })),
});

export const VariantInput = Type.Object({
  sku: Type.String({ minLength: 1, maxLength: 64 }),
  name: Type.Optional(Type.String({ maxLength: 200 })),
  options: Type.Optional(Type.Record(Type.String({ maxLength: 50 }), Type.String({ maxLength: 100 }))),
  price: Type.Optional(Nullable(MoneyInput)),
  stock_quantity: Type.Optional(Count()),
  low_stock_threshold: Type.Optional(Count()),
  is_active: Type.Optional(Type.Boolean()),
  position: Type.Optional(Count()),
});
export const VariantPatch = Type.Partial(VariantInput);

const productFields = {
  name: Type.String({ minLength: 1, maxLength: 200 }),
  slug: Type.Optional(Slug),
  description: Type.Optional(Type.String({ maxLength: 20000 })),
  price: MoneyInput,
  compare_at_price: Type.Optional(Nullable(MoneyInput)),
  currency: Type.Optional(Type.String({ pattern: '^[A-Z]{3}$' })),
  sku: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
  category_id: Type.Optional(Nullable(Uuid)),
  category: Type.Optional(Nullable(Type.String({ maxLength: 200, description: 'Category slug or id' }))),
  is_active: Type.Optional(Type.Boolean()),
  is_featured: Type.Optional(Type.Boolean()),
};

export const ProductCreate = Type.Object({
  ...productFields,
  stock_quantity: Type.Optional(Count('Stock of the default variant')),
  variants: Type.Optional(Type.Array(VariantInput, { maxItems: 100 })),
});
export const ProductUpdate = Type.Object(productFields);
export const ProductPatch = Type.Partial(Type.Object(productFields));

export const VariantPage = Paginated(Variant);

export const ImagePatch = Type.Object({
  position: Type.Optional(Count()),
  alt_text: Type.Optional(Type.String({ maxLength: 500 })),
  is_primary: Type.Optional(Type.Literal(true, { description: 'Makes this the primary image (the old one stops being it)' })),
});
export const ImageOrder = Type.Object({
  ids: Type.Array(Uuid, {
    minItems: 1,
    maxItems: 200,
    uniqueItems: true,
    description: 'Every image of the product, in the new order; the first becomes primary',
  }),
});
export const ImagePage = Paginated(Image);
