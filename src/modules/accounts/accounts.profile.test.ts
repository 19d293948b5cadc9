import { describe, expect, it } from 'vitest';
import { authHeader, makeAddress, makeUser } from '../../../test/factories/users.js';
import { useTestApp } from '../../../test/setup/test-app.js';
import { getAddressForUser } from './accounts.service.js';
import type { UserRow } from './accounts.tables.js';

const { app } = useTestApp();

const as = async (user: UserRow, method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', url: string, payload?: object) =>
  app.inject({ method, url: `/api/v1${url}`, payload, headers: await authHeader(app, user) });

const home = { full_name: 'Ada Lovelace', line1: '12 St James Square', city: 'London', postal_code: 'SW1Y 4JH', country: 'gb' };

describe('GET/PATCH /users/me/', () => {
  it('returns the user with profile fields', async () => {
    const user = await makeUser(app, { firstName: 'Grace', phone: '+1 555 0100', bio: 'Hi' });
    const res = await as(user, 'GET', '/users/me/');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      id: user.id,
      email: user.email,
      first_name: 'Grace',
      last_name: 'User',
      is_email_verified: true,
      is_staff: false,
      date_joined: user.dateJoined.toISOString(),
      phone: '+1 555 0100',
      date_of_birth: null,
      avatar: '',
      bio: 'Hi',
    });
  });

  it('updates profile fields and ignores read-only ones', async () => {
    const user = await makeUser(app);
    const res = await as(user, 'PATCH', '/users/me/', {
      first_name: 'Katherine',
      date_of_birth: '1918-08-26',
      bio: 'Mathematician',
      email: 'hijack@example.com',
      is_staff: true,
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ first_name: 'Katherine', date_of_birth: '1918-08-26', bio: 'Mathematician' });
    expect(res.json()).toMatchObject({ email: user.email, is_staff: false });
    expect((await as(user, 'GET', '/users/me/')).json().first_name).toBe('Katherine');
  });

  it('refuses a malformed or future date of birth with a field error', async () => {
    const user = await makeUser(app);
    const bad = await as(user, 'PATCH', '/users/me/', { date_of_birth: '31/12/1990' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors.date_of_birth).toBeDefined();
    const future = await as(user, 'PATCH', '/users/me/', { date_of_birth: '2999-01-01' });
    expect(future.statusCode).toBe(400);
    expect(future.json().errors.date_of_birth).toEqual(['Date of birth must be in the past.']);
  });

  it('requires authentication', async () => {
    expect((await app.inject({ method: 'PATCH', url: '/api/v1/users/me/', payload: { bio: 'x' } })).statusCode).toBe(401);
  });
});

