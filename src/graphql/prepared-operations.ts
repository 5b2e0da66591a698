import { normalizedExecutor } from '@graphql-tools/executor';
import { getOperationAST, Kind, type DefinitionNode, type DocumentNode, type ExecutionResult, type GraphQLSchema, type OperationDefinitionNode } from 'graphql';
import { createLRUCache, type Plugin, type YogaInitialContext } from 'graphql-yoga';
import { compileOperation, type CompiledOperation } from './compiled-execution.js';
import type { GatewayContext } from './context.js';
import type { OperationObserver } from './plugins/use-observed-operations.js';

/**
 * Operations whose document the gateway has already parsed and validated, run without going
 * through Yoga's and envelop's per-request machinery.
 *
 * A document is known only after Yoga's own pipeline accepted it once: its parse (with the
 * token limit), every validation rule (the schema's, the depth, alias and directive limits,
 * introspection when it is off). None of these depend on the request, so a document that passed
 * once passes again; anything not yet known, invalid, or a subscription keeps going through Yoga.
 * What the pipeline does per request is done here by the same parts: the operation observer
 * (metrics, the log line, the trace span), the context factory (caller, deadline, loaders),
 * the operation deadline's release, and Yoga's error masking. Execution follows a plan made
 * once per operation (src/graphql/compiled-execution.ts) that answers as Yoga's executor does;
 * what the plan cannot hold runs on Yoga's executor itself.
 */
export interface PreparedOperations {
  /** Records documents as Yoga validates them. */
  plugin: Plugin;
  /** The document of this query text, if Yoga validated it already (never a subscription). */
  lookup(query: unknown): KnownDocument | undefined;
  /**
   * Runs the query or mutation of a known document the parameters name, or answers undefined
   * (no such operation): the caller then hands the request to Yoga.
   */
  run(
    known: KnownDocument,
    params: PreparedParams,
    request: Request,
    serverContext: Record<string, unknown>,
  ): Promise<ExecutionResult> | ExecutionResult | undefined;
  /** How many operations ran here (for tests and diagnostics). */
  readonly count: number;
  /** How many of them ran from a compiled plan (the rest on Yoga's executor). */
  readonly compiledCount: number;
}

export interface PreparedParams {
  query?: unknown;
  variables?: unknown;
  operationName?: unknown;
  extensions?: unknown;
}

export interface PreparedOperationsDeps {
  schema: GraphQLSchema;
  /** The GraphQL context factory Yoga is given. */
  context: (initial: YogaInitialContext) => GatewayContext;
  observer: OperationObserver;
  /** Yoga's error masking, as its masked-errors plugin applies it to each error of a result. */
  maskError: (error: unknown, message: string) => Error;
  /** How many distinct documents to remember (as Yoga's own parse cache: 1,000). */
  maxDocuments?: number;
  /** False runs every operation on Yoga's executor, no plan made (default true). */
  compile?: boolean;
}

export interface KnownDocument {
  readonly document: DocumentNode;
  /** The operation chosen by each operationName asked (null: none). */
  operations: Map<string | undefined, PreparedOperation | null>;
}

interface PreparedOperation {
  ast: OperationDefinitionNode;
  /** Its execution plan, or null where Yoga's executor runs it. */
  compiled: CompiledOperation | null;
}

const unexpectedMessage = 'Unexpected error.';

export function createPreparedOperations(deps: PreparedOperationsDeps): PreparedOperations {
  const known = createLRUCache<KnownDocument>({ max: deps.maxDocuments ?? 1_000 });
  const { schema, observer, maskError } = deps;
  let count = 0;
  let compiledCount = 0;

  function operationOf(entry: KnownDocument, operationName: string | undefined): PreparedOperation | null {
    let operation = entry.operations.get(operationName);
    if (operation === undefined) {
      const ast = getOperationAST(entry.document, operationName);
      operation = ast ? { ast, compiled: compiledOrNull(entry.document, ast) } : null;
      // Bounded: a document has few operations; names asked that it lacks are not kept.
      if (operation !== null || entry.operations.size < 16) entry.operations.set(operationName, operation);
    }
    return operation;
  }

  // A plan that cannot be made leaves the operation to Yoga's executor.
  function compiledOrNull(document: DocumentNode, ast: OperationDefinitionNode): CompiledOperation | null {
    if (deps.compile === false) return null;
    try {
      return compileOperation(schema, document, ast);
    } catch {
      return null;
    }
  }

  function masked(result: ExecutionResult): ExecutionResult {
    if (result.errors == null) return result;
    return { ...result, errors: result.errors.map((error) => maskError(error, unexpectedMessage) as never) };
  }

  const plugin: Plugin = {
    onValidate({ context, params }) {
      const query = (context as { params?: PreparedParams }).params?.query;
      if (typeof query !== 'string' || known.get(query) !== undefined) return;
      const document = params.documentAST;
      // A subscription is answered as a stream: it stays with Yoga.
      if (document.definitions.some((d: DefinitionNode) => d.kind === Kind.OPERATION_DEFINITION && d.operation === 'subscription')) return;
      return ({ valid }) => {
        if (valid) known.set(query, { document, operations: new Map() });
      };
    },
  };

  function lookup(query: unknown): KnownDocument | undefined {
    return typeof query === 'string' ? known.get(query) : undefined;
  }

  function run(entry: KnownDocument, params: PreparedParams, request: Request, serverContext: Record<string, unknown>) {
    const operationName = typeof params.operationName === 'string' ? params.operationName : undefined;
    const prepared = operationOf(entry, operationName);
    if (prepared === null) return undefined;
    const { ast, compiled } = prepared;
    count++;

    // As Yoga's context: the server context with the request and its parameters.
    const initial = Object.assign(serverContext, { request, params });
    const operation = observer.start(initial, request, params.operationName);
    observer.identify(operation, ast);
    let context: GatewayContext | undefined;
    const end = (result: ExecutionResult): ExecutionResult => {
      context?.releaseDeadline();
      const answer = masked(result);
      observer.finish(operation, answer.errors);
      return answer;
    };
    const fail = (error: unknown): ExecutionResult => end({ errors: [error as never] });
    try {
      context = Object.assign(initial, deps.context(initial as unknown as YogaInitialContext)) as unknown as GatewayContext;
      const variableValues = (params.variables ?? undefined) as Record<string, unknown> | undefined;
      // Variables that do not coerce are answered by Yoga's executor, with its errors and status.
      let result = compiled?.execute({ contextValue: context, variableValues });
      if (result !== undefined) compiledCount++;
      result ??= normalizedExecutor({ schema, document: entry.document, contextValue: context, variableValues, operationName }) as
        | ExecutionResult
        | Promise<ExecutionResult>;
      return result instanceof Promise ? result.then(end, fail) : end(result);
    } catch (error) {
      return fail(error);
    }
  }

  return {
    plugin,
    lookup,
    run,
    get count() {
      return count;
    },
    get compiledCount() {
      return compiledCount;
    },
  };
}
