import { describe, expect, it } from 'vitest';
import { isTransientDbError, retryTransient } from './db.js';

const pgError = (code: string) => Object.assign(new Error(`pg ${code}`), { code });

describe('retryTransient', () => {
  it('runs a transaction again after a deadlock and returns its result', async () => {
    let calls = 0;
    const result = await retryTransient(async () => {
      calls++;
      if (calls === 1) throw new Error('wrapped', { cause: pgError('40P01') });
      return 'placed';
    });
    expect(result).toBe('placed');
    expect(calls).toBe(2);
  });

  it('gives up after the last attempt', async () => {
    let calls = 0;
    await expect(
      retryTransient(async () => {
        calls++;
        throw pgError('40001');
      }, 3),
    ).rejects.toThrow('pg 40001');
    expect(calls).toBe(3);
  });

  it('passes other errors through without retrying', async () => {
    let calls = 0;
    await expect(
      retryTransient(async () => {
        calls++;
        throw pgError('23505');
      }),
    ).rejects.toThrow('pg 23505');
    expect(calls).toBe(1);
    expect(isTransientDbError(pgError('23505'))).toBe(false);
  });
});
