import { readdirSync, readFileSync } from 'node:fs';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { parse, type GraphQLSchema } from 'graphql';
import { guardEntities } from './resolvers/entities.js';
import { resolvers } from './resolvers/index.js';

// The resolver map of a schema module, from buildSubgraphSchema's public signature.
type SubgraphResolvers = Extract<Parameters<typeof buildSubgraphSchema>[0], readonly unknown[]>[number] extends infer M ? (M extends { resolvers?: infer R } ? R : never) : never;

// schema/ sits two levels above both src/graphql/ and dist/graphql/.
const schemaDir = new URL('../../schema/', import.meta.url);

/** The SDL of schema/, one file per area, in a stable order. */
export function readTypeDefs(): string {
  return readdirSync(schemaDir)
    .filter((name) => name.endsWith('.graphql'))
    .sort()
    .map((name) => readFileSync(new URL(name, schemaDir), 'utf8'))
    .join('\n');
}

export interface SchemaOptions {
  /** Representations one `_entities` field resolves at most (config: ENTITIES_MAX_REPRESENTATIONS); no bound when absent. */
  maxRepresentations?: number;
}

/** The executable Federation v2 subgraph schema. */
export function createSchema(options: SchemaOptions = {}): GraphQLSchema {
  const schema = buildSubgraphSchema([{ typeDefs: parse(readTypeDefs()), resolvers: resolvers as SubgraphResolvers }]);
  guardEntities(schema, { maxRepresentations: options.maxRepresentations ?? Number.POSITIVE_INFINITY });
  return schema;
}
