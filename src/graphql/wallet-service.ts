import DataLoader from 'dataloader';
import { asError, rejected } from '../promises.js';
import type { Cancellation } from '../request/deadline.js';
import { ClumioError, upstreamError } from '../clumio/errors.js';
import type { Wallet, WalletPage } from '../clumio/wallet.js';
import type { CallScope, CreateWalletRequest, WalletsApi } from '../clumio/wallets-api.js';
import { callerOf, type CallerResult } from './credentials.js';
import type { CursorCodec } from './cursor.js';
import { checkWalletId } from './errors.js';
import { createSemaphore } from './semaphore.js';
import { walletsConnection, type WalletConnectionSource, type WalletsArgs } from './wallet-pages.js';

export interface WalletServiceOptions {
  api: WalletsApi;
  caller: CallerResult;
  /** Signs and reads the `wallets` field's cursors. */
  cursors: CursorCodec;
  /** Headers to propagate upstream (request id, trace context). */
  headers: Record<string, string>;
  cancellation: Cancellation;
  /** Upstream calls this operation may make in all. */
  budget: number;
  /** Upstream calls this operation may have in flight at once. */
  concurrency: number;
}

/**
 * The wallet calls of one GraphQL request, bound to its caller. Built per request: the
 * loader's cache holds one caller's wallets and dies with the request, so no cache is ever
 * shared between tokens.
 */
export function createWalletService(options: WalletServiceOptions) {
  const { api } = options;
  const limit = createSemaphore(options.concurrency);
  let callsLeft = options.budget;

  // The same for every call of the request: made once, by the first call (a refused caller
  // throws here each time instead).
  let shared: CallScope | undefined;
  function scope(): CallScope {
    return (shared ??= { caller: callerOf(options.caller), headers: options.headers, cancellation: options.cancellation });
  }

  // Every upstream call of the request passes here: budget first, then the concurrency bound.
  function call<T>(task: (s: CallScope) => Promise<T>): Promise<T> {
    const s = scope();
    if (callsLeft <= 0) return Promise.reject(upstreamError('UPSTREAM_BUDGET_EXCEEDED'));
    callsLeft--;
    return limit(() => task(s));
  }

  // Wallets this request already has from a list or a mutation, by id. A page is indexed only
  // when a read by id comes after it: most lists are followed by none, and indexing 50 wallets
  // and clearing them from the loader cost some 8 µs of a list's CPU.
  const known = new Map<string, Wallet>();
  let unindexed: (readonly Wallet[])[] = [];
  function knownWallets(): Map<string, Wallet> {
    if (unindexed.length > 0) {
      for (const wallets of unindexed) for (const wallet of wallets) known.set(wallet.id, wallet);
      unindexed = [];
    }
    return known;
  }
  // Whether the loader may hold an answer (it ran a batch, or was primed): only then is there
  // anything of its to clear.
  let loaderHolds = false;
  // Lists in flight: a wallet asked for meanwhile may be on their page.
  const listing = new Set<Promise<unknown>>();

  // A wallet for the loader's batch: a missing one is null, not an error (`wallet(id)` and
  // `_entities` answer null for it), and any other failure is its Error, in its place.
  function read(id: string): Promise<Wallet | null | Error> {
    const wallet = knownWallets().get(id);
    if (wallet) return Promise.resolve(wallet);
    return call((s) => api.get(s, id)).then(undefined, (error: unknown) =>
      error instanceof ClumioError && error.code === 'NOT_FOUND' ? null : asError(error),
    );
  }

  // Root fields run side by side, so `wallets` and `wallet(id)` in one operation start
  // together: the batch waits for the lists already under way and reads only what they did not
  // bring. Results stay aligned to ids, an Error in place of each failure.
  const loader = new DataLoader<string, Wallet | null>(
    async (ids) => {
      loaderHolds = true;
      if (listing.size > 0) await Promise.allSettled([...listing]);
      return Promise.all(ids.map(read));
    },
    { maxBatchSize: 100 },
  );

  // A later load finds them through knownWallets() (the batch reads from there first); any
  // earlier answer the loader cached for one of them (a wallet, a null, a failure) is dropped.
  // Before the loader's first batch it holds nothing: a load waiting for that batch reads what
  // is known when the batch runs. Priming the loader as well would allocate a promise per wallet
  // of every page for nothing.
  function remember(wallets: readonly Wallet[]): void {
    unindexed.push(wallets);
    if (loaderHolds) for (const wallet of wallets) loader.clear(wallet.id);
  }

  function prime(wallet: Wallet): Wallet {
    remember([wallet]);
    return wallet;
  }

  // One Clumio page of the caller's wallets; each wallet on it is known to the request from then on.
  async function list(page: { limit: number; start: string }): Promise<WalletPage> {
    const pending = call((s) => api.list(s, page));
    listing.add(pending);
    try {
      const result = await pending;
      remember(result.wallets);
      return result;
    } finally {
      listing.delete(pending);
    }
  }

  return {
    /**
     * One wallet, or null when Clumio has none with this id for the caller. Not async: the
     * loader's promise is the only one per read (`_entities` makes a read per representation,
     * all held while their calls are out); a bad id or caller is a rejection all the same.
     */
    get(id: string): Promise<Wallet | null> {
      try {
        checkWalletId(id);
        callerOf(options.caller);
      } catch (error) {
        return rejected(error);
      }
      return loader.load(id);
    },

    list,

    /** The `wallets` field: `first` wallets after the cursor `after`, over as many Clumio pages as that takes. */
    async page(args: WalletsArgs): Promise<WalletConnectionSource> {
      return walletsConnection(list, options.cursors, args);
    },

    async create(input: CreateWalletRequest): Promise<Wallet> {
      return prime(await call((s) => api.create(s, input)));
    },

    async delete(id: string): Promise<void> {
      checkWalletId(id);
      await call((s) => api.delete(s, id));
      knownWallets().delete(id);
      loaderHolds = true;
      loader.clear(id).prime(id, null);
    },

    async refresh(id: string): Promise<Wallet> {
      checkWalletId(id);
      return prime(await call((s) => api.refresh(s, id)));
    },
  };
}

export type WalletService = ReturnType<typeof createWalletService>;
