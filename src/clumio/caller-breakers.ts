import { BreakerOpenError, type KeyedCaller, type Verdict } from './breaker.js';

export interface CallerBreakerOptions {
  /** One caller's failed calls in a row (5xx, timeouts, broken connections) that hold back its calls. */
  failureThreshold: number;
  /** How long a held-back caller's calls fail fast before one of them probes Clumio again. */
  cooldownMs: number;
  /** Callers tracked at once (only those whose last calls failed); the oldest is forgotten past it. */
  maxCallers: number;
}

export const defaultCallerBreakerOptions: CallerBreakerOptions = { failureThreshold: 5, cooldownMs: 10_000, maxCallers: 10_000 };

/** Raised without calling Clumio while this caller's own calls are held back; nothing was sent. */
export class CallerHeldBackError extends BreakerOpenError {
  constructor() {
    super('Clumio keeps failing this caller’s calls; the gateway is holding them back for a few seconds. Try again shortly.');
  }
}

interface CallerState {
  failures: number;
  /** When the caller was held back; undefined while its calls go through. */
  heldAt: number | undefined;
  probing: boolean;
}

export interface CallerBreakers {
  /** Fails fast when `caller` is held back and cooling down. */
  check(caller: KeyedCaller): void;
  /** Admits one call of `caller` or throws CallerHeldBackError; returns whether it is that caller's probe. */
  admit(caller: KeyedCaller): boolean;
  settle(caller: KeyedCaller, verdict: Verdict, probe: boolean): void;
  /** Callers tracked now (whose last calls failed). */
  readonly tracked: number;
}

/**
 * A small circuit breaker per caller, so that one caller whose calls keep failing (a wallet whose
 * key is in trouble, or a caller who can make Clumio fail on demand) backs off alone and sends
 * Clumio no storm, while the shared breaker (src/clumio/breaker.ts) waits for several callers to
 * fail before it fails everyone. A success forgets the caller: only failing callers take room,
 * at most `maxCallers` of them. Connection failures are not the caller's: they count for the
 * shared breaker only.
 */
export function createCallerBreakers(
  options: CallerBreakerOptions,
  onHeld: (caller: string) => void = () => {},
  now: () => number = () => performance.now(),
): CallerBreakers {
  const callers = new Map<string, CallerState>();

  function heldBack(state: CallerState | undefined): boolean {
    return state?.heldAt !== undefined && now() - state.heldAt < options.cooldownMs;
  }

  function failed(caller: string, probe: boolean): void {
    let state = callers.get(caller);
    if (state === undefined) {
      if (callers.size >= options.maxCallers) callers.delete(callers.keys().next().value!);
      callers.set(caller, (state = { failures: 0, heldAt: undefined, probing: false }));
    }
    if (probe || (state.heldAt === undefined && ++state.failures >= options.failureThreshold)) {
      state.heldAt = now();
      state.failures = 0;
      onHeld(caller);
    }
  }

  // The caller's state; none is tracked while every caller's calls succeed, and then its key
  // (a hash) is not asked for.
  const stateOf = (caller: KeyedCaller): CallerState | undefined => (callers.size === 0 ? undefined : callers.get(caller.key));

  return {
    check(caller) {
      if (heldBack(stateOf(caller))) throw new CallerHeldBackError();
    },
    admit(caller) {
      const state = stateOf(caller);
      if (state?.heldAt === undefined) return false;
      if (heldBack(state) || state.probing) throw new CallerHeldBackError();
      state.probing = true;
      return true;
    },
    settle(caller, verdict, probe) {
      const state = stateOf(caller);
      if (probe && state) state.probing = false;
      if (verdict === 'success' && state) callers.delete(caller.key);
      else if (verdict === 'failure') failed(caller.key, probe);
    },
    get tracked() {
      return callers.size;
    },
  };
}
