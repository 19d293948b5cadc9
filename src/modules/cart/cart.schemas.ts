// Cart request and response schemas (TypeBox); cart.present.ts maps a CartView to them.
import { Type } from 'typebox';
import { MoneyString, Uuid } from '../../core/http.js';

/** More than this in one line is a typo or an attack, not an order. */
export const MAX_LINE_QUANTITY = 1000;

const Quantity = Type.Integer({ minimum: 1, maximum: MAX_LINE_QUANTITY });

export const AddItemBody = Type.Object({
  variant_id: Type.Optional(Uuid),
  product_id: Type.Optional(Uuid),
  quantity: Type.Optional({ ...Quantity, default: 1 }),
});

export const QuantityBody = Type.Object({ quantity: Quantity });

export const CartTokenHeaders = Type.Object({
  'x-cart-token': Type.Optional(Type.String({ minLength: 16, maxLength: 128, description: 'Guest cart token' })),
});

export const CartItemJson = Type.Object({
  id: Uuid,
  product: Type.Object({ id: Uuid, name: Type.String(), slug: Type.String() }),
  variant: Type.Object({
    id: Uuid,
    sku: Type.String(),
    name: Type.String(),
    options: Type.Record(Type.String(), Type.String()),
  }),
  quantity: Type.Integer(),
  unit_price: { ...MoneyString, description: 'Current price: what checkout charges' },
  line_total: MoneyString,
  price_at_add: { ...MoneyString, description: 'The price when the item was added' },
  price_changed: Type.Boolean(),
  is_available: Type.Boolean(),
  available_quantity: Type.Integer(),
});

export const CartJson = Type.Object({
  id: Uuid,
  cart_token: Type.Union([Type.String(), Type.Null()], { description: 'Guests: send it back as X-Cart-Token' }),
  items: Type.Array(CartItemJson),
  total_items: Type.Integer(),
  subtotal: MoneyString,
  currency: Type.String(),
  updated_at: Type.String({ format: 'date-time' }),
});
