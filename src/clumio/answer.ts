import { ExchangeFailure, type RawExchange } from './exchange.js';
import type { Cancellation } from '../request/deadline.js';
import { abortedError, ClumioError, httpStatusError, upstreamError, type Outcome } from './errors.js';
import { ClumioResponse } from './request.js';

// What one exchange with Clumio means: its answer as a response or a typed error, its transport
// failure as a typed error. No I/O here; client.ts sends, this reads.

// Connect failures before a byte was sent: safe to retry anything.
const notSentCodes = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'UND_ERR_CONNECT_TIMEOUT']);
const timeoutCodes = new Set(['UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'ETIMEDOUT']);

function errorCodeOf(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string') return code;
  const cause = (error as { cause?: unknown } | null)?.cause;
  return cause && cause !== error ? errorCodeOf(cause) : undefined;
}

/**
 * Turns a transport failure (undici, abort) into the ClumioError a caller sees. An abort is
 * told by its reason (`reason`, the error itself by default): time running out, or the caller leaving.
 */
function transportError(error: unknown, aborted: boolean, reason: unknown = error): ClumioError {
  if (error instanceof ClumioError) return error;
  const code = errorCodeOf(error);
  const outcome: Outcome = code !== undefined && notSentCodes.has(code) ? 'NOT_SENT' : 'UNKNOWN';
  if (aborted) return abortedError(reason, outcome, error);
  if (code !== undefined && timeoutCodes.has(code)) {
    return upstreamError('UPSTREAM_TIMEOUT', error, outcome);
  }
  return upstreamError('UPSTREAM_UNAVAILABLE', error, outcome);
}

function parseRetryAfter(value: string | string[] | undefined, now = Date.now()): number | undefined {
  const text = Array.isArray(value) ? value[0] : value;
  if (!text) return undefined;
  if (/^\d+$/.test(text.trim())) return Number(text.trim());
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, Math.ceil((at - now) / 1000));
}

function clumioMessageOf(body: unknown): string | undefined {
  const first = (body as { errors?: Array<{ error_message?: unknown }> } | null)?.errors?.[0];
  const message = first?.error_message;
  return typeof message === 'string' && message.length > 0 ? message.slice(0, 500) : undefined;
}

/** What Clumio's answer means: the parsed body of a 2xx, else the ClumioError its status says. */
export function answerOf(response: RawExchange, readsBody: boolean | undefined): ClumioResponse {
  const { status, text, headers } = response;
  const ok = status >= 200 && status < 300;
  if (status === 204 || (ok && readsBody === false)) return new ClumioResponse(status, null);
  let parsed: unknown;
  let parseable = text !== undefined;
  if (text !== undefined) {
    try {
      parsed = JSON.parse(text);
    } catch {
      parseable = false;
    }
  }

  if (ok) {
    if (!parseable) {
      const why = response.overCap ? 'body over the size cap' : 'body is not JSON';
      throw upstreamError('BAD_UPSTREAM_RESPONSE', new Error(why));
    }
    return new ClumioResponse(status, parsed);
  }
  const retryAfter = parseRetryAfter(headers['retry-after']);
  throw httpStatusError(status, parseable ? clumioMessageOf(parsed) : undefined, retryAfter);
}

/**
 * Any failure of an exchange as the ClumioError a caller sees: Clumio's own answer as it is, a
 * transport failure by what undici said, anything else (a body that would not serialise) by
 * whether `cancellation` had aborted.
 */
export function failureOf(error: unknown, cancellation: Cancellation | undefined): ClumioError {
  if (error instanceof ClumioError) return error;
  if (error instanceof ExchangeFailure) return transportError(error.cause, error.aborted);
  return transportError(error, cancellation?.aborted === true, cancellation?.reason);
}
