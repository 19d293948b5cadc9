import type { AppModule } from '../../core/module.js';

export const paymentsModule: AppModule = {
  name: 'payments',
};
