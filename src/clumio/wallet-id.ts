/**
 * Wallet ids go into a URL path, so they are checked before any call: a hostile id
 * (`../`, `/`, `%2F`, CR/LF, megabytes) never reaches Clumio, let alone another path.
 * Clumio ids are UUID-like; the charset below is deliberately wider but path-safe.
 */
// The first character is a letter or digit, so `.`/`..` and `_post-process` (another
// resource under /wallets/) can never be an id.
const walletIdPattern = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/;

export const walletIdRules = '1 to 128 characters of letters, digits, "-", "_" and "." starting with a letter or digit';

export function isValidWalletId(id: string): boolean {
  return walletIdPattern.test(id);
}

/** The id as one percent-encoded path segment. */
export function walletPath(id: string, suffix = ''): string {
  return `/wallets/${encodeURIComponent(id)}${suffix}`;
}
