// Every feature module, in the order their routes are registered.
import type { AppModule } from '../core/module.js';
import { accountsModule } from './accounts/accounts.module.js';
import { adminModule } from './admin/admin.module.js';
import { auditModule } from './audit/audit.module.js';
import { cartModule } from './cart/cart.module.js';
import { catalogModule } from './catalog/catalog.module.js';
import { notificationsModule } from './notifications/notifications.module.js';
import { ordersModule } from './orders/orders.module.js';
import { paymentsModule } from './payments/payments.module.js';

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
