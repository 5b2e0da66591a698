import { isAwsRegionName } from '../clumio/regions.js';
import { json, type Answer } from './answer.js';
import { ApiError } from './errors.js';
import { parseJsonObject } from './json-body.js';
import { reportStack } from './lifecycle.js';
import type { Organization } from './store.js';

const REQUEST_TYPES = new Set(['Create', 'Update', 'Delete']);
// Fields of Clumio's PostProcessKmsV1Request that are strings; the Go SDK sends unset ones as null.
const STRING_FIELDS = ['account_native_id', 'aws_region', 'multi_region_cmk_key_id', 'role_arn', 'role_external_id', 'role_id', 'stack_set_id'];

function refuse(message: string): never {
  throw new ApiError(400, message);
}

function optionalString(fields: Record<string, unknown>, name: string): string | undefined {
  const value = fields[name];
  if (value === undefined || value === null) return undefined;
  return typeof value === 'string' ? value : refuse(`${name} must be a string.`);
}

/**
 * `POST /wallets/_post-process`, which the BYOK Terraform module calls after creating, updating
 * or deleting the wallet's key stack: `Create` and `Update` install the stack on the wallet the
 * token names (Waiting becomes Enabled), `Delete` uninstalls it (back to Waiting, deletable).
 * Unknown fields are ignored; a body that does not fit (no or another request_type, no token,
 * a token of no wallet this caller sees, another account, a malformed region) is refused with 400.
 */
export function postProcess(org: Organization, unit: string, body: string): Answer {
  const fields = parseJsonObject(body);
  const type = fields.request_type;
  if (typeof type !== 'string' || !REQUEST_TYPES.has(type)) refuse('request_type must be Create, Update or Delete.');
  const token = fields.token;
  if (typeof token !== 'string' || token === '') refuse("token is required: the wallet's 36-character token.");
  for (const name of STRING_FIELDS) optionalString(fields, name);
  if (fields.created_multi_region_cmk != null && typeof fields.created_multi_region_cmk !== 'boolean') refuse('created_multi_region_cmk must be a boolean.');
  const account = optionalString(fields, 'account_native_id');
  const region = optionalString(fields, 'aws_region');
  if (region !== undefined && !isAwsRegionName(region)) refuse('aws_region must be an AWS region name such as us-west-2.');
  const wallet = org.visibleIn(unit).find((w) => w.doc.token === token);
  if (!wallet) refuse('token matches no wallet of this organization.');
  if (account !== undefined && account !== wallet.doc.account_native_id) refuse("account_native_id is not the wallet's AWS account.");
  const roleArn = optionalString(fields, 'role_arn');
  reportStack(wallet, type === 'Delete' ? { installed: false } : { installed: true, ...(region ? { region } : {}), ...(roleArn ? { roleArn } : {}) });
  return json(200, '{}');
}
