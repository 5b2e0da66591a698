import type { Span } from '@opentelemetry/api';
import type { GraphQLError } from 'graphql';

export type OperationType = 'query' | 'mutation' | 'subscription';

/** One GraphQL operation as it goes through the gateway, from its parameters to its result. */
export interface ObservedOperation {
  readonly request: Request;
  readonly requestId: string;
  /** The operation's name once known (from the document, else the request's `operationName`). */
  name: string | undefined;
  /** Known once the document is parsed; undefined when it could not be (or has no such operation). */
  type: OperationType | undefined;
  /** performance.now() when its parameters were read. */
  readonly startedAt: number;
  /** The operation's trace span, when tracing is on. */
  span?: Span;
}

export interface OperationOutcome {
  durationMs: number;
  /** Distinct `extensions.code` values of the errors, in order; empty when the operation succeeded. */
  codes: readonly string[];
  /** The errors as callers saw them (masked). */
  errors: readonly GraphQLError[];
}

/** What metrics, logs and traces each do with operations; `started` runs before execution. */
export interface OperationListener {
  started?(operation: ObservedOperation): void;
  finished(operation: ObservedOperation, outcome: OperationOutcome): void;
}

const none: readonly string[] = [];

/** Code for an error that carries none (some library errors don't). */
export const uncodedError = 'UNCODED_ERROR';

export function errorCodesOf(errors: readonly GraphQLError[] | undefined): readonly string[] {
  if (!errors || errors.length === 0) return none;
  const codes: string[] = [];
  for (const error of errors) {
    const code = error.extensions?.code;
    const text = typeof code === 'string' && code !== '' ? code : uncodedError;
    if (!codes.includes(text)) codes.push(text);
  }
  return codes;
}
