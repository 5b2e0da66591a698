import { ClumioError } from './errors.js';
import { createFailureWindow } from './failure-window.js';

export type BreakerState = 'closed' | 'open' | 'half-open';

export interface BreakerOptions {
  /**
   * Connection-level failures in a row (refused, DNS, connect timeout) that open the breaker:
   * nothing was sent, so no caller's request can have caused them.
   */
  failureThreshold: number;
  /** The sliding window over which answered failures (5xx, timeouts, broken connections) are counted. */
  windowMs: number;
  /** Calls the window must hold before its failure rate may open the breaker. */
  minimumCalls: number;
  /** Share of the window's calls (0 to 1) that must have failed to open the breaker. */
  failureRate: number;
  /** Distinct callers whose calls failed in the window: one caller's failures never open it for all. */
  minimumFailingCallers: number;
  /** How long an open breaker fails fast before letting one probe through. */
  cooldownMs: number;
}

export const defaultBreakerOptions: BreakerOptions = {
  failureThreshold: 5,
  windowMs: 10_000,
  minimumCalls: 20,
  failureRate: 0.5,
  minimumFailingCallers: 3,
  cooldownMs: 10_000,
};

/**
 * How a call ended, as far as Clumio's health goes: `failure` is an answered failure (5xx, a
 * timeout, a broken connection) that one caller's request may have caused; `unreachable` a
 * connection that could not be made, which no caller causes.
 */
export type Verdict = 'success' | 'failure' | 'unreachable' | 'neutral';

const failingFastMessage = 'Clumio is failing; the gateway is not calling it for a few seconds. Try again shortly.';

/** Raised without calling Clumio while a breaker is open; nothing was sent. */
export class BreakerOpenError extends ClumioError {
  constructor(message = failingFastMessage) {
    super('UPSTREAM_UNAVAILABLE', message, { outcome: 'NOT_SENT' });
  }
}

/**
 * A caller as a breaker tells it apart: by `key`, a hash of its token (never the token), read
 * only when the breaker must remember or compare callers (see Caller in caller.ts).
 */
export interface KeyedCaller {
  readonly key: string;
}

export interface Breaker {
  /** The state now; an open breaker whose cool-down has passed reads as half-open. */
  readonly state: BreakerState;
  /** Fails fast (without taking the probe) when the breaker is open and cooling down. */
  check(): void;
  /**
   * Admits one call of `caller` or throws BreakerOpenError; returns whether the call is a
   * half-open probe. Every admitted call must be settled once, passing that flag back.
   */
  admit(caller: KeyedCaller): boolean;
  /** Settles an admitted call. */
  settle(verdict: Verdict, probe: boolean, caller: KeyedCaller): void;
}

/**
 * The circuit breaker of one upstream origin, shared by every caller. It opens when Clumio as a
 * whole is failing: `failureThreshold` connection failures in a row, or, over a sliding window
 * of `windowMs`, at least `minimumCalls` calls of which `failureRate` failed, from at least
 * `minimumFailingCallers` distinct callers (Resilience4j's rate over a window, with Envoy's
 * caution that one bad host or caller must not eject everyone). Open, it fails fast, so a dead
 * Clumio costs callers nothing and gets no storm of calls; after `cooldownMs` it lets probes
 * through (half-open), one at a time per caller and at most `minimumFailingCallers` at once: a
 * success closes it; a connection failure, or answered failures from that many distinct
 * callers, reopen it. So one caller whose own calls fail cannot keep it open for everyone by
 * failing each probe; a caller whose probe failed waits another cool-down before probing again.
 * One caller's own failures are contained by src/clumio/caller-breakers.ts instead.
 */
export function createBreaker(
  options: BreakerOptions,
  onChange: (state: BreakerState) => void = () => {},
  now: () => number = () => performance.now(),
): Breaker {
  let state: BreakerState = 'closed';
  let unreachableInRow = 0;
  let openedAt = 0;
  // Half-open: the callers probing now, and those whose probe failed (with when the last did).
  const probing = new Set<string>();
  const failedProbes = new Set<string>();
  let lastProbeFailureAt = 0;
  const window = createFailureWindow(options.windowMs, options.minimumFailingCallers, now);

  function move(next: BreakerState): void {
    if (state === next) return;
    state = next;
    onChange(next);
  }

  function current(): BreakerState {
    if (state === 'open' && now() - openedAt >= options.cooldownMs) move('half-open');
    if (state === 'half-open' && failedProbes.size > 0 && now() - lastProbeFailureAt >= options.cooldownMs) failedProbes.clear();
    return state;
  }

  function open(): void {
    openedAt = now();
    unreachableInRow = 0;
    window.clear();
    probing.clear();
    failedProbes.clear();
    move('open');
  }

  function failingForMany(): boolean {
    const { calls, failures, failingCallers } = window.stats();
    return calls >= options.minimumCalls && failures >= calls * options.failureRate && failingCallers >= options.minimumFailingCallers;
  }

  return {
    get state() {
      return current();
    },
    check() {
      if (current() === 'open') throw new BreakerOpenError();
    },
    admit(caller) {
      const s = current();
      if (s === 'closed') return false;
      if (s === 'open') throw new BreakerOpenError();
      // Half-open: only now is the caller told apart (its key hashed).
      const { key } = caller;
      if (probing.has(key) || failedProbes.has(key) || probing.size >= options.minimumFailingCallers) throw new BreakerOpenError();
      probing.add(key);
      return true;
    },
    settle(verdict, probe, caller) {
      if (probe) probing.delete(caller.key);
      if (verdict === 'neutral') return;
      if (verdict === 'success') {
        unreachableInRow = 0;
        if (probe) {
          failedProbes.clear();
          move('closed');
        } else if (state === 'closed') window.record(false, undefined);
        return;
      }
      if (probe) {
        if (state !== 'half-open') return;
        if (verdict === 'unreachable') return open();
        failedProbes.add(caller.key);
        lastProbeFailureAt = now();
        if (failedProbes.size >= options.minimumFailingCallers) open();
        return;
      }
      if (state !== 'closed') return;
      unreachableInRow = verdict === 'unreachable' ? unreachableInRow + 1 : 0;
      window.record(true, verdict === 'unreachable' ? undefined : caller.key);
      if (unreachableInRow >= options.failureThreshold || failingForMany()) open();
    },
  };
}
