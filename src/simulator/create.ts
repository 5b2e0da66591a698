import { isAwsRegionName } from '../clumio/regions.js';
import { json, type Answer } from './answer.js';
import type { ApiContext } from './context.js';
import { ApiError } from './errors.js';
import { parseJsonObject } from './json-body.js';
import { walletJson } from './serialize.js';
import type { Organization } from './store.js';
import { newWalletDoc } from './wallet.js';

const ACCOUNT_ID = /^\d{12}$/;

interface CreateRequest {
  accountNativeId: string;
  region: string;
}

/** Unknown fields are ignored; an explicit null region means the default one. */
function parseCreate(body: string, defaultRegion: string): CreateRequest {
  const { account_native_id: account, aws_region: region } = parseJsonObject(body);
  if (typeof account !== 'string' || !ACCOUNT_ID.test(account)) {
    throw new ApiError(400, 'account_native_id is required and must be a 12-digit AWS account id.');
  }
  if (region !== undefined && region !== null && (typeof region !== 'string' || !isAwsRegionName(region))) {
    throw new ApiError(400, 'aws_region must be an AWS region name such as us-west-2.');
  }
  return { accountNativeId: account, region: typeof region === 'string' ? region : defaultRegion };
}

/**
 * A wallet is created in the caller's organizational unit. A duplicate (same account and region)
 * is looked for across the organization, as the account's key stack is one whatever the unit;
 * its id is named only to a caller who can see it.
 */
export function createWallet(ctx: ApiContext, org: Organization, unit: string, body: string): Answer {
  const { accountNativeId, region } = parseCreate(body, ctx.defaultRegion);
  for (const { id, doc } of org.wallets) {
    if (doc.account_native_id === accountNativeId && doc.aws_region === region) {
      const which = org.lookUp(id, unit) ? ` (id ${id})` : '';
      throw new ApiError(409, `A wallet for account ${accountNativeId} in ${region} already exists${which}.`);
    }
  }
  const wallet = ctx.store.insert(org, newWalletDoc(accountNativeId, region), false, unit);
  return json(200, walletJson(wallet));
}
