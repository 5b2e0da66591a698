import { buildResolveInfo, defaultFieldResolver, defaultTypeResolver, getFieldDef, getVariableValues, type ExecutionContext } from '@graphql-tools/executor';
import {
  addPath,
  collectFields,
  collectSubFields,
  createGraphQLError,
  getArgumentValues,
  getDefinedRootType,
  inspect,
  isAsyncIterable,
  isIterableObject,
  isPromise,
  locatedError,
  pathToArray,
  type Path,
} from '@graphql-tools/utils';
import {
  GraphQLError,
  isAbstractType,
  isLeafType,
  isListType,
  isNonNullType,
  isObjectType,
  Kind,
  SchemaMetaFieldDef,
  TypeMetaFieldDef,
  TypeNameMetaFieldDef,
  visit,
  BREAK,
  type DocumentNode,
  type ExecutionResult,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLAbstractType,
  type GraphQLField,
  type GraphQLLeafType,
  type GraphQLList,
  type GraphQLObjectType,
  type GraphQLOutputType,
  type GraphQLResolveInfo,
  type GraphQLSchema,
  type OperationDefinitionNode,
} from 'graphql';

/**
 * Known documents executed from a plan made once per document, instead of collecting each
 * object's fields, looking up each field's definition and building a resolve-info object, an
 * arguments object and a path for every field of every request.
 *
 * It answers exactly as Yoga's executor (`@graphql-tools/executor`) does: the same resolvers
 * called with the same arguments, the same completion rules (non-null propagation, lists,
 * leaf serialization, abstract types, isTypeOf), the same error messages, paths and locations,
 * and the same order of fields. Only what the plan can hold is compiled: an operation whose
 * fields depend on variables (`@skip`/`@include` with a variable), that uses `@defer`/`@stream`,
 * or that introspects the schema keeps the reference executor, and so does a request whose
 * variables do not coerce (the executor's own errors, with its HTTP status, answer it).
 *
 * What is cheaper here: a field with no resolver of its own and no info to give (a leaf, a list
 * of leaves, an object without isTypeOf) is read and completed with no info object, no
 * arguments object and, for leaves, no path unless it fails. Fields with resolvers get exactly
 * what the executor gives them: the info its own buildResolveInfo makes, its argument coercion.
 */
export interface CompiledOperation {
  /** Runs the operation, or answers undefined when its variables do not coerce. */
  execute(args: CompiledExecutionArgs): ExecutionResult | Promise<ExecutionResult> | undefined;
}

export interface CompiledExecutionArgs {
  contextValue: unknown;
  variableValues?: Record<string, unknown> | null;
  rootValue?: unknown;
}

/**
 * One execution: what the executor's execution context holds that the plan cannot, in its shape,
 * so that the executor's own buildResolveInfo makes the info a resolver gets.
 */
interface Run {
  schema: GraphQLSchema;
  fragments: Record<string, FragmentDefinitionNode>;
  operation: OperationDefinitionNode;
  rootValue: unknown;
  contextValue: unknown;
  variableValues: { coerced: Record<string, unknown>; sources: Record<string, unknown> };
  signal: undefined;
  errors: GraphQLError[];
}

type Complete = (run: Run, field: FieldPlan, info: GraphQLResolveInfo | undefined, path: Path | undefined, value: unknown) => unknown;

interface FieldPlan {
  responseName: string;
  fieldName: string;
  fieldNodes: FieldNode[];
  fieldDef: GraphQLField<unknown, unknown>;
  parentType: GraphQLObjectType;
  returnType: GraphQLOutputType;
  /** `__typename`: its value is the parent type's name. */
  typename: boolean;
  /** Completion asks for the resolve info (an abstract type, or an object type with isTypeOf). */
  needsInfo: boolean;
  /** A leaf, possibly non-null: completion needs no path. */
  leaf: boolean;
  /** The field takes no arguments: without a resolver of its own, none need computing. */
  noArgs: boolean;
  complete: Complete;
}

interface ObjectPlan {
  fields: FieldPlan[];
  /**
   * Whether results may be plain objects: the executor's have no prototype, which V8 keeps as
   * slow dictionaries, larger and slower to fill; a plain object serializes alike unless a
   * response name is `__proto__` (a legal alias).
   */
  plain: boolean;
}

// As the executor: an error carrying this extension is never caught by a nullable field.
const CRITICAL_ERROR = 'CRITICAL_ERROR';

/**
 * The plan of one operation of a validated document, or null when it needs the reference
 * executor (see above).
 */
