// Every feature module, in the order their routes are registered, and the wiring between modules: a module
// that sits lower in the dependency graph (src/modules/README.md) calls a higher one only through a hook set here.
import type { AppModule } from '../core/module.js';
import { accountsModule } from './accounts/accounts.module.js';
import { onLogin } from './accounts/accounts.service.js';
import { adminModule } from './admin/admin.module.js';
import { auditModule } from './audit/audit.module.js';
import { cartModule } from './cart/cart.module.js';
import { mergeGuestCartAtLogin } from './cart/cart.service.js';
import { catalogModule } from './catalog/catalog.module.js';
import { setVerifiedPurchaseCheck } from './catalog/reviews.service.js';
import { notificationsModule } from './notifications/notifications.module.js';
import { ordersModule } from './orders/orders.module.js';
import { hasDeliveredOrderWithProduct, setOrderCancelHook } from './orders/orders.service.js';
import { paymentsModule } from './payments/payments.module.js';
import { closeOrderPayments } from './payments/payments.service.js';

export const modules: AppModule[] = [
  accountsModule,
  catalogModule,
  cartModule,
  ordersModule,
  paymentsModule,
  notificationsModule,
  auditModule,
  adminModule,
];

// accounts -> cart: a login with X-Cart-Token merges that guest cart into the user's cart.
onLogin(mergeGuestCartAtLogin);
// catalog -> orders: a review is a verified purchase when the author received an order with the product.
setVerifiedPurchaseCheck(hasDeliveredOrderWithProduct);
// orders -> payments: cancelling or expiring an order closes its payment attempts in the same transaction.
setOrderCancelHook(closeOrderPayments);
