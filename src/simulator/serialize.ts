import { walletLinks } from './links.js';
import type { Wallet } from './store.js';

const BIGINT_MARK = '\u0000bigint:';
const BIGINT_STRING = /"\\u0000bigint:(-?\d+)"/g;

/**
 * Raw wallets may hold bigints so tests can send int64 values beyond 2^53 exactly; JSON.stringify
 * cannot emit them, so they travel as marked strings and are unquoted afterwards.
 */
function stringifyRaw(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => (typeof v === 'bigint' ? BIGINT_MARK + v.toString() : v))
    .replace(BIGINT_STRING, '$1');
}

function render(wallet: Wallet): string {
  if (!wallet.raw) return JSON.stringify({ ...wallet.doc, _links: walletLinks(wallet.id, wallet.doc) });
  if ('_links' in wallet.doc) return stringifyRaw(wallet.doc);
  return stringifyRaw({ ...wallet.doc, _links: walletLinks(wallet.id, wallet.doc) });
}

/** Cached until the wallet changes: reads and lists are the benchmark's hot path. */
export function walletJson(wallet: Wallet): string {
  wallet.json ??= render(wallet);
  return wallet.json;
}
