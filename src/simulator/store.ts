import { ApiError } from './errors.js';
import { newWalletId } from './ids.js';
import type { BreakDetails } from './types.js';
import type { WalletDoc } from './wallet.js';

export type Transition = { kind: 'install' } | { kind: 'break'; details: BreakDetails | undefined };

export interface Wallet {
  readonly id: string;
  /** Creation order; page tokens point at it, so paging survives inserts and deletes. */
  readonly seq: number;
  readonly createdAt: number;
  /** The organizational unit it was created in ('' for the global unit). */
  unit: string;
  doc: WalletDoc;
  /** Put verbatim by a test: never auto-installed, keeps its own `_links` if it has any. */
  raw: boolean;
  /** What happened on the customer's side, applied when Clumio next looks (read or refresh). */
  pending: Transition | undefined;
  /** Serialized answer, dropped whenever `doc` changes. */
  json: string | undefined;
}

export class Organization {
  readonly wallets: Wallet[] = [];
  readonly byId = new Map<string, Wallet>();
  private nextSeq = 1;

  add(id: string, doc: WalletDoc, raw: boolean, unit: string): Wallet {
    const wallet: Wallet = {
      id, seq: this.nextSeq++, createdAt: Date.now(), unit, doc, raw, pending: undefined, json: undefined,
    };
    this.wallets.push(wallet);
    this.byId.set(id, wallet);
    return wallet;
  }

  remove(wallet: Wallet): void {
    this.byId.delete(wallet.id);
    this.wallets.splice(this.wallets.indexOf(wallet), 1);
  }

  /**
   * The wallets a caller in `unit` sees, in creation order: the global unit ('') sees every
   * wallet of the organization, any other unit only those created in it.
   */
  visibleIn(unit: string): Wallet[] {
    return unit === '' ? this.wallets : this.wallets.filter((wallet) => wallet.unit === unit);
  }

  /** The wallet `id` as a caller in `unit` sees it: another unit's wallet is as missing as an unknown one. */
  lookUp(id: string, unit: string): Wallet | undefined {
    const wallet = this.byId.get(id);
    return wallet && (unit === '' || wallet.unit === unit) ? wallet : undefined;
  }
}

/** Index of the first of `wallets` created after `seq` (binary search: seqs only grow). */
export function indexAfter(wallets: readonly Wallet[], seq: number): number {
  let lo = 0;
  let hi = wallets.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (wallets[mid]!.seq <= seq) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Organizations by bearer token, plus a global id index because ids are unique across orgs. */
export class Store {
  private readonly orgs = new Map<string, Organization>();
  private readonly owners = new Map<string, Organization>();

  addOrganization(token: string): Organization {
    if (this.orgs.has(token)) throw new ApiError(409, 'An organization already uses this token.');
    const org = new Organization();
    this.orgs.set(token, org);
    return org;
  }

  organization(token: string): Organization | undefined {
    return this.orgs.get(token);
  }

  insert(org: Organization, doc: WalletDoc, raw = false, unit = ''): Wallet {
    const id = String(doc.id);
    this.owners.set(id, org);
    return org.add(id, doc, raw, unit);
  }

  put(token: string, raw: Record<string, unknown>, unit = ''): Wallet {
    const org = this.orgs.get(token);
    if (!org) throw new ApiError(404, 'No organization uses this token.');
    const doc: WalletDoc = raw.id === undefined || raw.id === null ? { id: newWalletId(), ...raw } : { ...raw };
    const id = String(doc.id);
    const owner = this.owners.get(id);
    if (owner && owner !== org) throw new ApiError(409, `Wallet ${id} belongs to another organization.`);
    const existing = org.byId.get(id);
    if (!existing) return this.insert(org, doc, true, unit);
    Object.assign(existing, { doc, unit, raw: true, pending: undefined, json: undefined });
    return existing;
  }

  delete(org: Organization, wallet: Wallet): void {
    org.remove(wallet);
    this.owners.delete(wallet.id);
  }

  /** For the test controls; API routes look wallets up through their caller's organization. */
  find(walletId: string): Wallet {
    const wallet = this.owners.get(walletId)?.byId.get(walletId);
    if (!wallet) throw new ApiError(404, `No wallet with id ${walletId}.`);
    return wallet;
  }
}