export function compileOperation(schema: GraphQLSchema, document: DocumentNode, operation: OperationDefinitionNode): CompiledOperation | null {
  if (operation.operation === 'subscription' || !compilable(document)) return null;
  const fragments: Record<string, FragmentDefinitionNode> = Object.create(null);
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments[definition.name.value] = definition;
  }
  const rootType = getDefinedRootType(schema, operation.operation, [operation]);
  // No directive reads a variable here, so the fields collected do not depend on any.
  const noVariables = { coerced: {}, sources: {} };

  function objectPlan(type: GraphQLObjectType, fields: Map<string, FieldNode[]>): ObjectPlan {
    const plans: FieldPlan[] = [];
    for (const [responseName, fieldNodes] of fields) {
      const fieldName = fieldNodes[0]!.name.value;
      const fieldDef = getFieldDef(schema, type, fieldNodes[0]!);
      // Validated: every field exists (the executor skips one that does not).
      if (fieldDef == null) continue;
      const named = namedOf(fieldDef.type);
      plans.push({
        responseName,
        fieldName,
        fieldNodes,
        fieldDef,
        parentType: type,
        returnType: fieldDef.type,
        typename: fieldDef === TypeNameMetaFieldDef,
        needsInfo: isAbstractType(named) || (isObjectType(named) && named.isTypeOf != null),
        leaf: isLeafType(isNonNullType(fieldDef.type) ? fieldDef.type.ofType : fieldDef.type),
        noArgs: fieldDef.args.length === 0,
        complete: completerOf(fieldDef.type, fieldNodes),
      });
    }
    return { fields: plans, plain: !plans.some((plan) => plan.responseName === '__proto__') };
  }

  function subPlan(type: GraphQLObjectType, fieldNodes: FieldNode[]): ObjectPlan {
    return objectPlan(type, collectSubFields(schema, fragments, noVariables, type, fieldNodes).fields);
  }

  function completerOf(type: GraphQLOutputType, fieldNodes: FieldNode[]): Complete {
    if (isNonNullType(type)) {
      const inner = completerOf(type.ofType, fieldNodes);
      return (run, field, info, path, value) => {
        if (value instanceof Error) throw value;
        const completed = inner(run, field, info, path, value);
        if (completed === null) throw new Error(`Cannot return null for non-nullable field ${field.parentType.name}.${field.fieldName}.`);
        return completed;
      };
    }
    const complete = nullableCompleterOf(type, fieldNodes);
    return (run, field, info, path, value) => {
      if (value instanceof Error) throw value;
      if (value == null) return null;
      return complete(run, field, info, path, value);
    };
  }

  function nullableCompleterOf(type: GraphQLOutputType, fieldNodes: FieldNode[]): Complete {
    if (isListType(type)) return listCompleter(type as GraphQLList<GraphQLOutputType>, fieldNodes);
    if (isLeafType(type)) return (_run, _field, _info, _path, value) => serialize(type, value);
    if (isAbstractType(type)) return abstractCompleter(type, fieldNodes);
    if (isObjectType(type)) {
      const plan = subPlan(type, fieldNodes);
      return (run, _field, info, path, value) => completeObject(run, type, plan, fieldNodes, info, path, value);
    }
    /* c8 ignore next */
    throw new Error(`Cannot complete value of unexpected output type: ${inspect(type)}`);
  }

  function listCompleter(type: GraphQLList<GraphQLOutputType>, fieldNodes: FieldNode[]): Complete {
    const itemType = type.ofType;
    const completeItem = completerOf(itemType, fieldNodes);
    // The executor's order: each item completed, its error caught into that item.
    function pushItem(run: Run, field: FieldPlan, info: GraphQLResolveInfo | undefined, itemPath: Path, item: unknown, results: unknown[]): boolean {
      try {
        const completed = isPromise(item)
          ? item.then((resolved) => completeItem(run, field, info, itemPath, resolved))
          : completeItem(run, field, info, itemPath, item);
        if (isPromise(completed)) {
          results.push(completed.then(undefined, (raw: unknown) => handleFieldError(run, locate(raw, fieldNodes, itemPath), itemType)));
          return true;
        }
        results.push(completed);
      } catch (raw) {
        results.push(handleFieldError(run, locate(raw, fieldNodes, itemPath), itemType));
      }
      return false;
    }
    return (run, field, info, path, value) => {
      if (isAsyncIterable(value)) return completeAsyncList(run, field, info, path, value as AsyncIterable<unknown>);
      if (!isIterableObject(value)) {
        throw createGraphQLError(`Expected Iterable, but did not find one for field "${field.parentType.name}.${field.fieldName}".`);
      }
      const results: unknown[] = [];
      let containsPromise = false;
      let index = 0;
      for (const item of value as Iterable<unknown>) {
        if (pushItem(run, field, info, addPath(path, index, undefined), item, results)) containsPromise = true;
        index++;
      }
      return containsPromise ? Promise.all(results) : results;
    };
    async function completeAsyncList(run: Run, field: FieldPlan, info: GraphQLResolveInfo | undefined, path: Path | undefined, iterable: AsyncIterable<unknown>) {
      const iterator = iterable[Symbol.asyncIterator]();
      const results: unknown[] = [];
      let containsPromise = false;
      for (let index = 0; ; index++) {
        const itemPath = addPath(path, index, undefined);
        let iteration: IteratorResult<unknown>;
        try {
          iteration = await iterator.next();
          if (iteration.done) break;
        } catch (raw) {
          results.push(handleFieldError(run, locate(raw, fieldNodes, itemPath), itemType));
          break;
        }
        if (pushItem(run, field, info, itemPath, iteration.value, results)) containsPromise = true;
      }
      return containsPromise ? Promise.all(results) : results;
    }
  }

  function abstractCompleter(type: GraphQLAbstractType, fieldNodes: FieldNode[]): Complete {
    // The plan of each runtime type met, made on first use (from the same validated nodes).
    const plans = new Map<GraphQLObjectType, ObjectPlan>();
    const planOf = (runtimeType: GraphQLObjectType) => {
      let plan = plans.get(runtimeType);
      if (plan === undefined) plans.set(runtimeType, (plan = subPlan(runtimeType, fieldNodes)));
      return plan;
    };
    return (run, field, info, path, value) => {
      const resolveType = type.resolveType ?? defaultTypeResolver;
      const resolved = resolveType(value, run.contextValue, info!, type);
      const finish = (name: unknown) => {
        const runtimeType = ensureRuntimeType(name, type, field, fieldNodes, value);
        return completeObject(run, runtimeType, planOf(runtimeType), fieldNodes, info, path, value);
      };
      return isPromise(resolved) ? resolved.then(finish) : finish(resolved);
    };
  }

  function ensureRuntimeType(name: unknown, type: GraphQLAbstractType, field: FieldPlan, fieldNodes: FieldNode[], value: unknown): GraphQLObjectType {
    const on = `field "${field.parentType.name}.${field.fieldName}"`;
    if (name == null) {
      throw createGraphQLError(
        `Abstract type "${type.name}" must resolve to an Object type at runtime for ${on}. Either the "${type.name}" type should provide a "resolveType" function or each possible type should provide an "isTypeOf" function.`,
        { nodes: fieldNodes },
      );
    }
    if (isObjectType(name)) {
      throw createGraphQLError('Support for returning GraphQLObjectType from resolveType was removed in graphql-js@16.0.0 please return type name instead.');
    }
    if (typeof name !== 'string') {
      throw createGraphQLError(`Abstract type "${type.name}" must resolve to an Object type at runtime for ${on} with value ${inspect(value)}, received "${inspect(name)}".`);
    }
    const runtimeType = schema.getType(name);
    if (runtimeType == null) {
      throw createGraphQLError(`Abstract type "${type.name}" was resolved to a type "${name}" that does not exist inside the schema.`, { nodes: fieldNodes });
    }
    if (!isObjectType(runtimeType)) {
      throw createGraphQLError(`Abstract type "${type.name}" was resolved to a non-object type "${name}".`, { nodes: fieldNodes });
    }
    if (!schema.isSubType(type, runtimeType)) {
      throw createGraphQLError(`Runtime Object type "${runtimeType.name}" is not a possible type for "${type.name}".`, { nodes: fieldNodes });
    }
    return runtimeType;
  }

  const rootPlan = objectPlan(rootType, collectFields(schema, fragments, noVariables, rootType, operation.selectionSet).fields);
  const serial = operation.operation === 'mutation';
  const variableDefinitions = operation.variableDefinitions ?? [];

  return {
    execute({ contextValue, variableValues, rootValue }) {
      const coerced = getVariableValues(schema, variableDefinitions, variableValues ?? {}, { maxErrors: 50 }) as {
        errors?: readonly GraphQLError[];
        variableValues?: { coerced: Record<string, unknown>; sources: Record<string, unknown> };
      };
      if (coerced.errors !== undefined || coerced.variableValues === undefined) return undefined;
      const run: Run = { schema, fragments, operation, rootValue, contextValue, variableValues: coerced.variableValues, signal: undefined, errors: [] };
      const failed = (error: unknown): ExecutionResult => {
        const nested = (error as { errors?: GraphQLError[] }).errors;
        if (nested) run.errors.push(...nested);
        else run.errors.push(error as GraphQLError);
        return { errors: run.errors, data: null };
      };
      const respond = (data: unknown): ExecutionResult =>
        run.errors.length === 0 ? { data: data as Record<string, unknown> } : { errors: run.errors, data: data as Record<string, unknown> };
      let data: unknown;
      try {
        data = serial ? executeSerially(run, rootPlan, rootValue) : executeFields(run, rootPlan, rootValue, undefined);
      } catch (error) {
        return failed(error);
      }
      return isPromise(data) ? data.then(respond, failed) : respond(data);
    },
  };
}

