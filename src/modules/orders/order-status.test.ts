import { describe, expect, it } from 'vitest';
import { Conflict } from '../../core/errors.js';
import { assertTransition, CANCELLABLE, canTransition } from './order-status.js';

describe('order status machine', () => {
  it('follows pending -> paid -> processing -> shipped -> delivered', () => {
    expect(canTransition('pending', 'paid')).toBe(true);
    expect(canTransition('paid', 'processing')).toBe(true);
    expect(canTransition('processing', 'shipped')).toBe(true);
    expect(canTransition('shipped', 'delivered')).toBe(true);
  });

  it('allows cancelling only before shipping', () => {
    for (const s of CANCELLABLE) expect(canTransition(s, 'cancelled')).toBe(true);
    expect(canTransition('shipped', 'cancelled')).toBe(false);
    expect(canTransition('delivered', 'cancelled')).toBe(false);
  });

  it('allows refunding only once paid', () => {
    expect(canTransition('pending', 'refunded')).toBe(false);
    for (const s of ['paid', 'processing', 'shipped', 'delivered'] as const) expect(canTransition(s, 'refunded')).toBe(true);
  });

  it('refuses skipping steps and leaving a final status', () => {
    expect(canTransition('pending', 'shipped')).toBe(false);
    expect(canTransition('cancelled', 'pending')).toBe(false);
    expect(canTransition('refunded', 'paid')).toBe(false);
  });

  it('throws a 409 invalid_transition naming the allowed statuses', () => {
    try {
      assertTransition('pending', 'delivered');
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(Conflict);
      expect((error as Conflict).code).toBe('invalid_transition');
      expect((error as Conflict).extra).toMatchObject({ allowed: ['paid', 'cancelled'] });
    }
  });
});
