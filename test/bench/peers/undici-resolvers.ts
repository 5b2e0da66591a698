// The resolvers of the Mercurius peer and of the floor: Clumio called through an undici Pool with
// `request()` and `body.json()`, the peers' mapping, and Wallet's __resolveReference batched through
// a DataLoader made per request, so that 50 representations of 20 wallets make 20 Clumio calls.
import DataLoader from 'dataloader';
import { Pool } from 'undici';
import { clumioBaseUrl } from './type-defs.js';
import { startAfter, toConnection, toWallet, type RawWallet, type RawWalletList, type Wallet } from './wallet-mapping.js';

// Unbounded, as their users write them. The bench also runs Mercurius once with the gateway's
// production bounds on one caller's Clumio calls (PEER_MAX_CONNECTIONS: calls in flight, as the
// gateway's 32 per caller; PEER_CONCURRENCY_PER_OPERATION: one operation's, as its 8), to tell
// what those bounds cost from what the gateway costs.
const maxConnections = Number(process.env.PEER_MAX_CONNECTIONS) || undefined;
const perOperation = Number(process.env.PEER_CONCURRENCY_PER_OPERATION) || Infinity;
const clumio = new Pool(clumioBaseUrl(), maxConnections === undefined ? {} : { connections: maxConnections });

/** Runs the tasks at most `perOperation` at a time, their results in order. */
async function bounded<T>(tasks: Array<() => Promise<T>>): Promise<T[]> {
  if (tasks.length <= perOperation) return Promise.all(tasks.map((task) => task()));
  const results = new Array<T>(tasks.length);
  let next = 0;
  const worker = async () => {
    while (next < tasks.length) {
      const i = next++;
      results[i] = await tasks[i]!();
    }
  };
  await Promise.all(Array.from({ length: perOperation }, worker));
  return results;
}

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

export interface Context {
  authorization: string;
  wallets: DataLoader<string, Wallet>;
}

/** A request's context: its caller's Authorization header and the loader of its wallets. */
export function contextFor(authorization: string): Context {
  return {
    authorization,
    wallets: new DataLoader((ids: readonly string[]) => bounded(ids.map((id) => () => getWallet(authorization, id).catch((error: Error) => error)))),
  };
}

export const resolvers = {
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