/** Whether a document's plan can be made once for every request (see compileOperation). */
function compilable(document: DocumentNode): boolean {
  let ok = true;
  visit(document, {
    Directive(node) {
      const name = node.name.value;
      if (name === 'defer' || name === 'stream' || node.arguments?.some((argument) => argumentReadsVariable(argument.value))) {
        ok = false;
        return BREAK;
      }
      return undefined;
    },
    Field(node) {
      const name = node.name.value;
      if (name === SchemaMetaFieldDef.name || name === TypeMetaFieldDef.name) {
        ok = false;
        return BREAK;
      }
      return undefined;
    },
  });
  return ok;
}

function argumentReadsVariable(value: import('graphql').ValueNode): boolean {
  let reads = false;
  visit(value, {
    Variable() {
      reads = true;
      return BREAK;
    },
  });
  return reads;
}

function namedOf(type: GraphQLOutputType): GraphQLOutputType {
  let named = type;
  while (isNonNullType(named) || isListType(named)) named = named.ofType as GraphQLOutputType;
  return named;
}

function resultsOf(plan: ObjectPlan): Record<string, unknown> {
  return plan.plain ? {} : Object.create(null);
}

function executeFields(run: Run, plan: ObjectPlan, source: unknown, path: Path | undefined): unknown {
  const results = resultsOf(plan);
  let containsPromise = false;
  try {
    for (const field of plan.fields) {
      const result = executeField(run, field, source, path);
      if (result !== undefined) {
        results[field.responseName] = result;
        if (isPromise(result)) containsPromise = true;
      }
    }
  } catch (error) {
    // As the executor: the other fields' promises are settled before the error goes up.
    if (containsPromise) {
      return promiseForObject(plan, results).then(
        () => {
          throw error;
        },
        () => {
          throw error;
        },
      );
    }
    throw error;
  }
  return containsPromise ? promiseForObject(plan, results) : results;
}

