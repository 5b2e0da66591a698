import type { PageSizes } from './pagination.js';
import type { Store } from './store.js';

/** What the Clumio routes need from the simulator; latency and faults stay in the server. */
export interface ApiContext {
  readonly store: Store;
  readonly sizes: PageSizes;
  readonly autoInstallAfterMs: number | undefined;
}
