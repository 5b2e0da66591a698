import { json, type Answer } from './answer.js';
import type { ApiContext } from './context.js';
import { ApiError } from './errors.js';
import { parseJsonObject } from './json-body.js';
import { walletJson } from './serialize.js';
import type { Organization } from './store.js';
import { newWalletDoc } from './wallet.js';

/** Clumio does not say which region a wallet gets when none is given; its oldest one is a fair guess. */
export const DEFAULT_REGION = 'us-west-2';

const ACCOUNT_ID = /^\d{12}$/;
const REGION = /^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d{1,2}$/;

interface CreateRequest {
  accountNativeId: string;
  region: string;
}

/** Unknown fields are ignored; an explicit null region means the default one. */
function parseCreate(body: string): CreateRequest {
  const { account_native_id: account, aws_region: region } = parseJsonObject(body);
  if (typeof account !== 'string' || !ACCOUNT_ID.test(account)) {
    throw new ApiError(400, 'account_native_id is required and must be a 12-digit AWS account id.');
  }
  if (region !== undefined && region !== null && (typeof region !== 'string' || !REGION.test(region))) {
    throw new ApiError(400, 'aws_region must be an AWS region name such as us-west-2.');
  }
  return { accountNativeId: account, region: typeof region === 'string' ? region : DEFAULT_REGION };
}

export function createWallet(ctx: ApiContext, org: Organization, body: string): Answer {
  const { accountNativeId, region } = parseCreate(body);
  for (const { doc } of org.wallets) {
    if (doc.account_native_id === accountNativeId && doc.aws_region === region) {
      throw new ApiError(409, `A wallet for account ${accountNativeId} in ${region} already exists (id ${String(doc.id)}).`);
    }
  }
  const wallet = ctx.store.insert(org, newWalletDoc(accountNativeId, region));
  return json(200, walletJson(wallet));
}
