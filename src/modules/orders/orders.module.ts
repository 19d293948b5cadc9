import type { AppModule } from '../../core/module.js';

export const ordersModule: AppModule = {
  name: 'orders',
};
