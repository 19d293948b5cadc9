// The admin's only way to the API: JSON requests with the bearer token, a token refresh shortly before the
// access token expires (rotated refresh token), and problem+json errors turned into react-admin HttpErrors.
import { HttpError } from 'ra-core';

export const API_BASE = '/api/v1';

export interface StaffUser {
  id: string;
  email: string;
  first_name: string;
  last_name: string;
  is_staff: boolean;
  is_superuser?: boolean;
}

export interface Session {
  access: string;
  refresh: string;
  user: StaffUser;
  /** 'admin' (superuser) or 'staff': decides which screens and actions are shown. */
  role: 'admin' | 'staff';
}

/** Where the session lives: memory first, sessionStorage so a reload keeps it (never the URL, never a cookie). */
export interface SessionStore {
  get(): Session | undefined;
  set(session: Session | undefined): void;
}

export function browserSessionStore(storage: Storage | undefined = globalThis.sessionStorage): SessionStore {
  const key = 'emporium-admin-session';
  let current: Session | undefined;
  try {
    const raw = storage?.getItem(key);
    current = raw ? (JSON.parse(raw) as Session) : undefined;
  } catch {
    current = undefined;
  }
  return {
    get: () => current,
    set(session) {
      current = session;
      if (session) storage?.setItem(key, JSON.stringify(session));
      else storage?.removeItem(key);
    },
  };
}

export function memorySessionStore(initial?: Session): SessionStore {
  let current = initial;
  return { get: () => current, set: (s) => (current = s) };
}

/** Seconds since epoch at which a JWT expires (0 when unreadable: treat as expired). */
export function tokenExpiry(jwt: string): number {
  try {
    const part = jwt.split('.')[1] ?? '';
    const json = JSON.parse(atob(part.replace(/-/g, '+').replace(/_/g, '/')));
    return typeof json.exp === 'number' ? json.exp : 0;
  } catch {
    return 0;
  }
}

export interface Problem {
  type?: string;
  title?: string;
  status?: number;
  detail?: string;
  code?: string;
  errors?: Record<string, string[] | string>;
  [key: string]: unknown;
}

/** problem+json -> HttpError whose body.errors is `{field: message}`, what react-admin puts on form fields. */
export function problemToHttpError(status: number, problem: Problem | undefined): HttpError {
  const message = problem?.detail || problem?.title || `Request failed (${status})`;
  // a report-style body (e.g. a CSV import's per-row errors) is passed through untouched
  if (Array.isArray(problem?.errors)) return new HttpError(message, status, { ...problem });
  const fieldErrors: Record<string, string> = {};
  for (const [field, messages] of Object.entries(problem?.errors ?? {})) {
    const message = Array.isArray(messages) ? messages.join(' ') : String(messages);
    // nested paths come dotted (`variants.0.sku`); react-admin addresses array fields the same way
    fieldErrors[field.replace(/^body\./, '')] = message;
  }
  const hasFields = Object.keys(fieldErrors).length > 0;
  return new HttpError(message, status, { ...problem, errors: hasFields ? fieldErrors : undefined });
}

export interface RequestOptions {
  method?: string;
  query?: Record<string, unknown>;
  body?: unknown;
  headers?: Record<string, string>;
  /** Skip the Authorization header (login, refresh). */
  anonymous?: boolean;
}

export interface ApiResponse<T = unknown> {
  status: number;
  headers: Headers;
  json: T;
}

export function buildQuery(query: Record<string, unknown> | undefined): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query ?? {})) {
    if (value === undefined || value === null || value === '') continue;
    if (Array.isArray(value)) value.forEach((v) => params.append(key, String(v)));
    else params.append(key, String(value));
  }
  const text = params.toString();
  return text ? `?${text}` : '';
}

export interface ApiClient {
  request<T = unknown>(path: string, options?: RequestOptions): Promise<ApiResponse<T>>;
  /** Raw fetch with the bearer token (downloads, uploads); errors are still HttpErrors. */
  fetchRaw(path: string, init?: RequestInit, query?: Record<string, unknown>): Promise<Response>;
  /** POSTs a large body, reporting the share sent so far (0..1) while it uploads (fetch cannot report that). */
  upload<T = unknown>(path: string, body: Blob | string, options?: UploadOptions): Promise<ApiResponse<T>>;
  sessions: SessionStore;
  /** Refreshes the tokens now (rotated); on failure the session is dropped and the error rethrown. */
  refresh(): Promise<Session>;
  onLogout?: () => void;
}

export interface UploadOptions {
  query?: Record<string, unknown>;
  headers?: Record<string, string>;
  onProgress?: (sent: number) => void;
}

export interface ClientOptions {
  fetch?: typeof fetch;
  sessions: SessionStore;
  now?: () => number;
  /** Refresh when the access token has fewer than this many seconds left. */
  refreshMargin?: number;
}

