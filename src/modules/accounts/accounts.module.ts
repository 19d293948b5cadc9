import type { AppModule } from '../../core/module.js';

export const accountsModule: AppModule = {
  name: 'accounts',
};
