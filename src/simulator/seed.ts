import { createHash } from 'node:crypto';
import { stableUuid } from './ids.js';
import type { Organization, Store } from './store.js';
import type { BreakDetails } from './types.js';
import { breakDoc, enableDoc, newWalletDoc } from './wallet.js';

function base64url(text: string): string {
  return Buffer.from(text).toString('base64url');
}

/** Shaped like the long JWTs Clumio issues, so gateways treat it like a real one; fixed across runs. */
export const DEMO_TOKEN = [
  base64url('{"alg":"RS256","typ":"JWT","kid":"clumio-simulator"}'),
  base64url('{"iss":"https://us-west-2.api.clumio.com","sub":"demo.user@example.com","org":"clumio-simulator-demo","iat":1700000000,"exp":4102444800}'),
  createHash('sha512').update('clumio-simulator-demo').digest('base64url'),
].join('.');

interface SeedWallet {
  account: string;
  region: string;
  state: 'Waiting' | 'Enabled' | 'Error';
  installed?: string[];
  stackVersion?: number;
  errors?: BreakDetails;
}

const KEY_ERRORS: BreakDetails = {
  error_code: 'KeyAccessFailed',
  error_message:
    'Clumio could not use the multi-region key in 2 regions. Check the key policy and that every replica is enabled, then refresh the wallet.',
  key_errors: {
    'us-east-1': { error_code: 'KeyDisabled', error_message: 'The primary key in us-east-1 is disabled. Enable it in the AWS KMS console.' },
    'us-west-2': { error_code: 'KeyPolicyDenied', error_message: 'The key policy of the replica in us-west-2 does not allow the Clumio role to use it.' },
  },
};

const STACK_FAILED: BreakDetails = {
  error_code: 'StackCreationFailed',
  error_message: 'The CloudFormation stack was rolled back. Open the stack events in the AWS console, fix the cause and create the stack again.',
  key_errors: {},
};

const DEMO: SeedWallet[] = [
  { account: '482916307551', region: 'us-west-2', state: 'Enabled', installed: ['us-west-2', 'us-east-1'] },
  { account: '482916307551', region: 'us-east-1', state: 'Enabled', installed: ['us-east-1'] },
  { account: '730245118906', region: 'eu-central-1', state: 'Waiting' },
  { account: '315572904418', region: 'us-east-1', state: 'Error', installed: ['us-east-1', 'us-west-2'], errors: KEY_ERRORS },
  { account: '905118374260', region: 'ca-central-1', state: 'Enabled', installed: ['ca-central-1'], stackVersion: 14 },
  { account: '268401957733', region: 'ap-southeast-2', state: 'Waiting' },
  { account: '157093846622', region: 'eu-west-1', state: 'Error', errors: STACK_FAILED },
  { account: '640887215390', region: 'us-east-2', state: 'Enabled', installed: ['us-east-2', 'us-west-2', 'eu-central-1'] },
];

const SMALL: SeedWallet[] = [
  { account: '123456789012', region: 'us-west-2', state: 'Enabled', installed: ['us-west-2'] },
  { account: '210987654321', region: 'us-east-1', state: 'Waiting' },
  { account: '345678901234', region: 'eu-central-1', state: 'Error', installed: ['eu-central-1'] },
];

// Everything about a seeded wallet derives from its organization's token and its place in the
// seed, so its id (and stack token and role) are the same after a restart: a saved GraphiQL tab
// or script keeps working.
function plant(store: Store, org: Organization, name: string, seed: SeedWallet): void {
  const doc = newWalletDoc(seed.account, seed.region, { id: stableUuid(`${name}:id`), token: stableUuid(`${name}:token`) });
  if (seed.installed) {
    doc.role_arn = `arn:aws:iam::${seed.account}:role/ClumioBYOKWalletRole-${stableUuid(`${name}:role`).slice(0, 12)}`;
    doc.installed_regions = seed.installed;
    enableDoc(doc);
    if (seed.stackVersion !== undefined) doc.stack_version = seed.stackVersion;
  }
  if (seed.state === 'Error') breakDoc(doc, seed.errors);
  store.insert(org, doc);
}

/** The demo organization gets eight wallets; organizations added later get three, one per state. */
export function seedOrganization(store: Store, org: Organization, token: string, demo: boolean): void {
  (demo ? DEMO : SMALL).forEach((seed, index) => plant(store, org, `clumio-simulator-seed:${token}:${index}`, seed));
}
