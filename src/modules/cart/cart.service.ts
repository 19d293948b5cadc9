// Cart service: guest and user carts, items with price snapshots, merge on login.
import type { AppContext } from '../../core/context.js';

/**
 * Merges the guest cart identified by `cartToken` into the user's active cart (quantities summed, capped by
 * stock) and retires the guest cart. An unknown or already-merged token is ignored. Called by accounts at login.
 */
export async function mergeGuestCart(ctx: AppContext, cartToken: string, userId: string): Promise<void> {
  void ctx;
  void cartToken;
  void userId;
  // TODO(cart): implemented by the cart/orders issue
}
