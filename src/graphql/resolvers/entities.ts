import { isObjectType, type GraphQLFieldResolver, type GraphQLSchema } from 'graphql';
import { badUserInput } from '../errors.js';

interface SubgraphExtensions {
  apollo?: { subgraph?: { resolveReference?: unknown } };
}

// @apollo/subgraph keeps an entity's __resolveReference in its type's extensions.
function resolvesReferences(schema: GraphQLSchema, typename: unknown): boolean {
  const type = typeof typename === 'string' ? schema.getType(typename) : undefined;
  return isObjectType(type) && typeof (type.extensions as SubgraphExtensions).apollo?.subgraph?.resolveReference === 'function';
}

const asError = (error: unknown): Error => (error instanceof Error ? error : new Error(String(error)));
/**
 * An entity that fails is given to the executor as an Error value, not a rejected promise:
 * graphql-js completes both alike (an error at the item's path, null in its place), and
 * graphql-jit places only the former at the item's index.
 */
function asValue(entity: unknown): unknown {
  return entity instanceof Promise ? entity.catch(asError) : entity;
}

/**
 * `_entities` as @apollo/subgraph answers it, except that a representation that is not an
 * object naming an entity this subgraph resolves is BAD_USER_INPUT, not an unexpected error
 * (or a non-entity type echoed back from the caller's own JSON).
 */
export function guardEntities(schema: GraphQLSchema): void {
  const field = schema.getQueryType()?.getFields()._entities;
  if (!field?.resolve) return;
  // The resolver buildSubgraphSchema gave the field, called once the representations are checked.
  const entitiesResolver = field.resolve;
  const resolve: GraphQLFieldResolver<unknown, unknown, { representations: unknown[] }> = (_source, { representations }, context, info) => {
    representations.forEach((representation, i) => {
      const typename = (representation as { __typename?: unknown } | null)?.__typename;
      if (typeof representation !== 'object' || representation === null || Array.isArray(representation) || !resolvesReferences(schema, typename)) {
        throw badUserInput(`Representation ${i} must be an object whose __typename names an entity this subgraph resolves.`, 'representations');
      }
    });
    const entities = entitiesResolver(_source, { representations }, context, info) as unknown[];
    return entities.map(asValue);
  };
  field.resolve = resolve as GraphQLFieldResolver<unknown, unknown>;
}
