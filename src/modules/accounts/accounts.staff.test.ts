import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { authHeader, DEFAULT_PASSWORD, login, makeStaff, makeUser } from '../../../test/factories/users.js';
import { useTestApp } from '../../../test/setup/test-app.js';
import { type UserRow, users } from './accounts.tables.js';

const { app } = useTestApp();

type Method = 'GET' | 'PATCH' | 'POST';
const call = (method: Method, url: string, headers: Record<string, string> = {}, payload?: object) =>
  app.inject({ method, url: `/api/v1${url}`, headers, payload });
const as = async (user: UserRow, method: Method, url: string, payload?: object) =>
  call(method, url, await authHeader(app, user), payload);
const bearer = (access: string) => ({ authorization: `Bearer ${access}` });
const rowOf = async (id: string) => (await app.ctx.db.select().from(users).where(eq(users.id, id)))[0] as UserRow;
const makeAdmin = () => makeUser(app, { isStaff: true, isSuperuser: true });

describe('GET /users/ (staff)', () => {
  it('filters by is_staff and is_active and searches email and names case-insensitively', async () => {
    const staff = await makeStaff(app, { email: 'zz-list-staff@example.com', lastName: 'Quokka' });
    const inactive = await makeUser(app, { email: 'zz-list-off@example.com', lastName: 'Quokka', isActive: false });
    const active = await makeUser(app, { email: 'zz-list-on@example.com', firstName: 'QUOKKA' });

    const byName = await as(staff, 'GET', '/users/?search=quokka');
    expect(byName.statusCode).toBe(200);
    expect(
      byName
        .json()
        .results.map((u: { id: string }) => u.id)
        .sort(),
    ).toEqual([staff.id, inactive.id, active.id].sort());

    const onlyStaff = await as(staff, 'GET', '/users/?search=zz-list&is_staff=true');
    expect(onlyStaff.json().results.map((u: { id: string }) => u.id)).toEqual([staff.id]);
    const onlyInactive = await as(staff, 'GET', '/users/?search=ZZ-LIST&is_active=false');
    expect(onlyInactive.json()).toMatchObject({ count: 1, results: [{ id: inactive.id, is_active: false }] });
  });

  it('orders by email or date joined and pages with page_size', async () => {
    const staff = await makeStaff(app);
    // joined one second apart: rows made in one millisecond would tie on date_joined (PGlite's clock is in ms)
    const start = Date.now() - 60_000;
    for (const [i, name] of ['b', 'a', 'c'].entries()) {
      await makeUser(app, { email: `zz-order-${name}@example.com`, dateJoined: new Date(start + i * 1000) });
    }
    const emails = async (query: string) =>
      (await as(staff, 'GET', `/users/?search=zz-order-&${query}`)).json().results.map((u: { email: string }) => u.email);
    expect(await emails('ordering=email')).toEqual([
      'zz-order-a@example.com',
      'zz-order-b@example.com',
      'zz-order-c@example.com',
    ]);
    expect(await emails('ordering=-email')).toEqual([
      'zz-order-c@example.com',
      'zz-order-b@example.com',
      'zz-order-a@example.com',
    ]);
    expect(await emails('ordering=date_joined')).toEqual([
      'zz-order-b@example.com',
      'zz-order-a@example.com',
      'zz-order-c@example.com',
    ]);
    expect(await emails('ordering=-date_joined')).toEqual([
      'zz-order-c@example.com',
      'zz-order-a@example.com',
      'zz-order-b@example.com',
    ]);
    const page = (await as(staff, 'GET', '/users/?search=zz-order-&ordering=email&page_size=2&page=2')).json();
    expect(page).toMatchObject({ count: 3, next: null, results: [{ email: 'zz-order-c@example.com' }] });
    expect(page.previous).toContain('page_size=2');
  });

  it('refuses an unknown ordering or a non-boolean filter with 400 on the parameter', async () => {
    const staff = await makeStaff(app);
    const bad = await as(staff, 'GET', '/users/?ordering=password_hash');
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors.ordering).toBeDefined();
    expect((await as(staff, 'GET', '/users/?is_staff=perhaps')).statusCode).toBe(400);
  });

  it('answers 401 to anonymous callers and 403 to customers', async () => {
    expect((await call('GET', '/users/')).statusCode).toBe(401);
    const customer = await makeUser(app);
    expect((await as(customer, 'GET', '/users/')).statusCode).toBe(403);
  });
});

