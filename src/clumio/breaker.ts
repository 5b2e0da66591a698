import { ClumioError } from './errors.js';

export type BreakerState = 'closed' | 'open' | 'half-open';

export interface BreakerOptions {
  /** Consecutive failed calls (5xx, timeouts, unreachable) that open the breaker. */
  failureThreshold: number;
  /** How long an open breaker fails fast before letting one probe through. */
  cooldownMs: number;
}

export const defaultBreakerOptions: BreakerOptions = { failureThreshold: 5, cooldownMs: 10_000 };

/** How a call ended, as far as Clumio's health goes. */
export type Verdict = 'success' | 'failure' | 'neutral';

/** Raised without calling Clumio while the breaker is open; nothing was sent. */
export class BreakerOpenError extends ClumioError {
  constructor() {
    super('UPSTREAM_UNAVAILABLE', 'Clumio is failing; the gateway is not calling it for a few seconds. Try again shortly.', {
      outcome: 'NOT_SENT',
    });
  }
}

export interface Breaker {
  /** The state now; an open breaker whose cool-down has passed reads as half-open. */
  readonly state: BreakerState;
  /** Fails fast (without taking the probe) when the breaker is open and cooling down. */
  check(): void;
  /**
   * Admits one call or throws BreakerOpenError; returns whether the call is the half-open probe.
   * Every admitted call must be settled once, passing that flag back.
   */
  admit(): boolean;
  settle(verdict: Verdict, probe: boolean): void;
}

/**
 * A circuit breaker for one upstream origin: after `failureThreshold` failures in a row it opens
 * and fails fast, so a dead Clumio costs callers nothing and gets no storm of calls; after
 * `cooldownMs` one probe goes through (half-open); its success closes it, its failure reopens it.
 */
export function createBreaker(
  options: BreakerOptions,
  onChange: (state: BreakerState) => void = () => {},
  now: () => number = () => performance.now(),
): Breaker {
  let state: BreakerState = 'closed';
  let failures = 0;
  let openedAt = 0;
  let probing = false;

  function move(next: BreakerState): void {
    if (state === next) return;
    state = next;
    onChange(next);
  }

  function current(): BreakerState {
    if (state === 'open' && now() - openedAt >= options.cooldownMs) move('half-open');
    return state;
  }

  function open(): void {
    openedAt = now();
    failures = 0;
    move('open');
  }

  return {
    get state() {
      return current();
    },
    check() {
      if (current() === 'open') throw new BreakerOpenError();
    },
    admit() {
      const s = current();
      if (s === 'closed') return false;
      if (s === 'open' || probing) throw new BreakerOpenError();
      probing = true;
      return true;
    },
    settle(verdict, probe) {
      if (probe) probing = false;
      if (verdict === 'success') {
        failures = 0;
        move('closed');
      } else if (verdict === 'failure') {
        if (probe) open();
        else if (state === 'closed' && ++failures >= options.failureThreshold) open();
      }
    },
  };
}
