import type { Paging } from './pagination.js';
import type { Store } from './store.js';

/** What the Clumio routes need from the simulator; latency and faults stay in the server. */
export interface ApiContext {
  readonly store: Store;
  /** Mutable: strictTokens can be switched while the simulator runs. */
  readonly paging: Paging;
  /** The region a wallet created without `aws_region` gets. */
  readonly defaultRegion: string;
  readonly autoInstallAfterMs: number | undefined;
}
