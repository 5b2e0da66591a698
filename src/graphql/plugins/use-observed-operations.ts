import { getOperationAST, type DocumentNode, type ExecutionResult, type GraphQLError, type OperationDefinitionNode } from 'graphql';
import { isAsyncIterable, mapAsyncIterator, type Plugin } from 'graphql-yoga';
import { errorCodesOf, type ObservedOperation, type OperationListener } from '../../observability/operation.js';
import { requestIdOf } from '../../request/request-id.js';

// The operation rides on its GraphQL context (one per operation, created per request).
const operationKey = Symbol('observedOperation');

interface Tracked extends ObservedOperation {
  ended: boolean;
}

/** The operation observed on this GraphQL context, if any (e.g. to find its trace span). */
export function observedOperationOf(context: object): ObservedOperation | undefined {
  return (context as { [operationKey]?: Tracked })[operationKey];
}

/** Starts, identifies and ends observed operations; shared by the plugin below and the prepared path. */
export interface OperationObserver {
  /** Starts observing an operation and keeps it on the context the request's execution gets. */
  start: (context: object, request: Request, operationName: unknown) => ObservedOperation;
  /** Records the operation's type and name from the document once it is parsed. */
  identify(operation: ObservedOperation, ast: Pick<OperationDefinitionNode, 'operation' | 'name'>): void;
  /** Ends the operation (once) with the errors its caller saw. */
  finish: (operation: ObservedOperation, errors: readonly GraphQLError[] | undefined) => void;
}

/**
 * Follows each GraphQL operation from its parameters to its result and tells the listeners
 * (metrics, the operation log, traces) when it starts and how it ended: its name and type, its
 * duration and the codes of the errors its caller saw (after masking).
 */
export function createOperationObserver(listeners: ReadonlyArray<OperationListener>): OperationObserver {
  const starters = listeners.filter((l) => l.started !== undefined);
  return {
    start(context, request, operationName) {
      const operation: Tracked = {
        request,
        requestId: requestIdOf(request),
        name: typeof operationName === 'string' && operationName !== '' ? operationName : undefined,
        type: undefined,
        startedAt: performance.now(),
        ended: false,
      };
      (context as { [operationKey]?: Tracked })[operationKey] = operation;
      for (const listener of starters) listener.started!(operation);
      return operation;
    },
    identify(operation, ast) {
      operation.type = ast.operation;
      operation.name = ast.name?.value;
    },
    finish(operation, errors) {
      const tracked = operation as Tracked;
      if (tracked.ended) return;
      tracked.ended = true;
      const outcome = { durationMs: performance.now() - tracked.startedAt, codes: errorCodesOf(errors), errors: errors ?? [] };
      for (const listener of listeners) listener.finished(tracked, outcome);
    },
  };
}

/**
 * The observer as Yoga hooks: a streamed result ends when the stream does; a request refused
 * before it had parameters (an unreadable body, a missing query) counts as an anonymous
 * operation too.
 */
export function useObservedOperations(observer: OperationObserver): Plugin {
  const { start, finish } = observer;

  function identify(context: object, document: DocumentNode, operationName: unknown): void {
    const operation = observedOperationOf(context);
    const ast = operation && getOperationAST(document, typeof operationName === 'string' ? operationName : undefined);
    if (operation && ast) observer.identify(operation, ast);
  }

  return {
    onParams({ context, request, params }) {
      start(context, request, params.operationName);
    },
    // Validation sees every parsed document, also those it then refuses.
    onValidate({ context, params }) {
      identify(context, params.documentAST as DocumentNode, (context as { params?: { operationName?: unknown } }).params?.operationName);
    },
    onExecutionResult(event) {
      const { context, result } = event;
      const operation = (context as { [operationKey]?: Tracked })[operationKey];
      if (!operation) return;
      if (!isAsyncIterable(result)) {
        finish(operation, (result as ExecutionResult).errors);
        return;
      }
      const seen: GraphQLError[] = [];
      event.setResult(
        mapAsyncIterator(
          result,
          (payload: ExecutionResult) => {
            if (payload.errors) seen.push(...payload.errors);
            return payload;
          },
          (error: unknown) => {
            finish(operation, seen);
            throw error;
          },
          () => finish(operation, seen),
        ),
      );
    },
    // Ends what the hooks above did not: a request refused before it had parameters, or one whose
    // parameters hook threw. A no-op for an operation that already ended.
    onResultProcess({ request, result, serverContext }) {
      if (Array.isArray(result) || isAsyncIterable(result)) return;
      const operation = observedOperationOf(serverContext) ?? start(serverContext, request, undefined);
      finish(operation, (result as ExecutionResult).errors);
    },
  };
}
