// Peer (a): Fastify + Mercurius with graphql-jit, calling Clumio through an undici Pool.
//
// Mercurius' own federation plugin (@mercuriusjs/federation) speaks Federation v1 only (no @link,
// no @shareable), so the subgraph schema is built by @apollo/subgraph as for the other peers, and
// Wallet's __resolveReference batches through a DataLoader made per request in Mercurius' context
// (Mercurius' `loaders` reach only its v1 plugin's references): 50 representations of 20 wallets
// make 20 Clumio calls, as the gateway's do.
import DataLoader from 'dataloader';
import Fastify from 'fastify';
import mercurius from 'mercurius';
import { Pool } from 'undici';
import { clumioBaseUrl, listenPort, subgraphSchema } from './type-defs.js';
import { startAfter, toConnection, toWallet, type RawWallet, type RawWalletList, type Wallet } from './wallet-mapping.js';

const clumio = new Pool(clumioBaseUrl());

async function call<T>(authorization: string, path: string, method: 'GET' | 'POST' = 'GET'): Promise<T> {
  const { statusCode, body } = await clumio.request({
    path,
    method,
    headers: { authorization, accept: 'application/api.clumio.wallets=v1+json' },
  });
  if (statusCode !== 200) {
    await body.dump();
    throw new Error(`Clumio answered ${statusCode}`);
  }
  return (await body.json()) as T;
}

const getWallet = async (authorization: string, id: string) => toWallet(await call<RawWallet>(authorization, `/wallets/${encodeURIComponent(id)}`));

interface Context {
  authorization: string;
  wallets: DataLoader<string, Wallet>;
}

const resolvers = {
  Query: {
    wallet: (_: unknown, { id }: { id: string }, { authorization }: Context) => getWallet(authorization, id),
    wallets: async (_: unknown, { first, after }: { first: number; after?: string }, { authorization }: Context) => {
      const start = startAfter(after);
      const query = new URLSearchParams({ limit: String(first), start });
      return toConnection(await call<RawWalletList>(authorization, `/wallets?${query}`), start);
    },
  },
  Mutation: {
    refreshWallet: async (_: unknown, { id }: { id: string }, { authorization }: Context) => ({
      wallet: toWallet(await call<RawWallet>(authorization, `/wallets/${encodeURIComponent(id)}/_refresh`, 'POST')),
    }),
  },
  Wallet: {
    __resolveReference: (ref: { id: string }, { wallets }: Context) => wallets.load(ref.id),
  },
};

const app = Fastify();
await app.register(mercurius, {
  schema: subgraphSchema(resolvers),
  jit: 1,
  context: (request): Context => {
    const authorization = request.headers.authorization ?? '';
    return {
      authorization,
      wallets: new DataLoader((ids: readonly string[]) => Promise.all(ids.map((id) => getWallet(authorization, id).catch((error: Error) => error)))),
    };
  },
});
await app.listen({ port: listenPort(), host: '127.0.0.1' });
console.log(`Mercurius peer on http://127.0.0.1:${listenPort()}/graphql`);