describe('address book', () => {
  it('creates an address (201) with defaults for omitted fields and an upper-cased country', async () => {
    const user = await makeUser(app);
    const res = await as(user, 'POST', '/users/me/addresses/', home);
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({
      ...home,
      country: 'GB',
      line2: '',
      is_default_shipping: false,
      is_default_billing: false,
    });
  });

  it('refuses an address without required fields, with field errors', async () => {
    const user = await makeUser(app);
    const res = await as(user, 'POST', '/users/me/addresses/', { full_name: 'X', country: 'Germany' });
    expect(res.statusCode).toBe(400);
    expect(Object.keys(res.json().errors)).toEqual(expect.arrayContaining(['line1', 'city', 'postal_code', 'country']));
  });

  it('lists only my addresses, paginated, defaults first', async () => {
    const user = await makeUser(app);
    const other = await makeUser(app);
    await makeAddress(app, other.id);
    await makeAddress(app, user.id, { fullName: 'Plain' });
    await makeAddress(app, user.id, { fullName: 'Default', isDefaultShipping: true });
    const res = await as(user, 'GET', '/users/me/addresses/');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ count: 2, next: null, previous: null });
    expect(res.json().results.map((a: { full_name: string }) => a.full_name)).toEqual(['Default', 'Plain']);
  });

  it('setting a new default shipping address unsets the previous one', async () => {
    const user = await makeUser(app);
    const first = await makeAddress(app, user.id, { isDefaultShipping: true, isDefaultBilling: true });
    const created = await as(user, 'POST', '/users/me/addresses/', { ...home, is_default_shipping: true });
    expect(created.json().is_default_shipping).toBe(true);
    const old = (await as(user, 'GET', `/users/me/addresses/${first.id}/`)).json();
    expect(old).toMatchObject({ is_default_shipping: false, is_default_billing: true });
  });

  it('moving the default billing flag by PATCH unsets it on the other address', async () => {
    const user = await makeUser(app);
    const a = await makeAddress(app, user.id, { isDefaultBilling: true });
    const b = await makeAddress(app, user.id);
    const res = await as(user, 'PATCH', `/users/me/addresses/${b.id}/`, { is_default_billing: true });
    expect(res.statusCode).toBe(200);
    expect(res.json().is_default_billing).toBe(true);
    expect((await as(user, 'GET', `/users/me/addresses/${a.id}/`)).json().is_default_billing).toBe(false);
  });

  it('PATCH changes only the given fields; PUT replaces the whole address', async () => {
    const user = await makeUser(app);
    const address = await makeAddress(app, user.id, { line2: 'Flat 2', isDefaultShipping: true });
    const patched = await as(user, 'PATCH', `/users/me/addresses/${address.id}/`, { city: 'Shelbyville' });
    expect(patched.json()).toMatchObject({ city: 'Shelbyville', line2: 'Flat 2', is_default_shipping: true });
    const put = await as(user, 'PUT', `/users/me/addresses/${address.id}/`, home);
    expect(put.statusCode).toBe(200);
    expect(put.json()).toMatchObject({ ...home, country: 'GB', line2: '', is_default_shipping: false });
  });

  it('PUT refuses a body missing required fields', async () => {
    const user = await makeUser(app);
    const address = await makeAddress(app, user.id);
    const res = await as(user, 'PUT', `/users/me/addresses/${address.id}/`, { city: 'Nowhere' });
    expect(res.statusCode).toBe(400);
  });

  it('deletes an address with 204', async () => {
    const user = await makeUser(app);
    const address = await makeAddress(app, user.id);
    expect((await as(user, 'DELETE', `/users/me/addresses/${address.id}/`)).statusCode).toBe(204);
    expect((await as(user, 'GET', `/users/me/addresses/${address.id}/`)).statusCode).toBe(404);
  });

  it("answers 404 for another user's address on every method and changes nothing", async () => {
    const owner = await makeUser(app);
    const intruder = await makeUser(app);
    const address = await makeAddress(app, owner.id, { isDefaultShipping: true });
    await makeAddress(app, intruder.id, { isDefaultShipping: true });
    const url = `/users/me/addresses/${address.id}/`;
    expect((await as(intruder, 'GET', url)).statusCode).toBe(404);
    expect((await as(intruder, 'PUT', url, home)).statusCode).toBe(404);
    expect((await as(intruder, 'PATCH', url, { city: 'Stolen', is_default_shipping: true })).statusCode).toBe(404);
    expect((await as(intruder, 'DELETE', url)).statusCode).toBe(404);
    const mine = (await as(owner, 'GET', url)).json();
    expect(mine).toMatchObject({ city: 'Springfield', is_default_shipping: true });
    // the intruder's own default was not cleared by the refused PATCH either
    const theirs = (await as(intruder, 'GET', '/users/me/addresses/')).json().results;
    expect(theirs[0].is_default_shipping).toBe(true);
  });

  it('answers 400 for a malformed address id', async () => {
    const user = await makeUser(app);
    expect((await as(user, 'GET', '/users/me/addresses/not-a-uuid/')).statusCode).toBe(400);
  });

  it('exposes addresses to checkout only for their owner', async () => {
    const owner = await makeUser(app);
    const other = await makeUser(app);
    const address = await makeAddress(app, owner.id, { isDefaultBilling: true });
    expect(await getAddressForUser(app.ctx.db, owner.id, address.id)).toMatchObject({ id: address.id, city: 'Springfield' });
    expect(await getAddressForUser(app.ctx.db, other.id, address.id)).toBeUndefined();
    expect((await getAddressForUser(app.ctx.db, owner.id, { default: 'billing' }))?.id).toBe(address.id);
  });

  it.runIf(process.env.DATABASE_URL)('keeps one default when two requests set different defaults at once', async () => {
    const user = await makeUser(app);
    const a = await makeAddress(app, user.id);
    const b = await makeAddress(app, user.id);
    const results = await Promise.all([
      as(user, 'PATCH', `/users/me/addresses/${a.id}/`, { is_default_shipping: true }),
      as(user, 'PATCH', `/users/me/addresses/${b.id}/`, { is_default_shipping: true }),
    ]);
    expect(results.map((r) => r.statusCode)).toEqual([200, 200]);
    const list = (await as(user, 'GET', '/users/me/addresses/')).json().results;
    expect(list.filter((x: { is_default_shipping: boolean }) => x.is_default_shipping)).toHaveLength(1);
  });
});
