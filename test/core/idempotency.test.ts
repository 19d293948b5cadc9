import { describe, expect, it } from 'vitest';
import {
  claimIdempotencyKey,
  completeIdempotencyKey,
  idempotencyKeyOf,
  releaseIdempotencyKey,
  requestHash,
  runIdempotent,
} from '../../src/core/idempotency.js';
import { useTestApp } from '../setup/test-app.js';

const { app } = useTestApp();

const owner = '00000000-0000-4000-8000-000000000001';

describe('idempotency keys', () => {
  it('hashes bodies independently of key order', () => {
    expect(requestHash({ a: 1, b: { c: 2, d: [1, 2] } })).toBe(requestHash({ b: { d: [1, 2], c: 2 }, a: 1 }));
    expect(requestHash({ a: 1 })).not.toBe(requestHash({ a: 2 }));
  });

  it('runs the work once and replays its stored response', async () => {
    let runs = 0;
    const request = { scope: 'test.run', ownerId: owner, key: 'k1', body: { x: 1 }, now: app.ctx.now() };
    const work = async () => ({ statusCode: 201, body: { n: ++runs } });
    const first = await runIdempotent(app.ctx.db, request, work);
    const second = await runIdempotent(app.ctx.db, request, work);
    expect(first).toEqual({ statusCode: 201, body: { n: 1 }, replayed: false });
    expect(second).toEqual({ statusCode: 201, body: { n: 1 }, replayed: true });
  });

  it('refuses the same key with another body with 422', async () => {
    const request = { scope: 'test.run', ownerId: owner, key: 'k2', body: { x: 1 }, now: app.ctx.now() };
    await runIdempotent(app.ctx.db, request, async () => ({ statusCode: 200, body: {} }));
    await expect(
      runIdempotent(app.ctx.db, { ...request, body: { x: 2 } }, async () => ({ statusCode: 200, body: {} })),
    ).rejects.toMatchObject({
      status: 422,
      code: 'idempotency_key_reused',
    });
  });

  it('forgets the key when the work fails inside the transaction', async () => {
    const request = { scope: 'test.run', ownerId: owner, key: 'k3', body: {}, now: app.ctx.now() };
    await expect(runIdempotent(app.ctx.db, request, async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    const again = await runIdempotent(app.ctx.db, request, async () => ({ statusCode: 201, body: { ok: true } }));
    expect(again.replayed).toBe(false);
  });

  it('two-step use: 409 while in progress, replay once completed, runs again once released', async () => {
    const request = { scope: 'test.two_step', ownerId: owner, key: 'k4', body: { amount: 5 }, now: app.ctx.now() };
    expect(await claimIdempotencyKey(app.ctx.db, request)).toEqual({ state: 'new' });
    await expect(claimIdempotencyKey(app.ctx.db, request)).rejects.toMatchObject({
      status: 409,
      code: 'idempotency_in_progress',
    });
    await completeIdempotencyKey(app.ctx.db, request, { statusCode: 201, body: { id: 'p1' } });
    expect(await claimIdempotencyKey(app.ctx.db, request)).toEqual({ state: 'replay', statusCode: 201, body: { id: 'p1' } });

    const other = { ...request, key: 'k5' };
    await claimIdempotencyKey(app.ctx.db, other);
    await releaseIdempotencyKey(app.ctx.db, other);
    expect(await claimIdempotencyKey(app.ctx.db, other)).toEqual({ state: 'new' });
  });

  it('keeps keys per scope and per owner', async () => {
    const request = { scope: 'test.scope', ownerId: owner, key: 'k6', body: {}, now: app.ctx.now() };
    await runIdempotent(app.ctx.db, request, async () => ({ statusCode: 201, body: 1 }));
    const otherOwner = await runIdempotent(app.ctx.db, { ...request, ownerId: 'someone-else' }, async () => ({
      statusCode: 201,
      body: 2,
    }));
    const otherScope = await runIdempotent(app.ctx.db, { ...request, scope: 'test.other' }, async () => ({
      statusCode: 201,
      body: 3,
    }));
    expect([otherOwner.body, otherScope.body]).toEqual([2, 3]);
  });

  it('validates the header: absent is fine, empty or too long is a 400', () => {
    expect(idempotencyKeyOf(undefined)).toBeUndefined();
    expect(idempotencyKeyOf('abc-123')).toBe('abc-123');
    expect(() => idempotencyKeyOf('')).toThrow();
    expect(() => idempotencyKeyOf('x'.repeat(256))).toThrow();
  });
});
