import { createHash } from 'node:crypto';
import { hash as argon2Hash } from '@node-rs/argon2';
import bcrypt from 'bcryptjs';
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { makeUser } from '../../../test/factories/users.js';
import { useTestApp } from '../../../test/setup/test-app.js';
import { needsRehash, verifyPassword } from './accounts.passwords.js';
import { users } from './accounts.tables.js';

// Vectors from Django's own hasher tests (tests/auth_tests/test_hashers.py): what a Django database holds.
const DJANGO_VECTORS: [string, string][] = [
  ['pbkdf2_sha256$390000$seasalt$8xBlGd3jVgvJ+92hWPxi5ww0uuAuAnKgC45eudxro7c=', 'lètmein'],
  ['pbkdf2_sha1$390000$seasalt2$aDapRanzW8aHTz97v2TcfHzWD+I=', 'lètmein'],
  ['argon2$argon2id$v=19$m=102400,t=2,p=8$Y041dExhNkljRUUy$TMa6A8fPJhCAUXRhJXCXdw', 'secret'],
  ['argon2$argon2i$v=19$m=8,t=1,p=1$c2FsdHNhbHQ$YC9+jJCrQhs5R6db7LlN8Q', 'secret'],
];

// Django's BCryptSHA256PasswordHasher / BCryptPasswordHasher: 'bcrypt_sha256$' or 'bcrypt$' + a $2b$ bcrypt string.
const djangoBcryptSha256 = (password: string) =>
  `bcrypt_sha256$${bcrypt.hashSync(createHash('sha256').update(password).digest('hex'), bcrypt.genSaltSync(4))}`;
const djangoBcrypt = (password: string) => `bcrypt$${bcrypt.hashSync(password, bcrypt.genSaltSync(4))}`;

describe('Django password hashes', () => {
  it.each(DJANGO_VECTORS)('verifies %s with the right password only', async (encoded, password) => {
    expect(await verifyPassword(encoded, password)).toBe(true);
    expect(await verifyPassword(encoded, `${password}z`)).toBe(false);
  });

  it('verifies bcrypt_sha256 and bcrypt hashes as Django writes them', async () => {
    const long = 'x'.repeat(80); // past bcrypt's 72 bytes: bcrypt_sha256 still tells these apart
    expect(await verifyPassword(djangoBcryptSha256(long), long)).toBe(true);
    expect(await verifyPassword(djangoBcryptSha256(long), long.slice(0, 72))).toBe(false);
    expect(await verifyPassword(djangoBcrypt('lètmein'), 'lètmein')).toBe(true);
    expect(await verifyPassword(djangoBcrypt('lètmein'), 'lètmeinz')).toBe(false);
  });

  it('refuses unusable, unknown and malformed hashes', async () => {
    for (const encoded of ['!abcdef', 'md5$seasalt$3f86d0d3d465b7b458c231bf3555c0e3', 'pbkdf2_sha256$x$salt$abc', '']) {
      expect(await verifyPassword(encoded, 'lètmein')).toBe(false);
    }
  });

  it('marks every non-argon2id hash for rehashing, and ours not', async () => {
    for (const [encoded] of DJANGO_VECTORS) expect(needsRehash(encoded)).toBe(true);
    const weakArgon = await argon2Hash('secret', { algorithm: 2, memoryCost: 8, timeCost: 1, parallelism: 1 });
    expect(needsRehash(weakArgon)).toBe(true);
  });
});

describe('login with an imported Django hash', () => {
  const { app } = useTestApp();

  const storedHash = async (id: string) =>
    (await app.ctx.db.select({ h: users.passwordHash }).from(users).where(eq(users.id, id)))[0]?.h ?? '';
  const loginAs = (email: string, password: string) =>
    app.inject({ method: 'POST', url: '/api/v1/auth/login/', payload: { email, password } });

  it.each([
    ['pbkdf2_sha256', DJANGO_VECTORS[0]![0], 'lètmein'],
    ['argon2', DJANGO_VECTORS[3]![0], 'secret'],
    ['bcrypt_sha256', djangoBcryptSha256('old-django-pass'), 'old-django-pass'],
  ])('logs in with the old password and upgrades a %s hash to argon2id', async (_name, encoded, password) => {
    const user = await makeUser(app);
    await app.ctx.db.update(users).set({ passwordHash: encoded }).where(eq(users.id, user.id));

    expect((await loginAs(user.email, `${password}-wrong`)).statusCode).toBe(401);
    expect(await storedHash(user.id)).toBe(encoded); // a failed login changes nothing

    const res = await loginAs(user.email, password);
    expect(res.statusCode).toBe(200);
    const upgraded = await storedHash(user.id);
    expect(upgraded).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(needsRehash(upgraded)).toBe(false);
    expect((await loginAs(user.email, password)).statusCode).toBe(200); // and the new hash works
  });
});
