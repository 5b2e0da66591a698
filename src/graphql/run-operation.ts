import { GraphQLError, type ExecutionResult, type GraphQLSchema } from 'graphql';
import type { YogaInitialContext } from 'graphql-yoga';
import type { GatewayContext } from './context.js';
import type { DocumentEntry } from './documents.js';
import type { Execute } from './executor.js';
import { operationResolutionError } from './documents.js';
import type { OperationObserver } from './plugins/use-observed-operations.js';

/**
 * The steps after a document is read, for the node:http door: observe, build the context
 * (caller, deadline, call budget, loaders), execute (the engine of executor.ts), release the
 * deadline, mask errors.
 * Yoga's door runs the same steps as plugins over the same modules (use-observed-operations,
 * the context factory, use-operation-deadline, its masked errors with the same mask), so both
 * answer alike; the differential test (test/fast-path.test.ts) holds them to it.
 */
export interface OperationParams {
  query?: unknown;
  variables?: unknown;
  operationName?: unknown;
  extensions?: unknown;
}

/** The operation name the parameters give (one that is not a string names none). */
export function operationNameOf(params: OperationParams): string | undefined {
  return typeof params.operationName === 'string' ? params.operationName : undefined;
}

export interface RunOperationDeps {
  schema: GraphQLSchema;
  /** The GraphQL context factory Yoga is given. */
  context: (initial: YogaInitialContext) => GatewayContext;
  observer: OperationObserver;
  /** The execution engine Yoga's door runs too (src/graphql/executor.ts). */
  execute: Execute;
  /** The error mask Yoga's masked-errors option uses. */
  maskError: (error: unknown, message: string) => Error;
}

export type RunOperation = (
  entry: DocumentEntry,
  params: OperationParams,
  request: Request,
  serverContext: Record<string, unknown>,
) => ExecutionResult | Promise<ExecutionResult>;

const unexpectedMessage = 'Unexpected error.';

export function createRunOperation(deps: RunOperationDeps): RunOperation {
  const { schema, observer, maskError, execute } = deps;

  function masked(result: ExecutionResult): ExecutionResult {
    if (result.errors == null) return result;
    return { ...result, errors: result.errors.map((error) => maskError(error, unexpectedMessage) as GraphQLError) };
  }

  return (entry, params, request, serverContext) => {
    const operationName = operationNameOf(params);
    // As Yoga's context: the server context with the request and its parameters.
    const initial = Object.assign(serverContext, { request, params });
    const operation = observer.start(initial, request, params.operationName);
    const ast = entry.operation(operationName);
    if (ast) observer.identify(operation, ast);
    // As on Yoga's door: a parsed document whose operation cannot be picked is refused for that,
    // before its validation errors. (A document refused before parsing has no operation to pick.)
    if (ast === null && (entry.valid || entry.stage === 'validation')) {
      const errors = [operationResolutionError()];
      observer.finish(operation, errors);
      return { errors };
    }
    if (!entry.valid) {
      observer.finish(operation, entry.errors);
      return { errors: entry.errors };
    }

    let context: GatewayContext | undefined;
    const end = (result: ExecutionResult): ExecutionResult => {
      context?.deadline.release();
      const answer = masked(result);
      observer.finish(operation, answer.errors);
      return answer;
    };
    const fail = (error: unknown): ExecutionResult => end({ errors: [error as GraphQLError] });
    try {
      context = Object.assign(initial, deps.context(initial as unknown as YogaInitialContext));
      const result = execute({
        schema,
        document: entry.document,
        contextValue: context,
        variableValues: (params.variables ?? undefined) as Record<string, unknown> | undefined,
        operationName,
      });
      return result instanceof Promise ? result.then(end, fail) : end(result);
    } catch (error) {
      return fail(error);
    }
  };
}
