import { normalizedExecutor } from '@graphql-tools/executor';
import { BREAK, getOperationAST, GraphQLError, Kind, OperationTypeNode, visit, type DocumentNode, type ExecutionArgs, type ExecutionResult, type OperationDefinitionNode, type Source } from 'graphql';
import { compileQuery, isCompiledQuery, type CompiledQuery } from 'graphql-jit';
import type { Plugin } from 'graphql-yoga';
import { LRUCache } from 'lru-cache';

/**
 * The gateway's execution engine, behind the executor seam both doors use (the JSON door calls
 * it; Yoga's door gets it through envelop's `setExecuteFn`, as @envelop/graphql-jit does).
 * An operation runs on Yoga's own executor until it has run `compileAfter` times; then it is
 * compiled by graphql-jit into a function of its own, which does per request only what that
 * operation needs (no resolve-info, path or argument objects for fields that read a property).
 *
 * Compiling costs milliseconds and a compiled operation weighs about 200 bytes per character
 * of its document, so a caller sending ever new documents never gets one compiled, and plans
 * are kept in a cache bounded in bytes, keyed by the operation's node of the document store's
 * tree (a plan for an operation name the document lacks is never made).
 */
export interface ExecutorOptions {
  /** Runs of an operation before it is compiled; 0: never compile. */
  compileAfter: number;
  /** What compiled plans may hold, in (estimated) bytes. */
  maxBytes: number;
}

export type Execute = (args: ExecutionArgs) => ExecutionResult | Promise<ExecutionResult>;

export interface Executor extends Execute {
  /** How many operations ran compiled (for tests and diagnostics). */
  readonly compiledRuns: number;
}

// Measured with V8's heap: a compiled 4 KB document of twenty aliased reads took 824 KB. A plan
// is charged for its whole document (its fragments are compiled in, and its key keeps the
// document's tree alive: another 50 bytes per character).
const planBytesPerChar = 250;

function documentLength(document: DocumentNode): number {
  return document.loc?.source.body.length ?? 10_000;
}

// Offsets of each line's start in a document's text, to turn locations back into positions.
const lineStarts = new WeakMap<Source, number[]>();
function positionsIn(source: Source, locations: ReadonlyArray<{ line: number; column: number }>): number[] {
  let starts = lineStarts.get(source);
  if (starts === undefined) {
    starts = [0];
    for (let i = 0; i < source.body.length; i++) if (source.body.charCodeAt(i) === 10) starts.push(i + 1);
    lineStarts.set(source, starts);
  }
  return locations.map(({ line, column }) => (starts[line - 1] ?? 0) + column - 1);
}

/**
 * A compiled operation's result as graphql-js gives it: errors first, each a graphql-js error
 * with positions in the document's text (graphql-jit's carry only line and column), so that
 * masking and Yoga's serializer treat them as any other.
 */
function asGraphqlJsResult(result: ExecutionResult, document: DocumentNode): ExecutionResult {
  if (!result.errors?.length) return result;
  const source = document.loc?.source;
  const errors = result.errors.map(
    (error) =>
      new GraphQLError(error.message, {
        ...(source && error.locations ? { source, positions: positionsIn(source, error.locations) } : {}),
        ...(error.path ? { path: error.path } : {}),
        ...(error.originalError ? { originalError: error.originalError } : {}),
        ...(error.extensions ? { extensions: error.extensions } : {}),
      }),
  );
  const { data, extensions } = result;
  return { errors, ...('data' in result ? { data } : {}), ...(extensions ? { extensions } : {}) };
}

/**
 * Whether graphql-jit answers this document exactly as graphql-js does. Its results are object
 * literals, where a `__proto__` key (an alias) sets the prototype instead of a field: such
 * documents run on Yoga's executor. (It also appends a list item that is a rejected promise
 * instead of placing null at its index; no resolver of the gateway's gives one: `_entities`
 * hands a failing entity over as an Error value.) test/fast-path.test.ts holds the two
 * executors to the same answers.
 */
function compilable(document: DocumentNode): boolean {
  let ok = true;
  visit(document, {
    [Kind.FIELD](field) {
      if ((field.alias ?? field.name).value === '__proto__') {
        ok = false;
        return BREAK;
      }
      return undefined;
    },
  });
  return ok;
}

export function createExecutor(options: ExecutorOptions): Executor {
  const run = normalizedExecutor as Execute;
  let compiledRuns = 0;
  const withStats = (execute: Execute): Executor => Object.defineProperty(execute, 'compiledRuns', { get: () => compiledRuns }) as Executor;
  if (options.compileAfter === 0) return withStats((args) => run(args));
  // Weakly keyed: what is known of an operation goes with the document store's tree.
  const runs = new WeakMap<OperationDefinitionNode, number>();
  const uncompilable = new WeakSet<OperationDefinitionNode>();
  const plans = new LRUCache<OperationDefinitionNode, CompiledQuery>({ maxSize: options.maxBytes });

  function planFor(args: ExecutionArgs, operation: OperationDefinitionNode): CompiledQuery | undefined {
    const plan = plans.get(operation);
    if (plan !== undefined || uncompilable.has(operation)) return plan;
    const count = (runs.get(operation) ?? 0) + 1;
    if (count < options.compileAfter) {
      runs.set(operation, count);
      return undefined;
    }
    const size = Math.max(1, documentLength(args.document) * planBytesPerChar);
    // A plan the cache could not hold would be compiled again on every run: not made at all.
    const compiled = size <= options.maxBytes && compilable(args.document) ? compileQuery(args.schema, args.document, operation.name?.value) : null;
    if (compiled === null || !isCompiledQuery(compiled)) {
      uncompilable.add(operation);
      return undefined;
    }
    plans.set(operation, compiled, { size });
    return compiled;
  }

  return withStats((args) => {
    const operation = getOperationAST(args.document, args.operationName ?? undefined);
    // Subscriptions, and documents whose operation cannot be picked, stay with Yoga's executor.
    if (operation == null || operation.operation === OperationTypeNode.SUBSCRIPTION) return run(args);
    const plan = planFor(args, operation);
    if (!plan) return run(args);
    // A result without data is a request refused before execution (variables that do not
    // coerce): Yoga's executor words that refusal, as graphql-js does.
    const answer = (result: ExecutionResult): ExecutionResult | Promise<ExecutionResult> => {
      if (!('data' in result)) return run(args);
      compiledRuns++;
      return asGraphqlJsResult(result, args.document);
    };
    const result = plan.query(args.rootValue, args.contextValue, args.variableValues ?? {});
    return result instanceof Promise ? result.then(answer) : answer(result);
  });
}

/** The execution engine as Yoga's executor (queries and mutations; subscriptions keep Yoga's). */
export function useExecutor(execute: Execute): Plugin {
  return {
    onExecute({ setExecuteFn }) {
      setExecuteFn(execute as never);
    },
  };
}
