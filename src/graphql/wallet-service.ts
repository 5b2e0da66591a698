import DataLoader from 'dataloader';
import { asError, itself, rejected } from '../promises.js';
import type { Cancellation } from '../request/deadline.js';
import { ClumioError, upstreamError } from '../clumio/errors.js';
import type { Wallet, WalletPage } from '../clumio/wallet.js';
import type { CallScope, CreateWalletRequest, WalletsApi } from '../clumio/wallets-api.js';
import { callerOf, type CallerResult } from './credentials.js';
import type { CursorCodec } from './cursor.js';
import { checkWalletId } from './errors.js';
import { Semaphore } from './semaphore.js';
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

// The five calls, as plain functions of the API: a call names one and its argument, rather than
// making a closure that holds both.
type Send<A, T> = (api: WalletsApi, scope: CallScope, arg: A) => Promise<T>;
type Page = { limit: number; start: string };
const getWallet: Send<string, Wallet> = (api, scope, id) => api.get(scope, id);
const listWallets: Send<Page, WalletPage> = (api, scope, page) => api.list(scope, page);
const createWallet: Send<CreateWalletRequest, Wallet> = (api, scope, input) => api.create(scope, input);
const deleteWallet: Send<string, void> = (api, scope, id) => api.delete(scope, id);
const refreshWallet: Send<string, Wallet> = (api, scope, id) => api.refresh(scope, id);

// A wallet read's failure for the loader's batch: a missing one is null, not an error
// (`wallet(id)` and `_entities` answer null for it), and any other failure is its Error, in its place.
const missingAsNull = (error: unknown): null | Error => (error instanceof ClumioError && error.code === 'NOT_FOUND' ? null : asError(error));
// The same, as the only entry of a batch of one read.
const missingAsNullInArray = (error: unknown): [null | Error] => [missingAsNull(error)];
// A wallet read's entry in the loader's batch.
type Entry = Wallet | null | Error;
const inArray = <T>(value: T): [T] => [value];

/**
 * The wallet calls of one GraphQL request, bound to its caller. Built per request: the
 * loader's cache holds one caller's wallets and dies with the request, so no cache is ever
 * shared between tokens. One object, whose parts (the loader, the index of known wallets, the
 * lists in flight) are made when a call first needs them: a request that reads one wallet, the
 * most common, makes no map or set it does not use.
 */
export class WalletService {
  private readonly options: WalletServiceOptions;
  private readonly limit: Semaphore;
  private callsLeft: number;
  // The same for every call of the request: made once, by the first call (a refused caller
  // throws there each time instead).
  private scope: CallScope | undefined;
  // Wallets this request already has from a list or a mutation, by id. A page is indexed only
  // when a read by id comes after it: most lists are followed by none, and indexing 50 wallets
  // and clearing them from the loader cost some 8 µs of a list's CPU.
  private known: Map<string, Wallet> | undefined;
  private unindexed: (readonly Wallet[])[] | undefined;
  // Lists in flight: a wallet asked for meanwhile may be on their page.
  private listing: Set<Promise<unknown>> | undefined;
  private loader: DataLoader<string, Wallet | null> | undefined;
  // Whether the loader may hold an answer (it ran a batch, or was primed): only then is there
  // anything of its to clear.
  private loaderHolds = false;
  // Gives a call's slot back as it settles, and hands on its outcome: made once per request.
  private readonly settledValue = <T>(value: T): T => {
    this.limit.give();
    return value;
  };
  private readonly settledError = (error: unknown): never => {
    this.limit.give();
    throw error;
  };

  constructor(options: WalletServiceOptions) {
    this.options = options;
    this.limit = new Semaphore(options.concurrency);
    this.callsLeft = options.budget;
  }

  /**
   * One wallet, or null when Clumio has none with this id for the caller. Not async: it returns
   * the loader's promise and adds none of its own (`_entities` makes a read per representation,
   * all held while their calls are out); a bad id or caller is a rejection all the same.
   */
  get(id: string): Promise<Wallet | null> {
    try {
      checkWalletId(id);
      callerOf(this.options.caller);
    } catch (error) {
      return rejected(error);
    }
    return this.walletLoader().load(id);
  }

  /** One Clumio page of the caller's wallets; each wallet on it is known to the request from then on. */
  async list(page: Page): Promise<WalletPage> {
    const pending = this.call(listWallets, page);
    const listing = (this.listing ??= new Set());
    listing.add(pending);
    try {
      const result = await pending;
      this.remember(result.wallets);
      return result;
    } finally {
      listing.delete(pending);
    }
  }

