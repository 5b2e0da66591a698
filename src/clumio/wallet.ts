import { upstreamError } from './errors.js';

/** A wallet as Clumio sends it (snake_case); every field may be missing or null. */
export interface RawWallet {
  id?: unknown;
  account_native_id?: unknown;
  aws_region?: unknown;
  available_version?: unknown;
  clumio_aws_account_id?: unknown;
  deployment_url?: unknown;
  error_code?: unknown;
  error_message?: unknown;
  installed_regions?: unknown;
  key_errors?: unknown;
  role_arn?: unknown;
  stack_version?: unknown;
  state?: unknown;
  supported_regions?: unknown;
  template_url?: unknown;
  token?: unknown;
  _links?: unknown;
}

export type WalletState = 'WAITING' | 'ENABLED' | 'ERROR' | 'UNKNOWN';

export interface WalletKeyError {
  region: string;
  errorCode: string | null;
  errorMessage: string | null;
}

export interface WalletLink {
  rel: string;
  href: string;
  method: string;
  templated: boolean;
}

export interface WalletActions {
  canRefresh: boolean;
  canDelete: boolean;
  canListKeys: boolean;
}

export interface AwsAccountRef {
  id: string;
}

/** The gateway's wallet: the GraphQL `Wallet` field for field, so no field needs a resolver. */
export interface Wallet {
  id: string;
  accountNativeId: string | null;
  awsRegion: string | null;
  awsAccount: AwsAccountRef | null;
  availableVersion: number | null;
  clumioAwsAccountId: string | null;
  deploymentUrl: string | null;
  errorCode: string | null;
  errorMessage: string | null;
  installedRegions: string[];
  keyErrors: WalletKeyError[];
  roleArn: string | null;
  stackVersion: number | null;
  state: WalletState;
  rawState: string;
  supportedRegions: string[];
  templateUrl: string | null;
  token: string | null;
  actions: WalletActions;
  links: WalletLink[];
}

// By the state in lower case, as Clumio's SDKs compare it; a Map, so that no state Clumio sends can
// name a property every object has ("constructor").
const states = new Map<string, WalletState>([
  ['waiting', 'WAITING'],
  ['enabled', 'ENABLED'],
  ['error', 'ERROR'],
]);

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function bad(what: string): never {
  throw upstreamError('BAD_UPSTREAM_RESPONSE', new Error(`wallet: ${what}`));
}

function str(value: unknown, field: string): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value === 'string') return value;
  return bad(`${field} is not a string`);
}

// int64 arrives as a JSON number; a decimal string is accepted too. Precision above 2^53
// is checked where it is shown (the Wallet field's resolver, src/graphql/resolvers/int64.ts,
// with the Int64 scalar behind it), so one odd value cannot void the wallet.
function int64(value: unknown, field: string): number | null {
  if (value === undefined || value === null) return null;
  if (typeof value === 'number' && Number.isInteger(value)) return value;
  if (typeof value === 'string' && /^-?\d{1,20}$/.test(value)) return Number(value);
  return bad(`${field} is not an integer`);
}

// A null entry says nothing (the SDKs' types allow it) and is dropped: one null must not void
// the wallet, and with it the whole list page.
function strings(value: unknown, field: string): string[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value) || !value.every((v) => v === null || typeof v === 'string')) return bad(`${field} is not a list of strings`);
  return (value.includes(null) ? value.filter((v) => v !== null) : value) as string[];
}

function keyErrors(value: unknown): WalletKeyError[] {
  if (value === undefined || value === null) return [];
  if (!isObject(value)) return bad('key_errors is not an object');
  const result: WalletKeyError[] = [];
  for (const [region, entry] of Object.entries(value)) {
    if (entry === null) continue;
    if (!isObject(entry)) return bad('a key_errors entry is not an object');
    result.push({
      region,
      errorCode: str(entry.error_code, 'key_errors.error_code'),
      errorMessage: str(entry.error_message, 'key_errors.error_message'),
    });
  }
  return result;
}

// HTTP methods as Clumio writes them (lower case), upper-cased once rather than per link.
const methods = new Map([
  ['get', 'GET'],
  ['post', 'POST'],
  ['put', 'PUT'],
  ['patch', 'PATCH'],
  ['delete', 'DELETE'],
]);

