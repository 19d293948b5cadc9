import type { AppModule } from '../../core/module.js';

export const catalogModule: AppModule = {
  name: 'catalog',
};
