// Typed client for the Emporium API: `paths` (schema.ts) is generated from the server's OpenAPI document by
// `npm run client:generate` in the repository root; requests go through openapi-fetch, so every path, parameter,
// body and response is checked by the TypeScript compiler against that document.
import createClient, { type Client, type ClientOptions, type Middleware } from 'openapi-fetch';
import type { components, paths } from './schema.js';

export type { components, paths };
export type EmporiumClient = Client<paths>;

export interface EmporiumClientOptions extends Omit<ClientOptions, 'baseUrl'> {
  /** Where the API is, e.g. `http://localhost:8000` (no trailing `/api/v1`: paths carry it). */
  baseUrl: string;
  /** Returns the current access token (JWT) for `Authorization: Bearer`; undefined sends none. */
  accessToken?: () => string | undefined | Promise<string | undefined>;
  /** Returns the guest cart token for `X-Cart-Token` (carts before login). */
  cartToken?: () => string | undefined;
}

/** A client for one Emporium server. Authentication is added per request from the callbacks, so tokens can change. */
export function createEmporiumClient(options: EmporiumClientOptions): EmporiumClient {
  const { accessToken, cartToken, ...clientOptions } = options;
  const client = createClient<paths>({ ...clientOptions, baseUrl: options.baseUrl.replace(/\/+$/, '') });
  const auth: Middleware = {
    async onRequest({ request }) {
      const token = await accessToken?.();
      if (token && !request.headers.has('authorization')) request.headers.set('authorization', `Bearer ${token}`);
      const cart = cartToken?.();
      if (cart && !request.headers.has('x-cart-token')) request.headers.set('x-cart-token', cart);
      return request;
    },
  };
  client.use(auth);
  return client;
}
