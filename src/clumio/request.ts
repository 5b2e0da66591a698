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

// What a response holds once its body was taken (a parsed JSON body is never this).
const taken = Symbol('taken');

/**
 * Clumio's answer to one call: its status, and its parsed body, which its reader takes once.
 *
 * Taken, not kept: a call is awaited through promises made when it starts, and when Clumio takes
 * a while to answer they are in V8's old generation by the time it does. Whatever an old object
 * points at survives every young collection until the next full one, dead or not (a young
 * collection takes old objects as alive), so a body left on the response, which those promises
 * hold, was copied into the old generation with the whole parsed page. Once taken, it dies young.
 */
export class ClumioResponse {
  #body: unknown;

  constructor(
    readonly status: number,
    body: unknown,
  ) {
    this.#body = body;
  }

  /** The parsed body (null when there is none). A second take is a bug of ours, and throws. */
  takeBody(): unknown {
    const body = this.#body;
    if (body === taken) throw new Error('The body of a Clumio response was taken twice.');
    this.#body = taken;
    return body;
  }
}
