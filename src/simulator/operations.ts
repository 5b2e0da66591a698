import { json, type Answer } from './answer.js';
import type { ApiContext } from './context.js';
import { ApiError } from './errors.js';
import { settle } from './lifecycle.js';
import { walletJson } from './serialize.js';
import type { Organization, Wallet } from './store.js';
import { isDeletable } from './wallet.js';

function lookUp(org: Organization, unit: string, id: string): Wallet {
  const wallet = org.lookUp(id, unit);
  // Another organization's or unit's wallet is indistinguishable from a missing one.
  if (!wallet) throw new ApiError(404, `No wallet with id ${id}.`);
  return wallet;
}

export function readWallet(ctx: ApiContext, org: Organization, unit: string, id: string): Answer {
  const wallet = lookUp(org, unit, id);
  settle(wallet, false, ctx.autoInstallAfterMs);
  return json(200, walletJson(wallet));
}

export function refreshWallet(ctx: ApiContext, org: Organization, unit: string, id: string): Answer {
  const wallet = lookUp(org, unit, id);
  settle(wallet, true, ctx.autoInstallAfterMs);
  return json(200, walletJson(wallet));
}

/**
 * Clumio's status for deleting a wallet whose key stack is installed is unpublished (400, 409 or
 * 412 are all plausible). 412 was chosen: the request is fine, the wallet's current state is what
 * forbids it, and the absent `delete-wallet` link already says so.
 */
export function deleteWallet(ctx: ApiContext, org: Organization, unit: string, id: string): Answer {
  const wallet = lookUp(org, unit, id);
  settle(wallet, false, ctx.autoInstallAfterMs);
  if (!isDeletable(wallet.doc)) {
    throw new ApiError(
      412,
      `Wallet ${id} still has its key stack installed. Delete the CloudFormation stack in AWS and refresh the wallet before deleting it.`,
    );
  }
  ctx.store.delete(org, wallet);
  return json(200, '{}');
}
