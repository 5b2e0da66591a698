// Peer (b): Apollo Server 5 with a RESTDataSource, as its documentation shows it.
import { RESTDataSource, type AugmentedRequest } from '@apollo/datasource-rest';
import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';
import type { KeyValueCache } from '@apollo/utils.keyvaluecache';
import { clumioBaseUrl, listenPort, subgraphSchema } from './type-defs.js';
import { startAfter, toConnection, toWallet, type RawWallet, type RawWalletList } from './wallet-mapping.js';

class ClumioAPI extends RESTDataSource {
  override baseURL = `${clumioBaseUrl()}/`;

  constructor(
    private readonly authorization: string | undefined,
    options: { cache: KeyValueCache },
  ) {
    super(options);
  }

  override willSendRequest(_path: string, request: AugmentedRequest) {
    if (this.authorization) request.headers['authorization'] = this.authorization;
    request.headers['accept'] = 'application/api.clumio.wallets=v1+json';
  }

  async getWallet(id: string) {
    return toWallet(await this.get<RawWallet>(`wallets/${encodeURIComponent(id)}`));
  }

  async refreshWallet(id: string) {
    return toWallet(await this.post<RawWallet>(`wallets/${encodeURIComponent(id)}/_refresh`));
  }

  async listWallets(limit: number, start: string) {
    return this.get<RawWalletList>('wallets', { params: { limit: String(limit), start } });
  }
}

interface Context {
  dataSources: { clumio: ClumioAPI };
}

const resolvers = {
  Query: {
    wallet: (_: unknown, { id }: { id: string }, { dataSources }: Context) => dataSources.clumio.getWallet(id),
    wallets: async (_: unknown, { first, after }: { first: number; after?: string }, { dataSources }: Context) => {
      const start = startAfter(after);
      return toConnection(await dataSources.clumio.listWallets(first, start), start);
    },
  },
  Mutation: {
    refreshWallet: async (_: unknown, { id }: { id: string }, { dataSources }: Context) => ({
      wallet: await dataSources.clumio.refreshWallet(id),
    }),
  },
  Wallet: {
    __resolveReference: (ref: { id: string }, { dataSources }: Context) => dataSources.clumio.getWallet(ref.id),
  },
};

const server = new ApolloServer<Context>({
  schema: subgraphSchema(resolvers),
});

const { url } = await startStandaloneServer(server, {
  listen: { port: listenPort(), host: '127.0.0.1' },
  context: ({ req }) =>
    Promise.resolve({
      dataSources: { clumio: new ClumioAPI(req.headers.authorization, { cache: server.cache }) },
    }),
});
console.log(`Apollo peer on ${url}`);
