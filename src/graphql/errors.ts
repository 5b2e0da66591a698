import { GraphQLError } from 'graphql';
import { isValidWalletId, walletIdRules } from '../clumio/wallet-id.js';

/** Codes the gateway itself raises (upstream codes come from src/clumio/errors.ts). */
export type GatewayErrorCode = 'BAD_USER_INPUT' | 'UNAUTHENTICATED' | 'INTERNAL_SERVER_ERROR' | 'SUBSCRIPTION_LIMIT_EXCEEDED';

export function gatewayError(code: GatewayErrorCode, message: string, extensions: Record<string, unknown> = {}): GraphQLError {
  return new GraphQLError(message, { extensions: { ...extensions, code } });
}

export function badUserInput(message: string, argument?: string): GraphQLError {
  return gatewayError('BAD_USER_INPUT', message, argument ? { argument } : {});
}

/** Refuses, before any call, an id that is not a well-formed wallet id (ids from `_entities` representations are any JSON). */
export function checkWalletId(id: unknown): asserts id is string {
  if (typeof id !== 'string' || !isValidWalletId(id)) throw badUserInput(`Invalid wallet id: expected ${walletIdRules}.`, 'id');
}
