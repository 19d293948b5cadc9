// Which Django models the importer reads, in dependency order, and how their fields become our rows.
// docs/migration.md lists the same labels and fields for operators; keep the two in step.
import type { PgTable } from 'drizzle-orm/pg-core';
import { addresses, users } from '../modules/accounts/accounts.tables.js';
import {
  categories,
  productImages,
  products,
  productVariants,
  reviews,
  wishlistItems,
} from '../modules/catalog/catalog.tables.js';
import { notifications } from '../modules/notifications/notifications.tables.js';
import { orderItems, orderStatusHistory, orders } from '../modules/orders/orders.tables.js';
import { payments } from '../modules/payments/payments.tables.js';
import { addressFrom, choice, type DumpRow, type Fields, importId, MapError, stamps } from './django.fields.js';

export interface MapEnv {
  currency: string;
  mediaUrl: string;
  /** The export's row of `label` with this pk (for snapshots: an order's address, a review's author name). */
  find(label: string, pk: unknown): DumpRow | undefined;
  /** Whether any row of `label` points at `pk` through `field` (products with their own variants). */
  referenced(label: string, field: string, pk: unknown): boolean;
}

export interface Output {
  table: PgTable;
  values: Record<string, unknown>;
}

export interface ModelMapping {
  /** Canonical Django label: ids are UUIDv5 of `label:pk`. */
  label: string;
  /** Other labels the same model has in other shops' code. */
  aliases: string[];
  map(f: Fields, env: MapEnv): Output[];
}

/** Models a dumpdata export carries that have no place here (Django internals): counted, not imported. */
export const IGNORED_LABELS = new Set([
  'contenttypes.contenttype',
  'auth.permission',
  'auth.group',
  'sessions.session',
  'admin.logentry',
  'token_blacklist.outstandingtoken',
  'token_blacklist.blacklistedtoken',
  'authtoken.token',
]);

const USER = 'accounts.user';
const ADDRESS = 'accounts.address';
const CATEGORY = 'products.category';
const PRODUCT = 'products.product';
const VARIANT = 'products.productvariant';
const ORDER = 'orders.order';

const currencyOf = (f: Fields, env: MapEnv) => f.str('currency', env.currency).toUpperCase();
const mediaUrl = (path: string, env: MapEnv) =>
  /^https?:\/\//.test(path) || path.startsWith('/') ? path : `${env.mediaUrl}${path}`;
const contentType = (path: string) =>
  ({ png: 'image/png', webp: 'image/webp', gif: 'image/gif', avif: 'image/avif' })[path.split('.').pop()?.toLowerCase() ?? ''] ??
  'image/jpeg';

/** An order's address: a JSON object, or the pk of an address row of the export (copied, like checkout does). */
function orderAddress(f: Fields, names: string[], env: MapEnv) {
  const { name, value } = f.raw(names);
  if (value && typeof value === 'object' && !Array.isArray(value)) return addressFrom(value as Record<string, unknown>);
  const row = typeof value === 'number' || typeof value === 'string' ? env.find(ADDRESS, value) : undefined;
  if (!row)
    throw new MapError(
      value == null ? 'bad_value' : 'missing_fk',
      name,
      `${name} is neither an address nor an address in the export`,
    );
  return addressFrom(row.fields);
}

const userMapping: ModelMapping = {
  label: USER,
  aliases: ['users.user', 'authentication.user', 'auth.user'],
  map: (f) => [
    {
      table: users,
      values: {
        email: f.str(['email', 'username']).trim().toLowerCase(),
        passwordHash: f.str('password'), // kept as is: login verifies Django's formats and upgrades them
        firstName: f.str('first_name', ''),
        lastName: f.str('last_name', ''),
        isActive: f.bool('is_active', true),
        isStaff: f.bool('is_staff', false),
        isSuperuser: f.bool('is_superuser', false),
        isEmailVerified: f.bool(['is_email_verified', 'is_verified', 'email_verified'], false),
        phone: f.str(['phone', 'phone_number'], ''),
        dateOfBirth: f.optionalStr('date_of_birth'),
        avatar: f.str('avatar', ''),
        bio: f.str('bio', ''),
        dateJoined: f.date('date_joined'),
        lastLogin: f.date('last_login') ?? null,
        ...stamps(f, ['created_at', 'date_joined']),
      },
    },
  ],
};

const addressMapping: ModelMapping = {
  label: ADDRESS,
  aliases: ['users.address', 'addresses.address'],
  map: (f) => [
    {
      table: addresses,
      values: {
        userId: f.ref('user', USER),
        ...addressFrom(f.row.fields),
        isDefaultShipping: f.bool(['is_default_shipping', 'is_default'], false),
        isDefaultBilling: f.bool('is_default_billing', false),
        ...stamps(f),
      },
    },
  ],
};