export function createApiClient(options: ClientOptions): ApiClient {
  const doFetch = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
  const now = options.now ?? (() => Date.now() / 1000);
  const margin = options.refreshMargin ?? 60;
  const { sessions } = options;
  let refreshing: Promise<Session> | undefined;

  async function refresh(): Promise<Session> {
    refreshing ??= (async () => {
      const session = sessions.get();
      try {
        if (!session) throw new HttpError('Not signed in', 401, {});
        const response = await doFetch(`${API_BASE}/auth/token/refresh/`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', accept: 'application/json' },
          body: JSON.stringify({ refresh: session.refresh }),
        });
        const json = await readJson(response);
        if (!response.ok) throw problemToHttpError(response.status, json as Problem);
        const next = { ...session, access: json.access, refresh: json.refresh };
        sessions.set(next);
        return next;
      } catch (error) {
        sessions.set(undefined);
        client.onLogout?.();
        throw error instanceof HttpError ? new HttpError('Your session has ended; sign in again.', 401, {}) : error;
      } finally {
        refreshing = undefined;
      }
    })();
    return refreshing;
  }

  async function accessToken(): Promise<string | undefined> {
    const session = sessions.get();
    if (!session) return undefined;
    if (tokenExpiry(session.access) - now() < margin) return (await refresh()).access;
    return session.access;
  }

  async function fetchRaw(path: string, init: RequestInit = {}, query?: Record<string, unknown>, anonymous = false) {
    const headers = new Headers(init.headers);
    if (!anonymous) {
      const token = await accessToken();
      if (token) headers.set('authorization', `Bearer ${token}`);
    }
    const response = await doFetch(`${API_BASE}${path}${buildQuery(query)}`, { ...init, headers });
    if (!response.ok) throw problemToHttpError(response.status, (await readJson(response)) as Problem);
    return response;
  }

  /** XMLHttpRequest for its upload progress events; where there is none (or fetch is injected), plain fetch. */
  async function upload<T>(path: string, body: Blob | string, opts: UploadOptions = {}): Promise<ApiResponse<T>> {
    const XHR = globalThis.XMLHttpRequest;
    if (!XHR || options.fetch) {
      const response = await client.request<T>(path, { method: 'POST', body, headers: opts.headers, query: opts.query });
      opts.onProgress?.(1);
      return response;
    }
    const token = await accessToken();
    return new Promise((resolve, reject) => {
      const xhr = new XHR();
      xhr.open('POST', `${API_BASE}${path}${buildQuery(opts.query)}`);
      xhr.setRequestHeader('accept', 'application/json');
      for (const [name, value] of Object.entries(opts.headers ?? {})) xhr.setRequestHeader(name, value);
      if (token) xhr.setRequestHeader('authorization', `Bearer ${token}`);
      xhr.upload.onprogress = (event) => {
        if (event.lengthComputable && event.total > 0) opts.onProgress?.(event.loaded / event.total);
      };
      xhr.upload.onload = () => opts.onProgress?.(1);
      xhr.onerror = () => reject(new HttpError('The upload failed: the server could not be reached.', 0, {}));
      xhr.onload = () => {
        let json: unknown = null;
        try {
          json = xhr.responseText ? JSON.parse(xhr.responseText) : null;
        } catch {
          json = { detail: xhr.responseText.slice(0, 200) };
        }
        if (xhr.status >= 200 && xhr.status < 300) resolve({ status: xhr.status, headers: new Headers(), json: json as T });
        else reject(problemToHttpError(xhr.status, json as Problem));
      };
      xhr.send(body);
    });
  }

  const client: ApiClient = {
    sessions,
    refresh,
    upload,
    fetchRaw: (path, init, query) => fetchRaw(path, init, query),
    async request<T>(path: string, opts: RequestOptions = {}) {
      const headers: Record<string, string> = { accept: 'application/json', ...opts.headers };
      let body: BodyInit | undefined;
      if (opts.body instanceof FormData || typeof opts.body === 'string') body = opts.body;
      else if (opts.body !== undefined) {
        headers['content-type'] = 'application/json';
        body = JSON.stringify(opts.body);
      }
      const response = await fetchRaw(path, { method: opts.method ?? 'GET', headers, body }, opts.query, opts.anonymous);
      return { status: response.status, headers: response.headers, json: (await readJson(response)) as T };
    },
  };
  return client;
}

// biome-ignore lint/suspicious/noExplicitAny: JSON from the API is checked by the callers' use of it
async function readJson(response: Response): Promise<any> {
  if (response.status === 204) return null;
  const text = await response.text();
  if (!text) return null;
  try {
    return JSON.parse(text);
  } catch {
    return { detail: text.slice(0, 200) };
  }
}
