// The snake_case → camelCase mapping a user of either peer would write: one function, no checks.

interface RawLink {
  href: string;
  type?: string;
  templated?: boolean;
}

export interface RawWallet {
  id: string;
  account_native_id?: string | null;
  aws_region?: string | null;
  available_version?: number | null;
  clumio_aws_account_id?: string | null;
  deployment_url?: string | null;
  error_code?: string | null;
  error_message?: string | null;
  installed_regions?: string[] | null;
  key_errors?: Record<string, { error_code?: string | null; error_message?: string | null }> | null;
  role_arn?: string | null;
  stack_version?: number | null;
  state?: string | null;
  supported_regions?: string[] | null;
  template_url?: string | null;
  token?: string | null;
  _links?: Record<string, RawLink> | null;
}

export interface RawWalletList {
  _embedded?: { items?: RawWallet[] };
  _links?: Record<string, RawLink>;
}

const knownStates = ['WAITING', 'ENABLED', 'ERROR'];

export function toWallet(raw: RawWallet) {
  const rawState = raw.state ?? '';
  const state = rawState.toUpperCase();
  const links = Object.entries(raw._links ?? {}).map(([rel, link]) => ({
    rel,
    href: link.href,
    method: (link.type ?? 'get').toUpperCase(),
    templated: link.templated ?? false,
  }));
  const rels = links.map((link) => link.rel);
  return {
    id: raw.id,
    accountNativeId: raw.account_native_id ?? null,
    awsRegion: raw.aws_region ?? null,
    awsAccount: raw.account_native_id ? { id: raw.account_native_id } : null,
    availableVersion: raw.available_version ?? null,
    clumioAwsAccountId: raw.clumio_aws_account_id ?? null,
    deploymentUrl: raw.deployment_url ?? null,
    errorCode: raw.error_code ?? null,
    errorMessage: raw.error_message ?? null,
    installedRegions: raw.installed_regions ?? [],
    keyErrors: Object.entries(raw.key_errors ?? {}).map(([region, error]) => ({
      region,
      errorCode: error.error_code ?? null,
      errorMessage: error.error_message ?? null,
    })),
    roleArn: raw.role_arn ?? null,
    stackVersion: raw.stack_version ?? null,
    state: knownStates.includes(state) ? state : 'UNKNOWN',
    rawState,
    supportedRegions: raw.supported_regions ?? [],
    templateUrl: raw.template_url ?? null,
    token: raw.token ?? null,
    actions: {
      canRefresh: rels.includes('refresh-wallet'),
      canDelete: rels.includes('delete-wallet'),
      canListKeys: rels.includes('list-wallet-keys'),
    },
    links,
  };
}

export type Wallet = ReturnType<typeof toWallet>;

/** A cursor is the page's start token and the item's offset in it, base64-encoded. */
export function encodeCursor(start: string, offset: number, next: string | null): string {
  return Buffer.from(JSON.stringify({ start, offset, next })).toString('base64');
}

export function decodeCursor(cursor: string): { start: string; offset: number; next: string | null } {
  return JSON.parse(Buffer.from(cursor, 'base64').toString('utf8')) as { start: string; offset: number; next: string | null };
}

export function nextStartOf(list: RawWalletList): string | null {
  const href = list._links?._next?.href;
  if (!href) return null;
  return new URLSearchParams(href.slice(href.indexOf('?') + 1)).get('start');
}

/** The connection over one page, as both peers shape it. */
export function toConnection(list: RawWalletList, start: string) {
  const wallets = (list._embedded?.items ?? []).map(toWallet);
  const next = nextStartOf(list);
  const cursorAt = (i: number) => encodeCursor(start, i, i === wallets.length - 1 ? next : null);
  return {
    edges: wallets.map((node, i) => ({ cursor: cursorAt(i), node })),
    nodes: wallets,
    pageInfo: {
      hasNextPage: next !== null,
      hasPreviousPage: list._links?._prev !== undefined,
      startCursor: wallets.length > 0 ? cursorAt(0) : null,
      endCursor: wallets.length > 0 ? cursorAt(wallets.length - 1) : null,
    },
  };
}

/** Where a `wallets(after:)` page starts: a user keeps it simple and re-reads from the next token. */
export function startAfter(after: string | null | undefined): string {
  if (!after) return '';
  return decodeCursor(after).next ?? '';
}