const categoryMapping: ModelMapping = {
  label: CATEGORY,
  aliases: ['catalog.category'],
  map: (f) => [
    {
      table: categories,
      values: {
        name: f.str('name'),
        slug: f.str('slug'),
        description: f.str('description', ''),
        parentId: f.optionalRef('parent', CATEGORY),
        position: f.int(['position', 'order', 'sort_order'], 0),
        isActive: f.bool('is_active', true),
        ...stamps(f),
      },
    },
  ],
};

const productMapping: ModelMapping = {
  label: PRODUCT,
  aliases: ['catalog.product'],
  map: (f, env) => {
    const currency = currencyOf(f, env);
    const sku = f.str('sku');
    const product = {
      table: products,
      values: {
        name: f.str('name'),
        slug: f.str('slug'),
        description: f.str('description', ''),
        sku,
        price: f.money('price', currency),
        compareAtPrice: f.optionalMoney(['compare_at_price', 'compare_price', 'original_price'], currency),
        currency,
        categoryId: f.optionalRef('category', CATEGORY),
        isActive: f.bool(['is_active', 'is_available'], true),
        isFeatured: f.bool('is_featured', false),
        ...stamps(f),
      },
    };
    if (env.referenced(VARIANT, 'product', f.row.pk)) return [product];
    // every product has at least one variant here: the old product's own stock becomes its default variant
    const variant = {
      table: productVariants,
      values: {
        id: importId(`${PRODUCT}.default_variant`, f.row.pk),
        productId: importId(PRODUCT, f.row.pk),
        sku,
        name: 'Default',
        stockQuantity: f.int(['stock_quantity', 'stock', 'inventory'], 0),
        ...stamps(f),
      },
    };
    return [product, variant];
  },
};

const variantMapping: ModelMapping = {
  label: VARIANT,
  aliases: ['catalog.productvariant', 'products.variant'],
  map: (f, env) => {
    const options = f.raw(['options', 'attributes']).value ?? {};
    if (typeof options !== 'object' || Array.isArray(options))
      throw new MapError('bad_value', 'options', 'options is not an object');
    const product = env.find(PRODUCT, f.row.fields.product);
    const currency = product ? String(product.fields.currency ?? env.currency).toUpperCase() : env.currency;
    return [
      {
        table: productVariants,
        values: {
          productId: f.ref('product', PRODUCT),
          sku: f.str('sku'),
          name: f.str('name', ''),
          options: Object.fromEntries(Object.entries(options).map(([k, v]) => [k, String(v)])),
          price: f.optionalMoney(['price', 'price_override'], currency),
          stockQuantity: f.int(['stock_quantity', 'stock'], 0),
          lowStockThreshold: f.int('low_stock_threshold', 5),
          isActive: f.bool('is_active', true),
          position: f.int(['position', 'order'], 0),
          ...stamps(f),
        },
      },
    ];
  },
};

const imageMapping: ModelMapping = {
  label: 'products.productimage',
  aliases: ['catalog.productimage'],
  map: (f, env) => {
    const path = f.str(['image', 'url']); // kept as is: the files stay where the old system put them
    const thumb = f.str(['thumbnail', 'thumbnail_url'], path);
    return [
      {
        table: productImages,
        values: {
          productId: f.ref('product', PRODUCT),
          storageKey: path,
          thumbnailKey: thumb,
          url: mediaUrl(path, env),
          thumbnailUrl: mediaUrl(thumb, env),
          contentType: contentType(path),
          width: f.int('width', 0),
          height: f.int('height', 0),
          altText: f.str('alt_text', ''),
          position: f.int(['position', 'order', 'sort_order'], 0),
          isPrimary: f.bool(['is_primary', 'is_main'], false),
          ...stamps(f),
        },
      },
    ];
  },
};

const reviewMapping: ModelMapping = {
  label: 'products.review',
  aliases: ['reviews.review', 'products.productreview', 'catalog.review'],
  map: (f, env) => {
    const author = env.find(USER, f.row.fields.user)?.fields ?? {};
    const last = String(author.last_name ?? '');
    return [
      {
        table: reviews,
        values: {
          productId: f.ref('product', PRODUCT),
          userId: f.ref('user', USER),
          authorName: `${String(author.first_name ?? '')} ${last.slice(0, 1)}${last ? '.' : ''}`.trim(),
          rating: f.int('rating'),
          title: f.str('title', ''),
          body: f.str(['comment', 'body', 'content'], ''),
          isVerifiedPurchase: f.bool(['is_verified_purchase', 'verified_purchase'], false),
          ...stamps(f),
        },
      },
    ];
  },
};

