import { createHash, randomBytes, randomUUID } from 'node:crypto';

/** Wallet ids are global (installStack takes only an id), so they must be unique across orgs. */
export function newWalletId(): string {
  return randomUUID();
}

/** The 36-character token Clumio embeds in the CloudFormation quick-create link. */
export function newStackToken(): string {
  return randomUUID();
}

/** A UUID-shaped id that is the same on every run for the same `name` (seeded wallets). */
export function stableUuid(name: string): string {
  const hex = createHash('sha256').update(name).digest('hex');
  const variant = ((parseInt(hex[16]!, 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

export function randomHex(bytes: number): string {
  return randomBytes(bytes).toString('hex');
}