describe('GET /users/{id}/ (staff)', () => {
  it('returns the staff view of one user', async () => {
    const staff = await makeStaff(app);
    const user = await makeUser(app, { firstName: 'Ada', lastLogin: new Date('2026-01-02T03:04:05Z') });
    const res = await as(staff, 'GET', `/users/${user.id}/`);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      id: user.id,
      email: user.email,
      first_name: 'Ada',
      last_name: 'User',
      is_email_verified: true,
      is_staff: false,
      date_joined: user.dateJoined.toISOString(),
      is_superuser: false,
      is_active: true,
      last_login: '2026-01-02T03:04:05.000Z',
    });
  });

  it('answers 404 for an unknown id and for an id that is not a uuid', async () => {
    const staff = await makeStaff(app);
    expect((await as(staff, 'GET', `/users/${crypto.randomUUID()}/`)).statusCode).toBe(404);
    const junk = await as(staff, 'GET', '/users/not-a-uuid/');
    expect(junk.statusCode).toBe(404);
    expect(junk.headers['content-type']).toContain('application/problem+json');
  });

  it('answers 401 to anonymous callers and 403 to customers', async () => {
    const user = await makeUser(app);
    expect((await call('GET', `/users/${user.id}/`)).statusCode).toBe(401);
    expect((await as(user, 'GET', `/users/${user.id}/`)).statusCode).toBe(403);
  });
});

describe('PATCH /users/{id}/', () => {
  it('lets staff deactivate a customer: the customer is signed out everywhere at once and cannot log in', async () => {
    const staff = await makeStaff(app);
    const customer = await makeUser(app);
    const bystander = await makeUser(app);
    const sessions = [await login(app, customer.email), await login(app, customer.email)];
    const other = await login(app, bystander.email);
    for (const s of sessions) expect((await call('GET', '/users/me/', bearer(s.access))).statusCode).toBe(200);

    const res = await as(staff, 'PATCH', `/users/${customer.id}/`, { is_active: false });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ id: customer.id, is_active: false });
    for (const s of sessions) {
      const me = await call('GET', '/users/me/', bearer(s.access));
      expect(me.statusCode).toBe(401);
      expect(me.json().code).toBe('token_not_valid');
      expect((await call('PATCH', '/users/me/', bearer(s.access), { bio: 'still here?' })).statusCode).toBe(401);
    }
    const refresh = await app.inject({
      method: 'POST',
      url: '/api/v1/auth/token/refresh/',
      payload: { refresh: sessions[0]?.refresh },
    });
    expect(refresh.statusCode).toBe(401);
    const relogin = await app.inject({
      method: 'POST',
      url: '/api/v1/auth/login/',
      payload: { email: customer.email, password: DEFAULT_PASSWORD },
    });
    expect(relogin.statusCode).toBe(401);
    expect((await call('GET', '/users/me/', bearer(other.access))).statusCode).toBe(200);

    const back = await as(staff, 'PATCH', `/users/${customer.id}/`, { is_active: true });
    expect(back.json()).toMatchObject({ is_active: true });
    await login(app, customer.email);
  });

  it('lets an admin grant staff rights, and removing them ends the demoted user’s sessions', async () => {
    const admin = await makeAdmin();
    const user = await makeUser(app);
    const granted = await as(admin, 'PATCH', `/users/${user.id}/`, { is_staff: true });
    expect(granted.statusCode).toBe(200);
    expect(granted.json()).toMatchObject({ is_staff: true });

    const session = await login(app, user.email);
    expect((await call('GET', '/users/', bearer(session.access))).statusCode).toBe(200);
    const demoted = await as(admin, 'PATCH', `/users/${user.id}/`, { is_staff: false });
    expect(demoted.json()).toMatchObject({ is_staff: false, is_active: true });
    expect((await call('GET', '/users/', bearer(session.access))).statusCode).toBe(401);
    expect((await call('GET', '/users/me/', bearer(session.access))).statusCode).toBe(401);
    // a new login works and carries no staff rights
    const fresh = await login(app, user.email);
    expect((await call('GET', '/users/', bearer(fresh.access))).statusCode).toBe(403);
  });

  it('refuses a plain staff member who tries to grant or remove staff rights (403, nothing changes)', async () => {
    const staff = await makeStaff(app);
    const customer = await makeUser(app);
    const colleague = await makeStaff(app);
    const grant = await as(staff, 'PATCH', `/users/${customer.id}/`, { is_staff: true });
    expect(grant.statusCode).toBe(403);
    expect(grant.json().code).toBe('admin_required');
    expect((await as(staff, 'PATCH', `/users/${colleague.id}/`, { is_staff: false })).statusCode).toBe(403);
    expect((await rowOf(customer.id)).isStaff).toBe(false);
    expect((await rowOf(colleague.id)).isStaff).toBe(true);
  });

  it('refuses a plain staff member who tries to deactivate another staff account or an admin', async () => {
    const staff = await makeStaff(app);
    const colleague = await makeStaff(app);
    const admin = await makeAdmin();
    for (const target of [colleague, admin]) {
      const res = await as(staff, 'PATCH', `/users/${target.id}/`, { is_active: false });
      expect(res.statusCode).toBe(403);
      expect((await rowOf(target.id)).isActive).toBe(true);
    }
    // an admin may
    expect((await as(admin, 'PATCH', `/users/${colleague.id}/`, { is_active: false })).statusCode).toBe(200);
  });

  it('refuses to let anyone deactivate or demote themselves (409 with a code), so the last admin stays in', async () => {
    const admin = await makeAdmin();
    const session = await login(app, admin.email);
    const off = await call('PATCH', `/users/${admin.id}/`, bearer(session.access), { is_active: false });
    expect(off.statusCode).toBe(409);
    expect(off.json().code).toBe('cannot_deactivate_self');
    const demote = await call('PATCH', `/users/${admin.id}/`, bearer(session.access), { is_staff: false });
    expect(demote.statusCode).toBe(409);
    expect(demote.json().code).toBe('cannot_demote_self');
    const row = await rowOf(admin.id);
    expect(row).toMatchObject({ isActive: true, isStaff: true, isSuperuser: true });
    expect((await call('GET', '/users/me/', bearer(session.access))).statusCode).toBe(200);
  });

  it('refuses bad input with 400 field errors and changes nothing', async () => {
    const admin = await makeAdmin();
    const user = await makeUser(app);
    const res = await as(admin, 'PATCH', `/users/${user.id}/`, { is_active: 'maybe', is_staff: 'yes please' });
    expect(res.statusCode).toBe(400);
    expect(Object.keys(res.json().errors).sort()).toEqual(['is_active', 'is_staff']);
    expect(await rowOf(user.id)).toMatchObject({ isActive: true, isStaff: false });
    expect((await as(admin, 'PATCH', `/users/${crypto.randomUUID()}/`, { is_active: false })).statusCode).toBe(404);
    expect((await as(admin, 'PATCH', '/users/nope/', { is_active: false })).statusCode).toBe(404);
  });

  it('answers 401 to anonymous callers and 403 to customers before looking at the body', async () => {
    const customer = await makeUser(app);
    const target = await makeUser(app);
    const anon = await call('PATCH', `/users/${target.id}/`, {}, { is_active: 'junk' });
    expect(anon.statusCode).toBe(401);
    const res = await as(customer, 'PATCH', `/users/${target.id}/`, { is_active: 'junk' });
    expect(res.statusCode).toBe(403);
    expect((await as(customer, 'PATCH', `/users/${target.id}/`, { is_active: false })).statusCode).toBe(403);
    expect((await rowOf(target.id)).isActive).toBe(true);
  });
});

