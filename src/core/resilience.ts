// Small building blocks every dependency adapter shares: capped exponential backoff with jitter, and a
// circuit breaker. Hand-written on purpose (about 60 lines): opossum wraps one function per breaker with its
// own timers and events, while the cache needs one breaker shared by every command, a synchronous "may I
// try?" check and exactly one callback per state change (for one log line and a gauge).

export interface BackoffOptions {
  /** First delay, in ms. */
  initialMs: number;
  /** No delay is longer than this, in ms. */
  maxMs: number;
}

/**
 * Delay before retry number `attempt` (0-based): "full jitter" over initial·2^attempt, capped at `maxMs`,
 * and never below half of the capped base, so a crowd of reconnecting processes spreads out but none spins.
 */
export function backoffDelay(attempt: number, { initialMs, maxMs }: BackoffOptions, random = Math.random): number {
  const base = Math.min(maxMs, initialMs * 2 ** Math.min(attempt, 30));
  return Math.round(base / 2 + random() * (base / 2));
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref?.());

export type BreakerState = 'closed' | 'open' | 'half_open';

export interface BreakerOptions {
  /** Consecutive failures that open the breaker. */
  failureThreshold: number;
  /** How long it stays open before one trial call is let through. */
  openMs: number;
  onStateChange?: (state: BreakerState, previous: BreakerState, error?: unknown) => void;
  now?: () => number;
}

export interface Breaker {
  readonly state: BreakerState;
  /** True when a call may go to the dependency now (closed, or the one trial call of half-open). */
  allow(): boolean;
  success(): void;
  failure(error?: unknown): void;
}

export function createBreaker(options: BreakerOptions): Breaker {
  const now = options.now ?? Date.now;
  let state: BreakerState = 'closed';
  let failures = 0;
  let openedAt = 0;
  let trialInFlight = false;
  const move = (next: BreakerState, error?: unknown) => {
    if (next === state) return;
    const previous = state;
    state = next;
    options.onStateChange?.(next, previous, error);
  };
  return {
    get state() {
      if (state === 'open' && now() - openedAt >= options.openMs) move('half_open');
      return state;
    },
    allow() {
      const current = this.state;
      if (current === 'closed') return true;
      if (current === 'half_open' && !trialInFlight) {
        trialInFlight = true;
        return true;
      }
      return false;
    },
    success() {
      failures = 0;
      trialInFlight = false;
      move('closed');
    },
    failure(error) {
      trialInFlight = false;
      failures++;
      if (state === 'half_open' || failures >= options.failureThreshold) {
        openedAt = now();
        move('open', error);
      }
    },
  };
}

/**
 * Runs `write` until it succeeds or `deadlineMs` passes. For the bookkeeping after a side effect already
 * happened (a job finished, an email went out): giving up at the first error there is what made a database
 * blip send a confirmation twice.
 */
export async function persist(
  write: () => Promise<unknown>,
  deadlineMs: number,
  log: { warn: (o: object, m: string) => void; info: (o: object, m: string) => void },
  what: string,
): Promise<void> {
  const started = Date.now();
  for (let attempt = 0; ; attempt++) {
    try {
      await write();
      if (attempt > 0) log.info({ attempts: attempt + 1 }, `${what} recorded after retrying`);
      return;
    } catch (error) {
      if (Date.now() - started + 200 > deadlineMs) throw error;
      if (attempt === 0) log.warn({ err: error }, `${what} could not be recorded; retrying`);
      await sleep(backoffDelay(attempt, { initialMs: 100, maxMs: 2000 }));
    }
  }
}
