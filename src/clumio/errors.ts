/**
 * Every way a call to Clumio can fail, one class per failure, each with a stable `code`
 * that the GraphQL layer copies into `extensions.code` (see src/graphql/mask-error.ts).
 * Messages here are safe to show a caller: no URL, no body, no token.
 */
export type UpstreamErrorCode =
  | 'BAD_USER_INPUT'
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'NOT_FOUND'
  | 'CONFLICT'
  | 'PRECONDITION_FAILED'
  | 'RATE_LIMITED'
  // A 4xx outside Clumio's published statuses (405, 406, 415, 422, ...): Clumio refused the request.
  | 'UPSTREAM_REJECTED'
  | 'UPSTREAM_ERROR'
  | 'UPSTREAM_TIMEOUT'
  | 'UPSTREAM_UNAVAILABLE'
  | 'BAD_UPSTREAM_RESPONSE'
  | 'UPSTREAM_BUDGET_EXCEEDED'
  // The caller went away before the answer: nobody sees it, but metrics, logs and traces do.
  | 'CANCELLED';

/** Whether the upstream may have acted on a request whose answer never arrived. */
export type Outcome = 'NOT_SENT' | 'UNKNOWN';

export class ClumioError extends Error {
  override readonly name: string = 'ClumioError';
  constructor(
    readonly code: UpstreamErrorCode,
    message: string,
    readonly details: {
      status?: number;
      retryAfterSeconds?: number;
      outcome?: Outcome;
      cause?: unknown;
      /** Clumio's own message of a 5xx: its internals, for the log only, never for a caller. */
      upstreamMessage?: string;
    } = {},
  ) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
  }
}

const statusCodes: Record<number, UpstreamErrorCode> = {
  400: 'BAD_USER_INPUT',
  401: 'UNAUTHENTICATED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  409: 'CONFLICT',
  412: 'PRECONDITION_FAILED',
  429: 'RATE_LIMITED',
};
// Any other 4xx is Clumio refusing the request (405, 406, 415, 422, ...), with its own message.
for (let status = 400; status < 500; status++) statusCodes[status] ??= 'UPSTREAM_REJECTED';

const statusMessages: Record<UpstreamErrorCode, string> = {
  BAD_USER_INPUT: 'Clumio rejected the request as invalid.',
  UNAUTHENTICATED: 'Clumio did not accept the bearer token (missing, invalid or expired).',
  FORBIDDEN: 'The token is not allowed to do this.',
  NOT_FOUND: 'Clumio has no such wallet for this caller.',
  CONFLICT: 'Clumio reported a conflict with the current state (for example a duplicate).',
  PRECONDITION_FAILED: 'Clumio refused: a precondition of this action does not hold.',
  RATE_LIMITED: 'Clumio is throttling this organization.',
  UPSTREAM_REJECTED: 'Clumio refused the request.',
  UPSTREAM_ERROR: 'Clumio failed to answer this request.',
  UPSTREAM_TIMEOUT: 'Clumio did not answer in time.',
  UPSTREAM_UNAVAILABLE: 'Clumio could not be reached.',
  BAD_UPSTREAM_RESPONSE: 'Clumio sent a response the gateway could not read.',
  UPSTREAM_BUDGET_EXCEEDED: 'This operation needs more calls to Clumio than one request may make.',
  CANCELLED: 'The caller closed the request before Clumio answered.',
};

/**
 * Maps a non-2xx status to its error. Clumio's own `error_message` explains a refusal (4xx) and
 * is shown; on a 5xx it speaks of Clumio's internals, so the caller gets the fixed message and
 * Clumio's is kept in `details.upstreamMessage` for the log.
 */
export function httpStatusError(
  status: number,
  clumioMessage: string | undefined,
  retryAfterSeconds: number | undefined,
): ClumioError {
  const code = statusCodes[status] ?? (status >= 500 ? 'UPSTREAM_ERROR' : 'BAD_UPSTREAM_RESPONSE');
  const internal = status >= 500;
  let message = clumioMessage && !internal ? `${statusMessages[code]} Clumio says: ${clumioMessage}` : statusMessages[code];
  if (code === 'RATE_LIMITED' && retryAfterSeconds !== undefined) {
    message += ` Retry after ${retryAfterSeconds} seconds.`;
  }
  return new ClumioError(code, message, {
    status,
    ...(retryAfterSeconds !== undefined ? { retryAfterSeconds } : {}),
    ...(clumioMessage && internal ? { upstreamMessage: clumioMessage } : {}),
  });
}

/**
 * The error of work the operation's cancellation stopped: its deadline passing (a TimeoutError
 * reason, see timedOut in deadline.ts) is UPSTREAM_TIMEOUT; any other reason is the caller
 * leaving, CANCELLED.
 */
export function abortedError(reason: unknown, outcome: Outcome, cause: unknown = reason): ClumioError {
  const timedOut = reason instanceof Error && reason.name === 'TimeoutError';
  return upstreamError(timedOut ? 'UPSTREAM_TIMEOUT' : 'CANCELLED', cause, outcome);
}

export function upstreamError(code: UpstreamErrorCode, cause?: unknown, outcome?: Outcome): ClumioError {
  let message = statusMessages[code];
  if (outcome === 'UNKNOWN') {
    message += ' The request may or may not have taken effect: check before trying again.';
  }
  return new ClumioError(code, message, { cause, ...(outcome ? { outcome } : {}) });
}
