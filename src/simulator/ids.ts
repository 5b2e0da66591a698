import { randomBytes, randomUUID } from 'node:crypto';

/** Wallet ids are global (installStack takes only an id), so they must be unique across orgs. */
export function newWalletId(): string {
  return randomUUID();
}

/** The 36-character token Clumio embeds in the CloudFormation quick-create link. */
export function newStackToken(): string {
  return randomUUID();
}

export function randomHex(bytes: number): string {
  return randomBytes(bytes).toString('hex');
}
