import { isObjectType, type GraphQLFieldResolver, type GraphQLResolveInfo, type GraphQLSchema } from 'graphql';
import { asError } from '../../promises.js';
import type { GatewayContext } from '../context.js';
import { callerOf } from '../credentials.js';
import { badUserInput } from '../errors.js';

type ResolveReference = (reference: object, context: unknown, info: GraphQLResolveInfo) => unknown;

interface SubgraphExtensions {
  apollo?: { subgraph?: { resolveReference?: ResolveReference } };
}

// @apollo/subgraph keeps an entity's __resolveReference in its type's extensions.
function referenceResolver(schema: GraphQLSchema, typename: unknown): ResolveReference | undefined {
  const type = typeof typename === 'string' ? schema.getType(typename) : undefined;
  const resolveReference = isObjectType(type) ? (type.extensions as SubgraphExtensions).apollo?.subgraph?.resolveReference : undefined;
  return typeof resolveReference === 'function' ? resolveReference : undefined;
}

const isThenable = (value: unknown): value is PromiseLike<unknown> => typeof (value as { then?: unknown } | null)?.then === 'function';

/** The entity with its `__typename`, as @apollo/subgraph gives it to the executor. */
function typed(entity: unknown, typename: string): unknown {
  if (entity === null || typeof entity !== 'object') return entity;
  if ('__typename' in entity && entity.__typename !== typename) return { ...entity, __typename: typename };
  Object.defineProperty(entity, '__typename', { value: typename });
  return entity;
}

/**
 * `_entities` as @apollo/subgraph answers it (each representation given to its type's
 * `__resolveReference`, the result typed with the representation's `__typename`), with two
 * differences:
 * - a representation that is not an object naming an entity this subgraph resolves is
 *   BAD_USER_INPUT, not an unexpected error (or a non-entity type echoed back from the
 *   caller's own JSON);
 * - an entity that fails is given to the executor as an Error value, not a rejected promise:
 *   graphql-js completes both alike (an error at the item's path, null in its place), and
 *   graphql-jit places only the former at the item's index.
 * Written here rather than wrapped around @apollo/subgraph's resolver, which makes an async
 * function per representation: one promise per entity instead of three, and an operation of
 * many representations holds them all while its calls are out.
 *
 * What every representation would fail alike fails the field once, before any is resolved: more
 * than `maxRepresentations` of them (BAD_USER_INPUT), and a caller without usable credentials
 * (UNAUTHENTICATED). An error per representation costs far more than a read of a wallet, and a
 * body of 64 KB holds some 1,700 representations.
 */
export function guardEntities(schema: GraphQLSchema, options: { maxRepresentations: number }): void {
  const field = schema.getQueryType()?.getFields()._entities;
  if (!field?.resolve) return;
  const { maxRepresentations } = options;
  const resolve: GraphQLFieldResolver<unknown, GatewayContext, { representations: unknown[] }> = (_source, { representations }, context, info) => {
    if (representations.length > maxRepresentations) {
      throw badUserInput(`At most ${maxRepresentations} representations are resolved at once (got ${representations.length}).`, 'representations');
    }
    callerOf(context.caller);
    const resolvers = representations.map((representation, i) => {
      const typename = (representation as { __typename?: unknown } | null)?.__typename;
      const resolveReference = typeof representation === 'object' && representation !== null && !Array.isArray(representation) ? referenceResolver(schema, typename) : undefined;
      if (resolveReference === undefined) {
        throw badUserInput(`Representation ${i} must be an object whose __typename names an entity this subgraph resolves.`, 'representations');
      }
      return resolveReference;
    });
    return representations.map((representation, i) => {
      const typename = (representation as { __typename: string }).__typename;
      const entity = resolvers[i]!(representation as object, context, info);
      return isThenable(entity) ? Promise.resolve(entity).then((value: unknown) => typed(value, typename), asError) : typed(entity, typename);
    });
  };
  field.resolve = resolve as GraphQLFieldResolver<unknown, unknown>;
}
