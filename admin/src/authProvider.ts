// JWT auth provider: staff-only sign-in through POST /auth/login/, tokens refreshed before they expire by the
// API client (http.ts), signed out when a refresh fails or the API says the session is gone.
import { type AuthProvider, HttpError } from 'ra-core';
import type { ApiClient, Session, StaffUser } from './http';

export const NO_STAFF_ACCESS = 'This account has no staff access';

/** Admin (superuser) or plain staff: the API has no is_superuser on login, so ask an admin-only endpoint. */
async function roleOf(api: ApiClient, user: StaffUser): Promise<Session['role']> {
  if (typeof user.is_superuser === 'boolean') return user.is_superuser ? 'admin' : 'staff';
  try {
    await api.request('/audit-log/', { query: { page_size: 1 } });
    return 'admin';
  } catch {
    return 'staff';
  }
}

export function createAuthProvider(api: ApiClient): AuthProvider {
  return {
    async login({ username, password }: { username: string; password: string }) {
      let json: { access: string; refresh: string; user: StaffUser };
      try {
        ({ json } = await api.request('/auth/login/', {
          method: 'POST',
          body: { email: username, password },
          anonymous: true,
        }));
      } catch (error) {
        const status = (error as HttpError).status;
        if (status === 401 || status === 400) throw new Error('Wrong email or password');
        throw error;
      }
      if (!json.user?.is_staff && !json.user?.is_superuser) {
        // end the session we just got: a customer never keeps a token here
        const headers = { authorization: `Bearer ${json.access}` };
        api.request('/auth/logout/', { method: 'POST', body: { refresh: json.refresh }, headers, anonymous: true }).catch(() => {});
        throw new Error(NO_STAFF_ACCESS);
      }
      api.sessions.set({ ...json, role: 'staff' });
      const role = await roleOf(api, json.user);
      api.sessions.set({ ...json, role });
    },
    async logout() {
      const session = api.sessions.get();
      if (session) {
        const headers = { authorization: `Bearer ${session.access}` };
        await api
          .request('/auth/logout/', { method: 'POST', body: { refresh: session.refresh }, headers, anonymous: true })
          .catch(() => undefined);
      }
      api.sessions.set(undefined);
    },
    async checkAuth() {
      if (!api.sessions.get()) throw new HttpError('Not signed in', 401, {});
    },
    async checkError(error: { status?: number }) {
      if (error?.status === 401) {
        api.sessions.set(undefined);
        throw error;
      }
      // 403 on one action (e.g. an admin-only one) is shown as a notification, it does not sign out
    },
    async getIdentity() {
      const session = api.sessions.get();
      if (!session) throw new HttpError('Not signed in', 401, {});
      const { user } = session;
      const fullName = `${user.first_name} ${user.last_name}`.trim() || user.email;
      return { id: user.id, fullName };
    },
    async getPermissions() {
      return api.sessions.get()?.role ?? 'staff';
    },
  };
}