describe('GET /users/{id}/addresses/ (staff)', () => {
  const address = (city: string, extra: object = {}) => ({
    full_name: 'Ada Lovelace',
    line1: '1 Analytical Row',
    city,
    postal_code: '10001',
    country: 'us',
    ...extra,
  });

  it("lists one user's address book, defaults first and paged, and nobody else's", async () => {
    const staff = await makeStaff(app);
    const user = await makeUser(app);
    const other = await makeUser(app);
    for (const [owner, body] of [
      [user, address('Paris')],
      [user, address('Lyon', { is_default_shipping: true })],
      [user, address('Nice')],
      [other, address('Berlin')],
    ] as const) {
      expect((await as(owner, 'POST', '/users/me/addresses/', body)).statusCode).toBe(201);
    }
    const res = await as(staff, 'GET', `/users/${user.id}/addresses/`);
    expect(res.statusCode).toBe(200);
    const page = res.json();
    expect(page.count).toBe(3);
    expect(page.results.map((a: { city: string }) => a.city)).toEqual(['Lyon', 'Nice', 'Paris']);
    expect(page.results[0]).toMatchObject({ full_name: 'Ada Lovelace', country: 'US', is_default_shipping: true });
    const second = (await as(staff, 'GET', `/users/${user.id}/addresses/?page_size=2&page=2`)).json();
    expect(second).toMatchObject({ count: 3, next: null, results: [{ city: 'Paris' }] });
    const empty = (await as(staff, 'GET', `/users/${staff.id}/addresses/`)).json();
    expect(empty).toMatchObject({ count: 0, results: [] });
  });

  it('answers 404 for an unknown id or one that is not a uuid, a page past the end too', async () => {
    const staff = await makeStaff(app);
    expect((await as(staff, 'GET', `/users/${crypto.randomUUID()}/addresses/`)).statusCode).toBe(404);
    expect((await as(staff, 'GET', '/users/nope/addresses/')).statusCode).toBe(404);
    const bad = await as(staff, 'GET', `/users/${staff.id}/addresses/?page=9`);
    expect(bad.statusCode).toBe(404);
    expect(bad.json().detail).toBe('Invalid page.');
  });

  it('answers 401 to anonymous callers and 403 to customers, even for their own id', async () => {
    const customer = await makeUser(app);
    expect((await as(customer, 'POST', '/users/me/addresses/', address('Rome'))).statusCode).toBe(201);
    expect((await call('GET', `/users/${customer.id}/addresses/`)).statusCode).toBe(401);
    expect((await as(customer, 'GET', `/users/${customer.id}/addresses/`)).statusCode).toBe(403);
    // the caller's own book stays where it was
    expect((await as(customer, 'GET', '/users/me/addresses/')).json().count).toBe(1);
  });
});
