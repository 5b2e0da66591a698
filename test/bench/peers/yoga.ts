// Peer (c): a plain graphql-yoga server whose resolvers call Clumio with global fetch.
import { createServer } from 'node:http';
import { createYoga, type YogaInitialContext } from 'graphql-yoga';
import { clumioBaseUrl, listenPort, subgraphSchema } from './type-defs.js';
import { startAfter, toConnection, toWallet, type RawWallet, type RawWalletList } from './wallet-mapping.js';

const base = clumioBaseUrl();

async function clumio<T>(context: YogaInitialContext, path: string, method = 'GET'): Promise<T> {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: {
      authorization: context.request.headers.get('authorization') ?? '',
      accept: 'application/api.clumio.wallets=v1+json',
    },
  });
  if (!response.ok) throw new Error(`Clumio answered ${response.status}`);
  return (await response.json()) as T;
}

const resolvers = {
  Query: {
    wallet: async (_: unknown, { id }: { id: string }, context: YogaInitialContext) =>
      toWallet(await clumio<RawWallet>(context, `/wallets/${encodeURIComponent(id)}`)),
    wallets: async (_: unknown, { first, after }: { first: number; after?: string }, context: YogaInitialContext) => {
      const start = startAfter(after);
      const query = new URLSearchParams({ limit: String(first), start });
      return toConnection(await clumio<RawWalletList>(context, `/wallets?${query}`), start);
    },
  },
  Mutation: {
    refreshWallet: async (_: unknown, { id }: { id: string }, context: YogaInitialContext) => ({
      wallet: toWallet(await clumio<RawWallet>(context, `/wallets/${encodeURIComponent(id)}/_refresh`, 'POST')),
    }),
  },
  Wallet: {
    __resolveReference: async (ref: { id: string }, context: YogaInitialContext) =>
      toWallet(await clumio<RawWallet>(context, `/wallets/${encodeURIComponent(ref.id)}`)),
  },
};

const yoga = createYoga({
  schema: subgraphSchema(resolvers),
});

createServer(yoga.requestListener).listen(listenPort(), '127.0.0.1', () => {
  console.log(`Yoga peer on http://127.0.0.1:${listenPort()}/graphql`);
});
