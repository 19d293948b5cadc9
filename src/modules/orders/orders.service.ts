// Orders service: checkout, coupons, order status machine and history, cancellation.
import type { Db } from '../../core/db.js';

export type OrderStatus = 'pending' | 'paid' | 'processing' | 'shipped' | 'delivered' | 'cancelled' | 'refunded';

export interface OrderForPayment {
  id: string;
  orderNumber: string;
  userId: string;
  status: OrderStatus;
  paymentStatus: string;
  /** Minor units. */
  total: number;
  currency: string;
}

/** True when the user has a delivered order containing this product (reviews' "verified purchase"). */
export async function hasDeliveredOrderWithProduct(db: Db, userId: string, productId: string): Promise<boolean> {
  void db;
  void userId;
  void productId;
  return false; // TODO(orders): implemented by the cart/orders issue
}
