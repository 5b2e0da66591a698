/**
 * Where a wallet created without `aws_region` is put: Clumio does not publish its choice; the
 * region of the Clumio deployment that serves the API (the simulator stands for us-west-2) is
 * what the simulator picks.
 */
export const DEFAULT_REGION = 'us-west-2';

export interface SimulatorOptions {
  /** Added before each Clumio answer, in ms. Default 0. */
  latencyMs?: number;
  /**
   * Each answer's delay is drawn uniformly from latencyMs ± this (at most latencyMs). Default 0.
   * A WAN round trip is never the same twice; a delay fixed to the millisecond answers requests
   * sent together all together, which keeps a closed-loop load in lockstep.
   */
  latencyJitterMs?: number;
  /** Seed the demo organization reachable with `demoToken`. Default true. */
  seed?: boolean;
  /** Page size when a list has no `limit` (or `limit=0`). Default 25. */
  defaultPageSize?: number;
  /** Larger `limit` values are clamped to this. Default 100. */
  maxPageSize?: number;
  /**
   * Refuse (400) a page token sent with another `limit` than the one it was issued for, as a
   * Clumio whose tokens depend on the page size would. Default false (any limit is served).
   */
  strictPageTokens?: boolean;
  /** The Clumio deployment's region: a wallet created without `aws_region` gets it. Default us-west-2. */
  region?: string;
  /**
   * A Waiting wallet made by the simulator becomes Enabled this long after creation, seen on the
   * next read, list or refresh. Default: never (only `installStack` enables a wallet).
   */
  autoInstallAfterMs?: number;
}

export interface RecordedRequest {
  method: string;
  /** Path part of the request target, still percent-encoded. */
  path: string;
  /** Raw request target as received, including the query. */
  url: string;
  /** Lower-cased names; repeated headers joined with ", ". */
  headers: Record<string, string>;
  body: string;
  at: number;
}

/** Which requests a fault applies to; the default is every Clumio API request. */
export interface FaultMatch {
  method?: string;
  pathPrefix?: string;
}

interface FaultBase {
  /** How many matching requests this fault answers. Default 1. */
  times?: number;
  match?: FaultMatch;
}

export type Fault =
  | (FaultBase & { kind: 'status'; status: number; message?: string; retryAfterSeconds?: number })
  | (FaultBase & { kind: 'malformed' })
  | (FaultBase & { kind: 'html'; status?: number })
  | (FaultBase & { kind: 'reset' })
  | (FaultBase & { kind: 'stall'; ms?: number })
  | (FaultBase & { kind: 'slowBody'; chunkDelayMs: number })
  | (FaultBase & { kind: 'huge'; bytes: number })
  /**
   * The real answer (the operation happens), its body and/or content type replaced: a delete's
   * 200 with an empty body, JSON labelled text/plain.
   */
  | (FaultBase & { kind: 'body'; body?: string; contentType?: string });

export interface BreakDetails {
  error_code?: string;
  error_message?: string;
  key_errors?: Record<string, { error_code: string; error_message: string }>;
}

export interface Simulator {
  /** Defaults: port 0, host 127.0.0.1. Resolves to the base URL. */
  listen(port?: number, host?: string): Promise<string>;
  /** Closes the server and destroys every open socket, stalled ones included. */
  close(): Promise<void>;
  readonly url: string;
  readonly demoToken: string;
  /** Clumio API requests received, oldest first; only the most recent 10,000 are kept. */
  readonly requests: RecordedRequest[];
  clearRequests(): void;
  inject(fault: Fault): void;
  clearFaults(): void;
  /** The delay added before each answer: `ms`, give or take up to `jitterMs` (default 0). */
  setLatency(ms: number, jitterMs?: number): void;
  addOrganization(token: string, opts?: { seed?: boolean }): void;
  /** Puts a wallet as given, in the global unit unless `organizationalUnit` names another. */
  putWallet(token: string, raw: Record<string, unknown>, opts?: { organizationalUnit?: string }): Record<string, unknown>;
  /** Switches strict page tokens (see SimulatorOptions.strictPageTokens) while running. */
  setStrictPageTokens(strict: boolean): void;
  installStack(walletId: string): void;
  breakWallet(walletId: string, errors?: BreakDetails): void;
}
