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
function bound(name: string): number | undefined {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return undefined;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name} must be a whole number of at least 1 (got "${raw}")`);
  return value;
}
const maxConnections = bound('PEER_MAX_CONNECTIONS');
const perOperation = bound('PEER_CONCURRENCY_PER_OPERATION') ?? Infinity;
const clumio = new Pool(clumioBaseUrl(), maxConnections === undefined ? {} : { connections: maxConnections });

/** `run` over the items, at most `perOperation` at a time, the results in order (all at once, as before, when unbounded). */
async function bounded<I, T>(items: readonly I[], run: (item: I) => Promise<T>): Promise<T[]> {
  if (items.length <= perOperation) return Promise.all(items.map(run));
  const results = new Array<T>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await run(items[i]!);
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
    wallets: new DataLoader((ids: readonly string[]) => bounded(ids, (id) => getWallet(authorization, id).catch((error: Error) => error))),
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
