import type { Cancellation } from '../request/deadline.js';
/** What one call to Clumio is: who asks, what, and how it can be abandoned. */

/** The caller's own credentials, forwarded to Clumio (the scheme spelled `Bearer`). */
export interface CallerCredentials {
  /** The `Authorization` header value, e.g. `Bearer eyJ...`. */
  authorization: string;
  /** `x-clumio-organizationalunit-context`, when the caller scoped the call to an OU. */
  organizationalUnit?: string;
}

export type ClumioOperation = 'getWallet' | 'listWallets' | 'createWallet' | 'deleteWallet' | 'refreshWallet';

export interface ClumioRequest {
  /** Names the call in metrics and logs; never the URL or the id. */
  operation: ClumioOperation;
  method: 'GET' | 'POST' | 'DELETE';
  /** Path and query, already encoded. */
  path: string;
  body?: unknown;
  /**
   * False when the answer's body means nothing (delete): any 2xx is success whatever it
   * carries, as in Clumio's SDKs, which never read a delete's body. Default true.
   */
  readsBody?: boolean;
  caller: CallerCredentials;
  /** Extra headers to propagate (request id, trace context). */
  headers?: Record<string, string>;
  /** Ends the call: the caller left or the operation's deadline passed. */
  cancellation?: Cancellation;
}

export interface ClumioResponse {
  status: number;
  body: unknown;
}
