import { ClumioError, type UpstreamErrorCode } from '../../clumio/errors.js';
import type { Wallet } from '../../clumio/wallet.js';

/**
 * What a wallet poll publishes: the wallet as just read, or the error that ends the watch.
 * Plain JSON, so it crosses Redis between replicas unchanged.
 */
export type LiveEvent =
  | { wallet: Wallet }
  | { error: { code: UpstreamErrorCode; message: string; status?: number } };

export function errorEvent(error: ClumioError): LiveEvent {
  return {
    error: {
      code: error.code,
      message: error.message,
      ...(error.details.status !== undefined ? { status: error.details.status } : {}),
    },
  };
}

/** The event's error as the typed upstream error, so mask-error.ts shows it with its code. */
export function errorOf(event: Extract<LiveEvent, { error: unknown }>): ClumioError {
  const { code, message, status } = event.error;
  return new ClumioError(code, message, status === undefined ? {} : { status });
}
