import { createServer } from 'node:http';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { parse } from 'graphql';
import { createYoga } from 'graphql-yoga';
import { closeServer, listen } from './gateway.js';

export interface AccountRecord {
  id: string;
  name: string;
  walletIds: string[];
}

export interface ReceivedRequest {
  authorization: string | null;
  query: string;
  variables: Record<string, unknown> | undefined;
}

export interface AccountsSubgraph {
  /** http://127.0.0.1:port/graphql */
  url: string;
  /** The SDL it contributes to the supergraph. */
  typeDefs: string;
  /** GraphQL requests it received, oldest first. */
  readonly requests: ReceivedRequest[];
  close(): Promise<void>;
}

/**
 * A second subgraph of the supergraph: an accounts service that owns AwsAccount and knows its
 * wallets by id only, as a team next to the wallet gateway would write it.
 */
export const accountsTypeDefs = /* GraphQL */ `
  extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])

  type Query {
    "Every AWS account known to the accounts service."
    awsAccounts: [AwsAccount!]!
    "One AWS account by its 12-digit id."
    awsAccount(id: ID!): AwsAccount
  }

  "An AWS account as the accounts service knows it."
  type AwsAccount @key(fields: "id") {
    id: ID!
    name: String!
    "The account's wallets, by id: the wallet gateway resolves the rest."
    wallets: [Wallet!]!
  }

  type Wallet @key(fields: "id", resolvable: false) {
    id: ID!
  }
`;

export async function startAccountsSubgraph(accounts: AccountRecord[]): Promise<AccountsSubgraph> {
  const byId = new Map(accounts.map((account) => [account.id, account]));
  const requests: ReceivedRequest[] = [];
  const schema = buildSubgraphSchema([
    {
      typeDefs: parse(accountsTypeDefs),
      resolvers: {
        Query: {
          awsAccounts: () => accounts,
          awsAccount: (_: unknown, { id }: { id: string }) => byId.get(id) ?? null,
        },
        AwsAccount: {
          __resolveReference: ({ id }: { id: string }) => byId.get(id) ?? null,
          wallets: (account: AccountRecord) => account.walletIds.map((id) => ({ id })),
        },
      },
    },
  ]);
  const yoga = createYoga({
    schema,
    logging: false,
    plugins: [
      {
        onParams({ params, request }) {
          requests.push({ authorization: request.headers.get('authorization'), query: params.query ?? '', variables: params.variables });
        },
      },
    ],
  });
  const server = createServer(yoga.requestListener);
  const url = `${await listen(server)}/graphql`;
  return {
    url,
    typeDefs: accountsTypeDefs,
    requests,
    close: () => closeServer(server),
  };
}
