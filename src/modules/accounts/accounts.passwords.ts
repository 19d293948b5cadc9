// Password hashing with argon2id (OWASP parameters: 19 MiB, 2 passes, 1 lane).
// Verification also accepts the hash formats of the Django system we replace, so imported users keep their
// passwords; login then upgrades such a hash to argon2id (`needsRehash`).
import { pbkdf2, createHash as sha, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';
import { hash, verify } from '@node-rs/argon2';
import bcrypt from 'bcryptjs';

const ARGON2ID = 2; // @node-rs/argon2 Algorithm.Argon2id (a const enum, so not importable under isolatedModules)
const options = { algorithm: ARGON2ID, memoryCost: 19456, timeCost: 2, parallelism: 1 } as const;
const pbkdf2Async = promisify(pbkdf2);

export function hashPassword(password: string): Promise<string> {
  return hash(password, options);
}

export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  try {
    if (passwordHash.startsWith('$argon2')) return await verify(passwordHash, password);
    return await verifyDjangoPassword(passwordHash, password);
  } catch {
    return false; // malformed or unusable hash (e.g. '!' for accounts without a password)
  }
}

/** True for any hash that is not ours (argon2id with the current parameters): login replaces it. */
export function needsRehash(passwordHash: string): boolean {
  return !passwordHash.startsWith(`$argon2id$v=19$m=${options.memoryCost},t=${options.timeCost},p=${options.parallelism}$`);
}

/**
 * Django's hashers (django.contrib.auth.hashers): `<algorithm>$<rest>`. Unknown algorithms and Django's
 * unusable-password marker (`!...`) verify as false.
 */
async function verifyDjangoPassword(encoded: string, password: string): Promise<boolean> {
  const split = encoded.indexOf('$');
  if (split < 0) return false;
  const algorithm = encoded.slice(0, split);
  const rest = encoded.slice(split + 1);
  switch (algorithm) {
    case 'pbkdf2_sha256':
      return verifyPbkdf2(rest, password, 'sha256', 32);
    case 'pbkdf2_sha1':
      return verifyPbkdf2(rest, password, 'sha1', 20);
    case 'argon2':
      // Argon2PasswordHasher stores the PHC string without its leading '$'
      return verify(`$${rest}`, password);
    case 'bcrypt_sha256':
      // BCryptSHA256PasswordHasher bcrypts the hex SHA-256 of the password (avoids bcrypt's 72-byte cut-off)
      return bcrypt.compare(sha('sha256').update(password).digest('hex'), rest);
    case 'bcrypt':
      return bcrypt.compare(password, rest);
    default:
      return false;
  }
}

async function verifyPbkdf2(rest: string, password: string, digest: 'sha256' | 'sha1', keyLength: number) {
  const [iterationsText, salt, expectedB64] = rest.split('$');
  const iterations = Number(iterationsText);
  if (!salt || !expectedB64 || !Number.isInteger(iterations) || iterations < 1) return false;
  const expected = Buffer.from(expectedB64, 'base64');
  if (expected.length !== keyLength) return false;
  const actual = await pbkdf2Async(password, salt, iterations, keyLength, digest);
  return timingSafeEqual(actual, expected);
}
