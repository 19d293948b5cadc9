// The JSON shapes of ../shared/API.md that DRF-era clients parse: Product, Cart, Order and list pages carry
// every documented key, money as decimal strings next to a currency, pages as {count, next, previous, results}.
import { beforeAll, describe, expect, it } from 'vitest';
import { makeCategory, makeImage, makeProduct } from '../../../test/factories/catalog.js';
import { addToCart, checkout } from '../../../test/factories/orders.js';
import { authHeader, makeUser } from '../../../test/factories/users.js';
import { useTestApp } from '../../../test/setup/test-app.js';

let product: Awaited<ReturnType<typeof makeProduct>>;
const { app } = useTestApp();
beforeAll(async () => {
  const category = await makeCategory(app);
  product = await makeProduct(app, { price: 1999, compareAtPrice: 2499, categoryId: category.id });
  await makeImage(app, { productId: product.id, isPrimary: true });
});

const DECIMAL = /^-?\d+\.\d{2}$/;
const PRODUCT_KEYS = [
  'id',
  'name',
  'slug',
  'description',
  'price',
  'compare_at_price',
  'currency',
  'sku',
  'stock_quantity',
  'is_active',
  'is_featured',
  'category',
  'images',
  'variants',
  'average_rating',
  'review_count',
  'created_at',
  'updated_at',
];
const VARIANT_KEYS = ['id', 'sku', 'name', 'options', 'price', 'stock_quantity', 'is_active'];
const CART_KEYS = ['id', 'items', 'total_items', 'subtotal', 'currency'];
const CART_ITEM_KEYS = ['id', 'product', 'variant', 'quantity', 'unit_price', 'line_total'];
const ORDER_KEYS = [
  'id',
  'order_number',
  'status',
  'items',
  'subtotal',
  'tax_amount',
  'shipping_cost',
  'discount_amount',
  'total',
  'currency',
  'shipping_address',
  'billing_address',
  'payment_status',
  'status_history',
  'created_at',
];

describe('API.md shapes', () => {
  it('serves a product with every documented key and money as decimal strings', async () => {
    const body = (await app.inject({ method: 'GET', url: `/api/v1/products/${product.slug}/` })).json();
    expect(Object.keys(body)).toEqual(expect.arrayContaining(PRODUCT_KEYS));
    expect(body).toMatchObject({ price: '19.99', compare_at_price: '24.99', currency: 'USD', stock_quantity: 10 });
    expect(Object.keys(body.category)).toEqual(expect.arrayContaining(['id', 'name', 'slug']));
    expect(Object.keys(body.variants[0])).toEqual(expect.arrayContaining(VARIANT_KEYS));
    expect(body.variants[0].price).toMatch(DECIMAL);
    expect(body.images[0].url).toEqual(expect.any(String));
  });

  it('pages products as {count, next, previous, results}', async () => {
    const body = (await app.inject({ method: 'GET', url: '/api/v1/products/' })).json();
    // count is optional in the schema (cursor pages have none), and fast-json-stringify writes required keys first
    expect(Object.keys(body).sort()).toEqual(['count', 'next', 'previous', 'results']);
    expect(Object.keys(body.results[0])).toEqual(expect.arrayContaining(PRODUCT_KEYS));
  });

  it('serves a cart and an order with every documented key and exact decimal money', async () => {
    const user = await makeUser(app);
    const headers = await authHeader(app, user);
    const cart = await addToCart(app, headers, product.variants[0]!.id, 3);
    expect(Object.keys(cart)).toEqual(expect.arrayContaining(CART_KEYS));
    expect(Object.keys(cart.items[0])).toEqual(expect.arrayContaining(CART_ITEM_KEYS));
    expect(cart).toMatchObject({ total_items: 3, subtotal: '59.97', currency: 'USD' });
    expect(cart.items[0]).toMatchObject({ unit_price: '19.99', line_total: '59.97' });

    const res = await checkout(app, headers);
    expect(res.statusCode).toBe(201);
    const order = res.json();
    expect(Object.keys(order)).toEqual(expect.arrayContaining(ORDER_KEYS));
    for (const key of ['subtotal', 'tax_amount', 'shipping_cost', 'discount_amount', 'total'])
      expect(order[key]).toMatch(DECIMAL);
    expect(order).toMatchObject({ status: 'pending', payment_status: 'unpaid', subtotal: '59.97', currency: 'USD' });
    const list = (await app.inject({ method: 'GET', url: '/api/v1/orders/', headers })).json();
    expect(Object.keys(list)).toEqual(['count', 'next', 'previous', 'results']);
    expect(list.results[0].id).toBe(order.id);
  });
});
