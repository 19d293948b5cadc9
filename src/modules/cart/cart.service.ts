// Cart service: guest and user carts, items with price snapshots, merge on login. Totals come from the one
// pricing module (orders/pricing.ts) that checkout uses too.
import { hashToken, randomToken } from '../../core/auth.js';
import type { AppContext } from '../../core/context.js';
import type { Db } from '../../core/db.js';
import { BusinessRuleFailed, fieldError, NotFound, OutOfStock } from '../../core/errors.js';
import { activeVariantIdsOfProduct, getSellableVariants, type SellableVariant } from '../catalog/inventory.service.js';
import * as repo from './cart.repo.js';
import type { CartItemRow, CartRow } from './cart.tables.js';
import { cartTotals } from './pricing.service.js';

/** Who is asking: a logged-in user, or a guest with (or without yet) a cart token. */
export interface CartOwner {
  userId?: string;
  token?: string;
}

export interface CartLine {
  item: CartItemRow;
  variant: SellableVariant;
  /** Current price (minor units): what checkout will charge. */
  unitPrice: number;
  lineTotal: number;
  priceChanged: boolean;
}

export interface CartView {
  cart: CartRow;
  /** The guest token in use (null for a user's cart). */
  token: string | null;
  lines: CartLine[];
  totalItems: number;
  subtotal: number;
}

const cartNotFound = () => new NotFound('Cart not found.', 'cart_not_found');

/** Finds (or, with `create`, makes) the owner's cart. An unknown guest token is a 404. */
async function resolveCart(ctx: AppContext, db: Db, owner: CartOwner, create: boolean) {
  if (owner.userId) return { cart: await repo.getOrCreateUserCart(db, owner.userId, ctx.config.currency), token: null };
  if (owner.token) {
    const cart = await repo.findCartByTokenHash(db, hashToken(owner.token));
    if (!cart) throw cartNotFound();
    return { cart, token: owner.token };
  }
  if (!create) throw cartNotFound();
  const token = randomToken();
  return { cart: await repo.insertGuestCart(db, hashToken(token), ctx.config.currency), token };
}

async function viewOf(db: Db, cart: CartRow, token: string | null): Promise<CartView> {
  const items = await repo.itemsOfCart(db, cart.id);
  const variants = await getSellableVariants(
    db,
    items.map((i) => i.variantId),
  );
  const lines: CartLine[] = [];
  for (const item of items) {
    const variant = variants.get(item.variantId);
    if (!variant) continue; // cascade-deleted in between
    const unitPrice = variant.price;
    lines.push({ item, variant, unitPrice, lineTotal: unitPrice * item.quantity, priceChanged: unitPrice !== item.unitPrice });
  }
  const totals = cartTotals(
    lines.filter((l) => l.variant.isAvailable).map((l) => ({ unitPrice: l.unitPrice, quantity: l.item.quantity })),
  );
  return { cart, token, lines, ...totals };
}

/** GET /cart/: the owner's cart, creating a guest cart (and its token) when there is none. */
export async function getCart(ctx: AppContext, owner: CartOwner): Promise<CartView> {
  return ctx.db.transaction(async (tx) => {
    const { cart, token } = await resolveCart(ctx, tx, owner, true);
    return viewOf(tx, cart, token);
  });
}

async function pickVariant(db: Db, input: { variantId?: string; productId?: string }): Promise<string> {
  if (input.variantId && input.productId) throw fieldError('non_field_errors', 'Send either variant_id or product_id, not both.');
  if (input.variantId) return input.variantId;
  if (!input.productId) throw fieldError('variant_id', 'This field is required (or product_id).', 'required');
  const ids = await activeVariantIdsOfProduct(db, input.productId);
  if (ids.length === 0)
    throw fieldError('product_id', `Invalid pk "${input.productId}" - object does not exist.`, 'does_not_exist');
  if (ids.length > 1)
    throw fieldError('variant_id', 'This product has several variants; choose one with variant_id.', 'required');
  return ids[0] as string;
}

function assertSellable(ctx: AppContext, variantId: string, variant: SellableVariant | undefined): SellableVariant {
  if (!variant?.isAvailable)
    throw fieldError('variant_id', `Invalid pk "${variantId}" - object does not exist.`, 'does_not_exist');
  if (variant.currency !== ctx.config.currency) {
    throw new BusinessRuleFailed(
      `This product is sold in ${variant.currency}; the cart is in ${ctx.config.currency}.`,
      'currency_mismatch',
    );
  }
  return variant;
}

function assertStock(variant: SellableVariant, quantity: number) {
  if (quantity > variant.stockQuantity) {
    throw new OutOfStock(`Only ${variant.stockQuantity} of ${variant.sku} available.`, {
      variant_id: variant.id,
      requested: quantity,
      available: variant.stockQuantity,
    });
  }
}

