import type { AppModule } from '../../core/module.js';

export const cartModule: AppModule = {
  name: 'cart',
};
