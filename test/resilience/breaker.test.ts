// Pure building blocks of the resilience design: backoff bounds and the circuit breaker's states.
import { describe, expect, it } from 'vitest';
import { backoffDelay, createBreaker } from '../../src/core/resilience.js';

describe('capped exponential backoff with jitter', () => {
  const options = { initialMs: 100, maxMs: 5000 };

  it('grows exponentially and never exceeds the cap', () => {
    expect(backoffDelay(0, options, () => 1)).toBe(100);
    expect(backoffDelay(3, options, () => 1)).toBe(800);
    for (const attempt of [10, 40, 1000]) expect(backoffDelay(attempt, options, () => 1)).toBe(5000);
  });

  it('jitters within the upper half of the capped base, so reconnecting processes spread out', () => {
    expect(backoffDelay(2, options, () => 0)).toBe(200);
    expect(backoffDelay(20, options, () => 0)).toBe(2500);
    const seen = new Set(Array.from({ length: 50 }, () => backoffDelay(4, options)));
    expect(seen.size).toBeGreaterThan(5);
    for (const delay of seen) expect(delay).toBeGreaterThanOrEqual(800);
  });
});

describe('circuit breaker', () => {
  function breakerAt(clock: { now: number }) {
    const changes: string[] = [];
    const breaker = createBreaker({
      failureThreshold: 2,
      openMs: 1000,
      now: () => clock.now,
      onStateChange: (state, previous) => changes.push(`${previous}->${state}`),
    });
    return { breaker, changes };
  }

  it('opens after consecutive failures and refuses calls while open', () => {
    const clock = { now: 0 };
    const { breaker, changes } = breakerAt(clock);
    breaker.failure();
    expect(breaker.state).toBe('closed');
    breaker.success(); // a success in between resets the count
    breaker.failure();
    expect(breaker.allow()).toBe(true);
    breaker.failure();
    expect(breaker.state).toBe('open');
    expect(breaker.allow()).toBe(false);
    expect(changes).toEqual(['closed->open']);
  });

  it('lets exactly one trial call through after the open period, and closes on its success', () => {
    const clock = { now: 0 };
    const { breaker, changes } = breakerAt(clock);
    breaker.failure();
    breaker.failure();
    clock.now = 1000;
    expect(breaker.state).toBe('half_open');
    expect(breaker.allow()).toBe(true);
    expect(breaker.allow()).toBe(false); // the trial is in flight
    breaker.success();
    expect(breaker.state).toBe('closed');
    expect(changes).toEqual(['closed->open', 'open->half_open', 'half_open->closed']);
  });

  it('reopens at once when the trial call fails', () => {
    const clock = { now: 0 };
    const { breaker } = breakerAt(clock);
    breaker.failure();
    breaker.failure();
    clock.now = 1500;
    expect(breaker.allow()).toBe(true);
    breaker.failure();
    expect(breaker.state).toBe('open');
    clock.now = 2000;
    expect(breaker.state).toBe('open');
    clock.now = 2500;
    expect(breaker.state).toBe('half_open');
  });
});