function executeSerially(run: Run, plan: ObjectPlan, source: unknown): unknown {
  const results = resultsOf(plan);
  let index = 0;
  const next = (): unknown => {
    while (index < plan.fields.length) {
      const field = plan.fields[index++]!;
      const result = executeField(run, field, source, undefined);
      if (isPromise(result)) {
        return result.then((value) => {
          if (value !== undefined) results[field.responseName] = value;
          return next();
        });
      }
      if (result !== undefined) results[field.responseName] = result;
    }
    return results;
  };
  return next();
}

function fieldPath(parentPath: Path | undefined, field: FieldPlan): Path {
  return addPath(parentPath, field.responseName, field.parentType.name);
}

function executeField(run: Run, field: FieldPlan, source: unknown, parentPath: Path | undefined): unknown {
  if (field.typename) return field.parentType.name;
  if (field.fieldDef.resolve === undefined && field.noArgs && !field.needsInfo && (typeof source === 'object' || typeof source === 'function') && source !== null) {
    // The default resolver's read, without the info and arguments it would only pass on.
    const value = (source as Record<string, unknown>)[field.fieldName];
    if (typeof value !== 'function' && !isPromise(value)) {
      // A leaf's path is made only if it fails.
      const path = field.leaf ? undefined : fieldPath(parentPath, field);
      try {
        const completed = field.complete(run, field, undefined, path, value);
        // Only objects and lists complete asynchronously, and they have their path.
        return isPromise(completed) ? completed.then(undefined, (raw: unknown) => fieldError(run, raw, field, path!)) : completed;
      } catch (raw) {
        return fieldError(run, raw, field, path ?? fieldPath(parentPath, field));
      }
    }
  }
  return executeResolvedField(run, field, source, fieldPath(parentPath, field));
}

