import { GraphQLError } from 'graphql';

/** Codes the gateway itself raises (upstream codes come from src/clumio/errors.ts). */
export type GatewayErrorCode = 'BAD_USER_INPUT' | 'UNAUTHENTICATED' | 'INTERNAL_SERVER_ERROR';

export function gatewayError(code: GatewayErrorCode, message: string, extensions: Record<string, unknown> = {}): GraphQLError {
  return new GraphQLError(message, { extensions: { ...extensions, code } });
}

export function badUserInput(message: string, argument?: string): GraphQLError {
  return gatewayError('BAD_USER_INPUT', message, argument ? { argument } : {});
}
