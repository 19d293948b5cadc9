// One API client, data provider and auth provider for the whole app.
import { createAuthProvider } from './authProvider';
import { createDataProvider } from './dataProvider';
import { browserSessionStore, createApiClient } from './http';

export const api = createApiClient({ sessions: browserSessionStore() });
export const dataProvider = createDataProvider(api);
export const authProvider = createAuthProvider(api);