/** Either one row per (user, product) or, as in many DRF shops, a user's Wishlist with a `products` M2M. */
const wishlistMapping: ModelMapping = {
  label: 'products.wishlist',
  aliases: ['wishlist.wishlist', 'products.wishlistitem', 'wishlist.wishlistitem'],
  map: (f) => {
    const userId = f.ref('user', USER);
    const many = f.raw('products').value;
    const pks = Array.isArray(many) ? many : [f.raw('product').value];
    return pks.map((pk) => ({
      table: wishlistItems,
      values: {
        id: importId('products.wishlist', `${String(f.row.pk)}:${String(pk)}`),
        userId,
        productId: f.resolve('products', pk, PRODUCT),
        createdAt: f.date(['created_at', 'added_at']),
      },
    }));
  },
};

const ORDER_STATUSES = ['pending', 'paid', 'processing', 'shipped', 'delivered', 'cancelled', 'refunded'] as const;
// the old system's names for the same states
const ORDER_STATUS_ALIASES: Record<string, string> = { confirmed: 'paid', canceled: 'cancelled', completed: 'delivered' };
const ORDER_PAYMENT_STATUSES = ['unpaid', 'pending', 'paid', 'failed', 'refunded', 'partially_refunded'] as const;
const PAYMENT_STATUSES = [
  'pending',
  'requires_action',
  'processing',
  'succeeded',
  'failed',
  'cancelled',
  'refunded',
  'partially_refunded',
] as const;
const PAYMENT_STATUS_ALIASES: Record<string, string> = { completed: 'succeeded', success: 'succeeded', canceled: 'cancelled' };

function orderAmounts(f: Fields, currency: string) {
  const subtotal = f.money('subtotal', currency);
  const taxAmount = f.money(['tax_amount', 'tax'], currency, 0);
  const shippingCost = f.money(['shipping_cost', 'shipping_amount', 'shipping'], currency, 0);
  const discountAmount = f.money(['discount_amount', 'discount'], currency, 0);
  const total = f.money(['total', 'total_amount'], currency);
  if (total !== subtotal - discountAmount + taxAmount + shippingCost) {
    throw new MapError('bad_value', 'total', 'total is not subtotal - discount + tax + shipping');
  }
  return { subtotal, taxAmount, shippingCost, discountAmount, total };
}

const orderMapping: ModelMapping = {
  label: ORDER,
  aliases: [],
  map: (f, env) => {
    const currency = currencyOf(f, env);
    const status = choice(f, 'status', ORDER_STATUSES, ORDER_STATUS_ALIASES, 'pending');
    const paid = ['paid', 'processing', 'shipped', 'delivered'].includes(status);
    const shippingAddress = orderAddress(f, ['shipping_address'], env);
    const { createdAt, updatedAt } = stamps(f);
    const cancelledAt = f.date(['cancelled_at', 'canceled_at']) ?? null;
    const done = status === 'cancelled' || status === 'refunded';
    return [
      {
        table: orders,
        values: {
          orderNumber: f.str('order_number', String(f.row.pk)),
          userId: f.ref('user', USER),
          email: f.str('email', String(env.find(USER, f.row.fields.user)?.fields.email ?? '')).toLowerCase(),
          status,
          paymentStatus: choice(f, 'payment_status', ORDER_PAYMENT_STATUSES, { completed: 'paid' }, paid ? 'paid' : 'unpaid'),
          currency,
          ...orderAmounts(f, currency),
          couponCode: f.optionalStr(['coupon_code', 'coupon']),
          shippingAddress,
          billingAddress: f.has('billing_address') ? orderAddress(f, ['billing_address'], env) : shippingAddress,
          notes: f.str(['notes', 'note'], ''),
          paidAt: f.date('paid_at') ?? null,
          cancelledAt,
          // the old system already settled the stock of a closed order: never put it back a second time here
          stockRestoredAt: done ? (cancelledAt ?? updatedAt ?? createdAt ?? new Date(0)) : null,
          createdAt,
          updatedAt,
        },
      },
    ];
  },
};

