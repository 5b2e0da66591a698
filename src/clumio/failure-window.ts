const buckets = 10;

export interface WindowStats {
  calls: number;
  failures: number;
  /** Distinct callers with a failure in the window, counted up to the number the window was built to tell. */
  failingCallers: number;
}

export interface FailureWindow {
  /** Records one answered call; `caller` names whose call failed (none for a failure no caller caused). */
  record(failed: boolean, caller: string | undefined): void;
  stats(): WindowStats;
  clear(): void;
}

/**
 * Calls and failures over the last `windowMs` (a sliding window of ten buckets, as Resilience4j's
 * time-based window), and the most recent distinct callers whose calls failed. Bounded: ten pairs
 * of counters and at most `callersToTell` caller keys, however many callers there are.
 */
export function createFailureWindow(windowMs: number, callersToTell: number, now: () => number): FailureWindow {
  const bucketMs = windowMs / buckets;
  const calls = new Array<number>(buckets).fill(0);
  const failures = new Array<number>(buckets).fill(0);
  let head = Math.floor(now() / bucketMs);
  // Caller key → time of its last failure, oldest first: the last `callersToTell` distinct ones.
  const failing = new Map<string, number>();

  function clear(): void {
    calls.fill(0);
    failures.fill(0);
    failing.clear();
  }

  // Moves the window to now, emptying the buckets it slid past.
  function advance(): number {
    const t = now();
    const index = Math.floor(t / bucketMs);
    if (index - head >= buckets) {
      calls.fill(0);
      failures.fill(0);
    } else {
      for (let i = head + 1; i <= index; i++) {
        calls[i % buckets] = 0;
        failures[i % buckets] = 0;
      }
    }
    head = Math.max(head, index);
    return t;
  }

  return {
    record(failed, caller) {
      const t = advance();
      calls[head % buckets]!++;
      if (!failed) return;
      failures[head % buckets]!++;
      if (caller === undefined) return;
      failing.delete(caller);
      failing.set(caller, t);
      if (failing.size > callersToTell) failing.delete(failing.keys().next().value!);
    },
    stats() {
      const t = advance();
      let failingCallers = 0;
      for (const at of failing.values()) if (t - at < windowMs) failingCallers++;
      return { calls: calls.reduce((a, b) => a + b, 0), failures: failures.reduce((a, b) => a + b, 0), failingCallers };
    },
    clear,
  };
}
