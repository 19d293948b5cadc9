// Odd input on accounts endpoints answers 4xx with field errors and changes nothing, never a 500.
import { describe, expect, it } from 'vitest';
import { authHeader, DEFAULT_PASSWORD, makeAddress, makeStaff, makeUser } from '../../../test/factories/users.js';
import { useTestApp } from '../../../test/setup/test-app.js';
import { queryRows, sql } from '../../core/db.js';

const { app } = useTestApp();

const NUL = 'Ada\u0000Lovelace';
const address = { full_name: 'Ada', line1: '1 Main St', city: 'London', postal_code: 'N1', country: 'GB' };

describe('NUL characters (PostgreSQL text cannot store them)', () => {
  it('refuses a NUL in an address field with a field error and stores nothing', async () => {
    const user = await makeUser(app);
    const res = await app.inject({
      method: 'POST',
      url: '/api/v1/users/me/addresses/',
      headers: await authHeader(app, user),
      payload: { ...address, line1: NUL },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().errors).toHaveProperty('line1');
    const rows = await queryRows(app.ctx.db, sql`SELECT id FROM addresses WHERE user_id = ${user.id}`);
    expect(rows).toHaveLength(0);
  });

  it('refuses a NUL in a profile field with a field error and keeps the profile', async () => {
    const user = await makeUser(app, { bio: 'before' });
    const res = await app.inject({
      method: 'PATCH',
      url: '/api/v1/users/me/',
      headers: await authHeader(app, user),
      payload: { bio: NUL },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().errors).toHaveProperty('bio');
    const [row] = await queryRows<{ bio: string }>(app.ctx.db, sql`SELECT bio FROM users WHERE id = ${user.id}`);
    expect(row?.bio).toBe('before');
  });

  it('refuses a NUL in a name at registration and creates nobody', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/api/v1/auth/register/',
      payload: { email: 'nul-name@example.com', password: 'plum-orchard-sunrise', first_name: NUL },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().errors).toHaveProperty('first_name');
    expect(await queryRows(app.ctx.db, sql`SELECT id FROM users WHERE email = 'nul-name@example.com'`)).toHaveLength(0);
  });

  it('answers a login email containing a NUL with 400 on email', async () => {
    const user = await makeUser(app);
    const res = await app.inject({
      method: 'POST',
      url: '/api/v1/auth/login/',
      payload: { email: `${user.email}\u0000`, password: DEFAULT_PASSWORD },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().errors).toHaveProperty('email');
  });

  it('answers a NUL in the staff user search with 400 on search', async () => {
    const staff = await makeStaff(app);
    const res = await app.inject({ method: 'GET', url: '/api/v1/users/?search=a%00b', headers: await authHeader(app, staff) });
    expect(res.statusCode).toBe(400);
    expect(res.json().errors).toHaveProperty('search');
  });
});

describe('page numbers far past the end', () => {
  it('answers 404 Invalid page on the address book, not a database overflow', async () => {
    const user = await makeUser(app);
    await makeAddress(app, user.id);
    const res = await app.inject({
      method: 'GET',
      url: '/api/v1/users/me/addresses/?page=1000000000000000000',
      headers: await authHeader(app, user),
    });
    expect(res.statusCode).toBe(404);
    expect(res.json().code).toBe('invalid_page');
  });

  it('answers 404 Invalid page on the staff user list', async () => {
    const staff = await makeStaff(app);
    const res = await app.inject({ method: 'GET', url: '/api/v1/users/?page=1e300', headers: await authHeader(app, staff) });
    expect(res.statusCode).toBe(404);
    expect(res.json().code).toBe('invalid_page');
  });
});
