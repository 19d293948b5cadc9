// The scale-out settings: a replica needs a primary, and the lag window and direct URL parse like the others.
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';

const primary = 'postgres://app@db:5432/emporium';

describe('scale-out settings', () => {
  it('default to one database and a 2 s read-your-writes window', () => {
    const config = loadConfig({});
    expect(config.databaseReplicaUrl).toBeUndefined();
    expect(config.databaseDirectUrl).toBeUndefined();
    expect(config.databaseReplicaLagMs).toBe(2000);
  });

  it('take a replica and a direct URL next to DATABASE_URL', () => {
    const config = loadConfig({
      DATABASE_URL: 'postgres://app@pgbouncer:6432/emporium',
      DATABASE_DIRECT_URL: primary,
      DATABASE_REPLICA_URL: 'postgres://app@replica:5432/emporium',
      DATABASE_REPLICA_LAG_MS: '500',
    });
    expect(config.databaseDirectUrl).toBe(primary);
    expect(config.databaseReplicaLagMs).toBe(500);
  });

  it('refuse a replica without a primary, and bad values, naming the variable', () => {
    expect(() => loadConfig({ DATABASE_REPLICA_URL: primary })).toThrow(/DATABASE_REPLICA_URL: needs DATABASE_URL/);
    expect(() => loadConfig({ DATABASE_DIRECT_URL: 'mysql://x' })).toThrow(/DATABASE_DIRECT_URL/);
    expect(() => loadConfig({ DATABASE_REPLICA_LAG_MS: 'soon' })).toThrow(/DATABASE_REPLICA_LAG_MS/);
  });
});