/** Adds to the line of a variant (creating a guest cart if needed); 409 with `available` past the stock. */
export async function addCartItem(
  ctx: AppContext,
  owner: CartOwner,
  input: { variantId?: string; productId?: string; quantity: number },
): Promise<CartView> {
  return ctx.db.transaction(async (tx) => {
    const variantId = await pickVariant(tx, input);
    const variant = assertSellable(ctx, variantId, (await getSellableVariants(tx, [variantId])).get(variantId));
    // a user's cart is found or created and touched in one statement; a guest's is touched after the add
    const { cart, token } = owner.userId
      ? { cart: await repo.touchUserCart(tx, owner.userId, ctx.config.currency), token: null }
      : await resolveCart(ctx, tx, owner, true);
    const line = await repo.addToLine(tx, { cartId: cart.id, variantId, quantity: input.quantity, unitPrice: variant.price });
    assertStock(variant, line.quantity);
    if (!owner.userId) await repo.touchCart(tx, cart.id);
    return viewOf(tx, cart, token);
  });
}

export async function updateCartItem(ctx: AppContext, owner: CartOwner, itemId: string, quantity: number): Promise<CartView> {
  return ctx.db.transaction(async (tx) => {
    const { cart, token } = await resolveCart(ctx, tx, owner, false);
    const item = await repo.findCartItem(tx, cart.id, itemId);
    if (!item) throw new NotFound();
    const variant = (await getSellableVariants(tx, [item.variantId])).get(item.variantId);
    if (variant) assertStock(variant, quantity);
    await repo.updateItemQuantity(tx, item.id, quantity);
    await repo.touchCart(tx, cart.id);
    return viewOf(tx, cart, token);
  });
}

export async function removeCartItem(ctx: AppContext, owner: CartOwner, itemId: string): Promise<void> {
  await ctx.db.transaction(async (tx) => {
    const { cart } = await resolveCart(ctx, tx, owner, false);
    const item = await repo.findCartItem(tx, cart.id, itemId);
    if (!item) throw new NotFound();
    await repo.deleteItem(tx, item.id);
    await repo.touchCart(tx, cart.id);
  });
}

export async function clearCart(ctx: AppContext, owner: CartOwner): Promise<CartView> {
  return ctx.db.transaction(async (tx) => {
    const { cart, token } = await resolveCart(ctx, tx, owner, false);
    await repo.deleteAllItems(tx, cart.id);
    await repo.touchCart(tx, cart.id);
    return viewOf(tx, cart, token);
  });
}

/**
 * Merges the guest cart identified by `cartToken` into the user's active cart (quantities summed, capped by
 * stock) and retires the guest cart. An unknown or already-merged token is ignored. Called by accounts at login.
 */
/** The accounts login hook (wired in src/modules/index.ts): merges the guest cart the login carried, if any. */
export async function mergeGuestCartAtLogin(ctx: AppContext, login: { userId: string; cartToken?: string }): Promise<void> {
  if (login.cartToken) await mergeGuestCart(ctx, login.cartToken, login.userId);
}

export async function mergeGuestCart(ctx: AppContext, cartToken: string, userId: string): Promise<void> {
  await ctx.db.transaction(async (tx) => {
    const guest = await repo.findCartByTokenHash(tx, hashToken(cartToken), true);
    if (!guest) return;
    const userCart = await repo.getOrCreateUserCart(tx, userId, ctx.config.currency);
    const [guestItems, userItems] = await Promise.all([repo.itemsOfCart(tx, guest.id), repo.itemsOfCart(tx, userCart.id)]);
    const variants = await getSellableVariants(
      tx,
      guestItems.map((i) => i.variantId),
    );
    for (const item of guestItems) {
      const variant = variants.get(item.variantId);
      if (!variant?.isAvailable) continue;
      const existing = userItems.find((u) => u.variantId === item.variantId);
      const quantity = Math.min((existing?.quantity ?? 0) + item.quantity, variant.stockQuantity);
      if (quantity <= 0) continue;
      await repo.setLineQuantity(tx, { cartId: userCart.id, variantId: item.variantId, quantity, unitPrice: item.unitPrice });
    }
    await repo.deleteCart(tx, guest.id);
    await repo.touchCart(tx, userCart.id);
  });
}

// ---- for checkout (orders module) -------------------------------------------------------------------------

export interface CheckoutCart {
  cartId: string;
  items: { variantId: string; quantity: number; unitPriceAtAdd: number }[];
}

/** The user's cart locked for checkout (concurrent checkouts of one cart serialize); undefined when none. */
export async function lockCartForCheckout(tx: Db, userId: string): Promise<CheckoutCart | undefined> {
  const rows = await repo.lockUserCartWithItems(tx, userId);
  const first = rows[0];
  if (!first) return undefined;
  const items: CheckoutCart['items'] = [];
  for (const row of rows) {
    if (row.variantId !== null && row.quantity !== null && row.unitPrice !== null) {
      items.push({ variantId: row.variantId, quantity: row.quantity, unitPriceAtAdd: row.unitPrice });
    }
  }
  return { cartId: first.cartId, items };
}

/** Empties a cart inside the checkout transaction (one statement). */
export async function emptyCart(tx: Db, cartId: string): Promise<void> {
  await repo.emptyCartItems(tx, cartId);
}

/** Job: guest carts untouched for `guestCartTtl` are deleted. */
export async function expireGuestCarts(ctx: AppContext): Promise<number> {
  const before = new Date(ctx.now().getTime() - ctx.config.guestCartTtl * 1000);
  return repo.deleteGuestCartsBefore(ctx.db, before);
}