// A field as the executor runs it: info, arguments, its resolver (or the default one).
function executeResolvedField(run: Run, field: FieldPlan, source: unknown, path: Path): unknown {
  const info = buildResolveInfo(run as unknown as ExecutionContext, field.fieldDef, field.fieldNodes, field.parentType, path);
  try {
    const args = getArgumentValues(field.fieldDef, field.fieldNodes[0]!, run.variableValues.coerced, run.variableValues.sources as never);
    const resolve = field.fieldDef.resolve ?? defaultFieldResolver;
    const result = resolve(source, args, run.contextValue, info);
    const completed = isPromise(result)
      ? result.then((resolved) => field.complete(run, field, info, path, resolved))
      : field.complete(run, field, info, path, result);
    if (isPromise(completed)) return completed.then(undefined, (raw: unknown) => fieldError(run, raw, field, path));
    return completed;
  } catch (raw) {
    return fieldError(run, raw, field, path);
  }
}

function fieldError(run: Run, raw: unknown, field: FieldPlan, path: Path): unknown {
  if (raw instanceof AggregateError) {
    let result: unknown;
    for (const item of raw.errors) result = handleFieldError(run, locate(item, field.fieldNodes, path), field.returnType);
    return result;
  }
  return handleFieldError(run, locate(raw, field.fieldNodes, path), field.returnType);
}

function locate(raw: unknown, fieldNodes: FieldNode[], path: Path): GraphQLError {
  return locatedError(coerceError(raw), fieldNodes, pathToArray(path));
}

function handleFieldError(run: Run, error: GraphQLError, returnType: GraphQLOutputType): null {
  if (isNonNullType(returnType) || error.extensions?.[CRITICAL_ERROR]) throw error;
  run.errors.push(error);
  return null;
}

function serialize(type: GraphQLLeafType, value: unknown): unknown {
  let serialized: unknown;
  try {
    serialized = type.serialize(value);
  } catch (error) {
    // As the executor: a GraphQLError from a scalar becomes a plain error at the field.
    if (error instanceof GraphQLError) throw new Error(error.message);
    throw error;
  }
  if (serialized == null) {
    throw new Error(`Expected \`${inspect(type)}.serialize(${inspect(value)})\` to return non-nullable value, returned: ${inspect(serialized)}`);
  }
  return serialized;
}

function completeObject(
  run: Run,
  type: GraphQLObjectType,
  plan: ObjectPlan,
  fieldNodes: FieldNode[],
  info: GraphQLResolveInfo | undefined,
  path: Path | undefined,
  value: unknown,
): unknown {
  if (type.isTypeOf) {
    const isTypeOf = type.isTypeOf(value, run.contextValue, info!);
    if (isPromise(isTypeOf)) {
      return isTypeOf.then((matches) => {
        if (!matches) throw invalidReturnType(type, value, fieldNodes);
        return executeFields(run, plan, value, path);
      });
    }
    if (!isTypeOf) throw invalidReturnType(type, value, fieldNodes);
  }
  return executeFields(run, plan, value, path);
}

function invalidReturnType(type: GraphQLObjectType, value: unknown, fieldNodes: FieldNode[]): GraphQLError {
  return createGraphQLError(`Expected value of type "${type.name}" but got: ${inspect(value)}.`, { nodes: fieldNodes });
}

// The executor's coerceError: whatever was thrown, as an Error.
function coerceError(error: unknown): Error {
  if (error instanceof Error) return error;
  if (typeof error === 'object' && error !== null && 'message' in error && typeof error.message === 'string') {
    const coerced = new Error(error.message, 'cause' in error ? { cause: error.cause } : undefined);
    if ('stack' in error && typeof error.stack === 'string') coerced.stack = error.stack;
    if ('name' in error && typeof error.name === 'string') coerced.name = error.name;
    return coerced;
  }
  return new Error(String(error));
}

// An object whose values may be promises, once they have all settled (values in key order).
function promiseForObject(plan: ObjectPlan, object: Record<string, unknown>): Promise<Record<string, unknown>> {
  const resolved = resultsOf(plan);
  const promises: Promise<unknown>[] = [];
  for (const key in object) {
    const value = object[key];
    if (isPromise(value)) {
      resolved[key] = undefined;
      promises.push(
        value.then((settled) => {
          resolved[key] = settled;
        }),
      );
    } else {
      resolved[key] = value;
    }
  }
  return (promises.length === 1 ? promises[0]! : Promise.all(promises)).then(() => resolved);
}