  /** The `wallets` field: `first` wallets after the cursor `after`, over as many Clumio pages as that takes. */
  async page(args: WalletsArgs): Promise<WalletConnectionSource> {
    return walletsConnection((page) => this.list(page), this.options.cursors, args);
  }

  async create(input: CreateWalletRequest): Promise<Wallet> {
    return this.prime(await this.call(createWallet, input));
  }

  async delete(id: string): Promise<void> {
    checkWalletId(id);
    await this.call(deleteWallet, id);
    this.knownWallets()?.delete(id);
    this.loaderHolds = true;
    this.walletLoader().clear(id).prime(id, null);
  }

  async refresh(id: string): Promise<Wallet> {
    checkWalletId(id);
    return this.prime(await this.call(refreshWallet, id));
  }

  // Every upstream call of the request passes here: budget first, then the concurrency bound.
  private call<A, T>(send: Send<A, T>, arg: A): Promise<T> {
    const scope = (this.scope ??= { caller: callerOf(this.options.caller), headers: this.options.headers, cancellation: this.options.cancellation });
    if (this.callsLeft <= 0) return Promise.reject(upstreamError('UPSTREAM_BUDGET_EXCEEDED'));
    this.callsLeft--;
    if (this.limit.tryTake()) return this.sent(send, scope, arg);
    return this.limit.wait().then(() => this.sent(send, scope, arg));
  }

  // A call in a slot of the operation's: the slot is given back as it settles.
  private sent<A, T>(send: Send<A, T>, scope: CallScope, arg: A): Promise<T> {
    let pending: Promise<T>;
    try {
      pending = send(this.options.api, scope, arg);
    } catch (error) {
      pending = rejected(error);
    }
    return pending.then(this.settledValue, this.settledError);
  }

  private knownWallets(): Map<string, Wallet> | undefined {
    const { unindexed } = this;
    if (unindexed !== undefined) {
      const known = (this.known ??= new Map());
      for (const wallets of unindexed) for (const wallet of wallets) known.set(wallet.id, wallet);
      this.unindexed = undefined;
    }
    return this.known;
  }

  // A wallet for the loader's batch: what the request already has, else a call; `found` and
  // `failed` make the batch's entry of it in the call's one reaction.
  private read<R>(id: string, found: (wallet: Wallet) => R, failed: (error: unknown) => R): Promise<R> {
    const wallet = this.knownWallets()?.get(id);
    if (wallet) return Promise.resolve(found(wallet));
    return this.call(getWallet, id).then(found, failed);
  }

  private walletLoader(): DataLoader<string, Wallet | null> {
    return (this.loader ??= new DataLoader<string, Wallet | null>((ids) => this.batch(ids), { maxBatchSize: 100 }));
  }

  // The loader's batch. Root fields run side by side, so `wallets` and `wallet(id)` in one
  // operation start together: the batch waits for the lists already under way and reads only
  // what they did not bring. Entries stay aligned to ids, an Error in place of each failure.
  // Not async (an async function would wrap the reads' promise in one more, two turns later);
  // a batch of one read (`wallet(id)`, the most common) makes its array in the call's own
  // reaction, without Promise.all.
  private batch(ids: readonly string[]): Promise<readonly Entry[]> {
    this.loaderHolds = true;
    const listing = this.listing;
    if (listing !== undefined && listing.size > 0) return Promise.allSettled([...listing]).then(() => this.readAll(ids));
    return this.readAll(ids);
  }

  private readAll(ids: readonly string[]): Promise<readonly Entry[]> {
    try {
      if (ids.length === 1) return this.read<[Entry]>(ids[0]!, inArray, missingAsNullInArray);
      return Promise.all(ids.map((id) => this.read<Entry>(id, itself, missingAsNull)));
    } catch (error) {
      // A read that throws as it starts fails the whole batch, as a rejection.
      return rejected(error);
    }
  }

  // A later load finds them through knownWallets() (the batch reads from there first); any
  // earlier answer the loader cached for one of them (a wallet, a null, a failure) is dropped.
  // Before the loader's first batch it holds nothing: a load waiting for that batch reads what
  // is known when the batch runs. Priming the loader as well would allocate a promise per wallet
  // of every page for nothing.
  private remember(wallets: readonly Wallet[]): void {
    (this.unindexed ??= []).push(wallets);
    if (this.loaderHolds && this.loader !== undefined) for (const wallet of wallets) this.loader.clear(wallet.id);
  }

  private prime(wallet: Wallet): Wallet {
    this.remember([wallet]);
    return wallet;
  }
}
