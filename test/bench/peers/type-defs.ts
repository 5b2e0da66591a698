import { readdirSync, readFileSync } from 'node:fs';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { parse, type DocumentNode, type GraphQLSchema } from 'graphql';

// The repository's schema/ folder, from test/bench/peers/ and from its compiled copy alike.
const schemaDir = new URL('../../../schema/', import.meta.url);

/** The gateway's own SDL, so every target answers the same schema. */
export function typeDefs(): DocumentNode {
  const files = readdirSync(schemaDir).filter((name) => name.endsWith('.graphql')).sort();
  return parse(files.map((name) => readFileSync(new URL(name, schemaDir), 'utf8')).join('\n'));
}

/**
 * The federation subgraph schema over the gateway's SDL with a peer's resolvers, as each peer's
 * users build one (the resolver map's type is not among @apollo/subgraph's public exports).
 */
export function subgraphSchema(resolvers: object): GraphQLSchema {
  return buildSubgraphSchema([{ typeDefs: typeDefs(), resolvers }] as Parameters<typeof buildSubgraphSchema>[0]);
}

export function listenPort(): number {
  return Number(process.env.PORT ?? 4100);
}

export function clumioBaseUrl(): string {
  const url = process.env.CLUMIO_API_BASE_URL;
  if (!url) throw new Error('CLUMIO_API_BASE_URL is required');
  return url;
}