const orderItemMapping: ModelMapping = {
  label: 'orders.orderitem',
  aliases: [],
  map: (f, env) => {
    const order = env.find(ORDER, f.row.fields.order);
    const currency = String(order?.fields.currency ?? env.currency).toUpperCase();
    const unitPrice = f.money(['unit_price', 'price'], currency);
    const quantity = f.int('quantity');
    if (quantity < 1) throw new MapError('bad_value', 'quantity', 'quantity must be at least 1');
    const lineTotal = unitPrice * quantity;
    if (f.has(['total_price', 'line_total']) && f.money(['total_price', 'line_total'], currency) !== lineTotal) {
      throw new MapError('bad_value', 'total_price', 'total_price is not unit price x quantity');
    }
    const product = env.find(PRODUCT, f.row.fields.product)?.fields ?? {};
    const variant = env.find(VARIANT, f.row.fields.variant)?.fields ?? {};
    return [
      {
        table: orderItems,
        values: {
          orderId: f.ref('order', ORDER),
          productId: f.optionalRef('product', PRODUCT),
          variantId: f.optionalRef('variant', VARIANT),
          productName: f.str('product_name', String(product.name ?? '')),
          variantName: f.str('variant_name', String(variant.name ?? '')),
          sku: f.str(['sku', 'product_sku'], String(variant.sku ?? product.sku ?? '')),
          options: {},
          unitPrice,
          quantity,
          lineTotal,
          position: f.int('position', 0),
        },
      },
    ];
  },
};

const statusHistoryMapping: ModelMapping = {
  label: 'orders.orderstatushistory',
  aliases: ['orders.orderstatus', 'orders.statushistory'],
  map: (f) => [
    {
      table: orderStatusHistory,
      values: {
        orderId: f.ref('order', ORDER),
        fromStatus: f.has(['from_status', 'old_status'])
          ? choice(f, ['from_status', 'old_status'], ORDER_STATUSES, ORDER_STATUS_ALIASES)
          : null,
        toStatus: choice(f, ['status', 'to_status', 'new_status'], ORDER_STATUSES, ORDER_STATUS_ALIASES),
        note: f.str(['note', 'notes', 'comment'], ''),
        actorId: f.optionalRef(['changed_by', 'created_by', 'actor'], USER),
        createdAt: f.date(['created_at', 'timestamp']),
      },
    },
  ],
};

const paymentMapping: ModelMapping = {
  label: 'payments.payment',
  aliases: [],
  map: (f, env) => {
    const currency = currencyOf(f, env);
    const reference = f.optionalStr(['stripe_payment_intent_id', 'payment_intent_id', 'transaction_id', 'provider_reference']);
    const method = f.str(['payment_method', 'method'], 'card');
    const provider = f.str('provider', reference?.startsWith('pi_') || method === 'stripe' ? 'stripe' : 'manual');
    return [
      {
        table: payments,
        values: {
          orderId: f.ref('order', ORDER),
          userId: f.optionalRef('user', USER),
          provider: provider === 'stripe' ? 'stripe' : 'manual', // other gateways' history is kept as manual
          providerReference: reference,
          amount: f.money('amount', currency),
          currency,
          refundedAmount: f.money(['refunded_amount', 'amount_refunded'], currency, 0),
          status: choice(f, 'status', PAYMENT_STATUSES, PAYMENT_STATUS_ALIASES, 'pending'),
          method,
          failureReason: f.optionalStr(['failure_reason', 'error_message']),
          succeededAt: f.date(['succeeded_at', 'paid_at', 'completed_at']) ?? null,
          ...stamps(f),
        },
      },
    ];
  },
};

const notificationMapping: ModelMapping = {
  label: 'notifications.notification',
  aliases: [],
  map: (f) => {
    const data = f.raw(['data', 'extra_data']).value ?? {};
    if (typeof data !== 'object' || Array.isArray(data)) throw new MapError('bad_value', 'data', 'data is not an object');
    const createdAt = f.date('created_at');
    const read = f.bool('is_read', false) || f.has('read_at');
    return [
      {
        table: notifications,
        values: {
          userId: f.ref(['user', 'recipient'], USER),
          kind: f.str(['notification_type', 'kind', 'type'], 'general'),
          title: f.str('title', ''),
          body: f.str(['message', 'body'], ''),
          data: Object.fromEntries(Object.entries(data).filter(([, v]) => v === null || typeof v !== 'object')),
          readAt: read ? (f.date('read_at') ?? createdAt ?? new Date(0)) : null,
          createdAt,
        },
      },
    ];
  },
};

/** Dependency order: a row's foreign keys point only at models listed before it. */
export const MAPPINGS: ModelMapping[] = [
  userMapping,
  addressMapping,
  categoryMapping,
  productMapping,
  variantMapping,
  imageMapping,
  reviewMapping,
  wishlistMapping,
  orderMapping,
  orderItemMapping,
  statusHistoryMapping,
  paymentMapping,
  notificationMapping,
];