function methodOf(type: unknown): string {
  if (typeof type !== 'string' || type === '') return 'GET';
  return methods.get(type) ?? type.toUpperCase();
}

// A link Clumio adds later is kept as it is; a link without an href is skipped, not fatal.
function links(value: unknown): WalletLink[] {
  if (value === undefined || value === null) return [];
  if (!isObject(value)) return bad('_links is not an object');
  const result: WalletLink[] = [];
  // for...in rather than Object.entries: no [key, value] array per link of every wallet.
  for (const rel in value) {
    const link = value[rel];
    if (!Object.hasOwn(value, rel) || !isObject(link) || typeof link.href !== 'string') continue;
    result.push({ rel, href: link.href, method: methodOf(link.type), templated: link.templated === true });
  }
  return result;
}

/** What a wallet's links allow. */
function actionsOf(walletLinks: readonly WalletLink[]): WalletActions {
  const actions: WalletActions = { canRefresh: false, canDelete: false, canListKeys: false };
  for (const { rel } of walletLinks) {
    if (rel === 'refresh-wallet') actions.canRefresh = true;
    else if (rel === 'delete-wallet') actions.canDelete = true;
    else if (rel === 'list-wallet-keys') actions.canListKeys = true;
  }
  return actions;
}

/** The one place a Clumio wallet becomes a gateway wallet. */
export function toWallet(raw: unknown): Wallet {
  if (!isObject(raw)) return bad('not an object');
  const r = raw as RawWallet;
  if (typeof r.id !== 'string' || r.id === '') return bad('id is missing');
  const rawState = str(r.state, 'state') ?? '';
  const walletLinks = links(r._links);
  const accountNativeId = str(r.account_native_id, 'account_native_id');
  return {
    id: r.id,
    accountNativeId,
    awsRegion: str(r.aws_region, 'aws_region'),
    awsAccount: accountNativeId ? { id: accountNativeId } : null,
    availableVersion: int64(r.available_version, 'available_version'),
    clumioAwsAccountId: str(r.clumio_aws_account_id, 'clumio_aws_account_id'),
    deploymentUrl: str(r.deployment_url, 'deployment_url'),
    errorCode: str(r.error_code, 'error_code'),
    errorMessage: str(r.error_message, 'error_message'),
    installedRegions: strings(r.installed_regions, 'installed_regions'),
    keyErrors: keyErrors(r.key_errors),
    roleArn: str(r.role_arn, 'role_arn'),
    stackVersion: int64(r.stack_version, 'stack_version'),
    state: states.get(rawState.toLowerCase()) ?? 'UNKNOWN',
    rawState,
    supportedRegions: strings(r.supported_regions, 'supported_regions'),
    templateUrl: str(r.template_url, 'template_url'),
    token: str(r.token, 'token'),
    actions: actionsOf(walletLinks),
    links: walletLinks,
  };
}

/** One page of Clumio's wallet list. */
export interface WalletPage {
  wallets: Wallet[];
  /** The `start` token this page was read with ('' for the first page). */
  start: string;
  /** The page size asked for. */
  limit: number;
  /** The `start` token of the next page, or null on the last page. */
  nextStart: string | null;
  /** Whether a page precedes this one. */
  hasPrevious: boolean;
}

export interface WalletEdge {
  cursor: string;
  node: Wallet;
}

function nextStartOf(links: Record<string, unknown>): string | null {
  const next = links._next;
  if (!isObject(next)) return null;
  if (typeof next.href !== 'string') return bad('_links._next has no href');
  const query = next.href.includes('?') ? next.href.slice(next.href.indexOf('?') + 1) : '';
  const start = new URLSearchParams(query).get('start');
  if (start === null || start === '') return bad('_links._next carries no start token');
  return start;
}

/** The one place Clumio's list envelope becomes a page. */
export function toWalletPage(raw: unknown, start: string, limit: number): WalletPage {
  if (!isObject(raw)) return bad('list is not an object');
  const embedded = raw._embedded;
  const items = isObject(embedded) ? embedded.items : undefined;
  if (items !== undefined && items !== null && !Array.isArray(items)) return bad('_embedded.items is not a list');
  const envelopeLinks = isObject(raw._links) ? raw._links : {};
  return {
    wallets: (items ?? []).map(toWallet),
    start,
    limit,
    nextStart: nextStartOf(envelopeLinks),
    hasPrevious: isObject(envelopeLinks._prev),
  };
}
