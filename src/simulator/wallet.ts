import { newStackToken, newWalletId, randomHex } from './ids.js';
import type { BreakDetails } from './types.js';

/** A wallet as Clumio serializes it, snake_case, minus `_links` (computed from its state). */
export type WalletDoc = Record<string, unknown>;

export const TEMPLATE_VERSION = 15;
export const CLUMIO_AWS_ACCOUNT_ID = '741859632014';
export const SUPPORTED_REGIONS = [
  'us-east-1', 'us-east-2', 'us-west-2', 'ca-central-1', 'eu-central-1', 'eu-west-1', 'ap-southeast-2',
];

function templateUrl(region: string): string {
  return `https://clumio-byok-templates-${region}.s3.${region}.amazonaws.com/wallet/v${TEMPLATE_VERSION}/clumio-byok-wallet.yaml`;
}

function deploymentUrl(region: string, token: string, template: string): string {
  const query = new URLSearchParams({
    templateURL: template,
    stackName: `clumio-byok-${token.slice(0, 8)}`,
    param_ClumioToken: token,
    param_ClumioAccountId: CLUMIO_AWS_ACCOUNT_ID,
  });
  return `https://${region}.console.aws.amazon.com/cloudformation/home?region=${region}#/stacks/quickcreate?${query}`;
}

/** Field order follows the contract's table so answers read like Clumio's. Ids are random unless given (seeds). */
export function newWalletDoc(accountNativeId: string, region: string, ids: { id?: string; token?: string } = {}): WalletDoc {
  const id = ids.id ?? newWalletId();
  const token = ids.token ?? newStackToken();
  const template = templateUrl(region);
  return {
    id,
    account_native_id: accountNativeId,
    aws_region: region,
    clumio_aws_account_id: CLUMIO_AWS_ACCOUNT_ID,
    state: 'Waiting',
    error_code: null,
    error_message: null,
    key_errors: {},
    installed_regions: [],
    supported_regions: [...SUPPORTED_REGIONS],
    available_version: TEMPLATE_VERSION,
    stack_version: null,
    deployment_url: deploymentUrl(region, token, template),
    template_url: template,
    role_arn: null,
    token,
    _embedded: {},
  };
}

export function enableDoc(doc: WalletDoc): void {
  const region = typeof doc.aws_region === 'string' ? doc.aws_region : 'us-west-2';
  const installed = Array.isArray(doc.installed_regions) ? doc.installed_regions : [];
  doc.state = 'Enabled';
  doc.error_code = null;
  doc.error_message = null;
  doc.key_errors = {};
  doc.installed_regions = installed.length > 0 ? installed : [region];
  doc.stack_version = doc.available_version ?? TEMPLATE_VERSION;
  doc.role_arn ??= `arn:aws:iam::${String(doc.account_native_id)}:role/ClumioBYOKWalletRole-${randomHex(6)}`;
}

/** The key stack is gone (the BYOK module's Delete): back to Waiting, as a new wallet is. */
export function uninstallDoc(doc: WalletDoc): void {
  doc.state = 'Waiting';
  doc.error_code = null;
  doc.error_message = null;
  doc.key_errors = {};
  doc.installed_regions = [];
  doc.stack_version = null;
  doc.role_arn = null;
}

export function breakDoc(doc: WalletDoc, details: BreakDetails = {}): void {
  const installed = Array.isArray(doc.installed_regions) ? (doc.installed_regions as string[]) : [];
  const region = doc.aws_region ?? 'us-west-2';
  const regions = installed.length > 0 ? installed : [typeof region === 'string' ? region : JSON.stringify(region)];
  doc.state = 'Error';
  doc.error_code = details.error_code ?? 'KeyAccessFailed';
  doc.error_message =
    details.error_message ??
    'Clumio could not use the wallet key. Check that the key role exists and that the key is enabled, then refresh the wallet.';
  doc.key_errors = details.key_errors ?? Object.fromEntries(regions.map((r) => [r, keyError(r)]));
}

function keyError(region: string): { error_code: string; error_message: string } {
  return {
    error_code: 'KeyDisabled',
    error_message: `The multi-region key replica in ${region} is disabled. Enable it in the AWS KMS console.`,
  };
}

/**
 * Deletion is allowed while no key stack is installed; the `delete-wallet` link and the delete
 * operation both use this, so the link never promises what the server refuses.
 */
export function isDeletable(doc: WalletDoc): boolean {
  const installed = doc.installed_regions;
  return doc.state === 'Waiting' || !Array.isArray(installed) || installed.length === 0;
}
