import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.js';

describe('config', () => {
  it('has working defaults with no environment at all', () => {
    const config = loadConfig({});
    expect(config.port).toBe(8000);
    expect(config.databaseUrl).toBeUndefined();
    expect(config.accessTokenTtl).toBe(15 * 60);
    expect(config.refreshTokenTtl).toBe(7 * 86400);
    expect(config.paymentProvider).toBe('manual');
    expect(config.dataDir).toMatch(/var$/);
  });

  it.each([
    ['PORT', 'eighty', /PORT/],
    ['PORT', '70000', /PORT/],
    ['DATABASE_URL', 'mysql://x', /DATABASE_URL/],
    ['REDIS_URL', 'not a url', /REDIS_URL/],
    ['MIGRATE_ON_START', 'perhaps', /MIGRATE_ON_START/],
    ['ACCESS_TOKEN_TTL', '15 minutes', /ACCESS_TOKEN_TTL/],
    ['CURRENCY', 'DOLLARS', /CURRENCY/],
    ['TAX_RATE', '1.5', /TAX_RATE/],
    ['LOG_LEVEL', 'loud', /LOG_LEVEL/],
  ])('refuses %s=%s with a message naming the variable', (name, value, pattern) => {
    expect(() => loadConfig({ [name]: value })).toThrow(ConfigError);
    expect(() => loadConfig({ [name]: value })).toThrow(pattern);
  });

  it('requires a long SECRET_KEY in production', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(/SECRET_KEY/);
    expect(loadConfig({ NODE_ENV: 'production', SECRET_KEY: 'x'.repeat(40) }).secretKey).toHaveLength(40);
  });

  it('refuses the stripe provider without a secret key', () => {
    expect(() => loadConfig({ PAYMENT_PROVIDER: 'stripe' })).toThrow(/STRIPE_SECRET_KEY/);
    expect(loadConfig({ STRIPE_SECRET_KEY: 'sk_test_1' }).paymentProvider).toBe('stripe');
  });

  it('parses durations and rates', () => {
    const config = loadConfig({ ACCESS_TOKEN_TTL: '30s', REFRESH_TOKEN_TTL: '2d', TAX_RATE: '0.0825' });
    expect(config.accessTokenTtl).toBe(30);
    expect(config.refreshTokenTtl).toBe(172800);
    expect(config.taxRate).toBe(825);
  });

  it('is frozen', () => {
    const config = loadConfig({});
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.s3)).toBe(true);
  });
});
