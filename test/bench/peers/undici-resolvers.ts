// The resolvers of the Mercurius peers and of the floor: Clumio called through an undici Pool with
// `request()` and `body.json()`, the peers' mapping, and Wallet's __resolveReference batched through
// a DataLoader made per request, so that 50 representations of 20 wallets make 20 Clumio calls.
import DataLoader from 'dataloader';
import { Pool, type Dispatcher } from 'undici';
import { clumioBaseUrl } from './type-defs.js';
import { startAfter, toConnection, toWallet, type RawWallet, type RawWalletList, type Wallet } from './wallet-mapping.js';

// Unbounded, as their users write them. The bench also runs Mercurius with the gateway's
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

/** The peers' connections to Clumio. */
export const clumio = new Pool(clumioBaseUrl(), maxConnections === undefined ? {} : { connections: maxConnections });

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

export interface Context {
  authorization: string;
  wallets: DataLoader<string, Wallet>;
}

/** One Clumio call of an operation whose context is `C`: its JSON answer, or a failure for any status but 200. */
export type CallClumio<C extends Context> = <T>(context: C, path: string, method?: 'GET' | 'POST') => Promise<T>;

/** The call as the peers make it: `request()` on a dispatcher, the body read by `body.json()`. */
export async function requestJson<T>(dispatcher: Dispatcher, options: Pick<Dispatcher.RequestOptions, 'path' | 'method' | 'headers' | 'signal'>): Promise<T> {
  const { statusCode, body } = await dispatcher.request(options);
  if (statusCode !== 200) {
    await body.dump();
    throw Object.assign(new Error(`Clumio answered ${statusCode}`), { statusCode });
  }
  return (await body.json()) as T;
}

/** The media type of Clumio's wallet answers, which every call accepts. */
export const walletsMediaType = 'application/api.clumio.wallets=v1+json';

const plainCall: CallClumio<Context> = (context, path, method = 'GET') =>
  requestJson(clumio, { path, method, headers: { authorization: context.authorization, accept: walletsMediaType } });

/**
 * A peer's resolvers over its way of calling Clumio, and `walletLoader`, which makes the loader of
 * a request's wallets for its context. The context is an object literal of the peer's that holds
 * every field from the start (`wallets` too, set once the loader is made): Mercurius writes its
 * own fields into it, and a context made by spreading one object into another took 15 µs more
 * per `wallet(id)` operation there.
 */
export function peerResolvers<C extends Context>(call: CallClumio<C>) {
  const getWallet = async (context: C, id: string) => toWallet(await call<RawWallet>(context, `/wallets/${encodeURIComponent(id)}`));
  return {
    walletLoader: (context: C) => new DataLoader((ids: readonly string[]) => bounded(ids, (id) => getWallet(context, id).catch((error: Error) => error))),
    resolvers: {
      Query: {
        wallet: (_: unknown, { id }: { id: string }, context: C) => getWallet(context, id),
        wallets: async (_: unknown, { first, after }: { first: number; after?: string }, context: C) => {
          const start = startAfter(after);
          const query = new URLSearchParams({ limit: String(first), start });
          return toConnection(await call<RawWalletList>(context, `/wallets?${query}`), start);
        },
      },
      Mutation: {
        refreshWallet: async (_: unknown, { id }: { id: string }, context: C) => ({
          wallet: toWallet(await call<RawWallet>(context, `/wallets/${encodeURIComponent(id)}/_refresh`, 'POST')),
        }),
      },
      Wallet: {
        __resolveReference: (ref: { id: string }, { wallets }: C) => wallets.load(ref.id),
      },
    },
  };
}

const plain = peerResolvers(plainCall);
export const resolvers = plain.resolvers;

/** A request's context: its caller's Authorization header and the loader of its wallets. */
export function contextFor(authorization: string): Context {
  const context: Context = { authorization, wallets: undefined! };
  context.wallets = plain.walletLoader(context);
  return context;
}
