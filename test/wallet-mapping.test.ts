import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGateway, type TestGateway } from './support/gateway.js';

const everyField = /* GraphQL */ `
  query Wallet($id: ID!) {
    wallet(id: $id) {
      id accountNativeId awsRegion availableVersion clumioAwsAccountId deploymentUrl
      errorCode errorMessage installedRegions roleArn stackVersion state rawState
      supportedRegions templateUrl token
      keyErrors { region errorCode errorMessage }
      actions { canRefresh canDelete canListKeys }
      links { rel href method templated }
      awsAccount { id }
    }
  }
`;

const link = (href: string, type: string) => ({ href, templated: false, type });

describe('wallet mapping', () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startGateway();
  });
  afterAll(() => gw.close());

  it('maps every field of an errored wallet from snake_case to the schema, int64 values above 2^31 exactly', async () => {
    gw.simulator.putWallet(gw.simulator.demoToken, {
      id: 'map-1',
      account_native_id: '123456789012',
      aws_region: 'eu-central-1',
      available_version: 3_000_000_000,
      clumio_aws_account_id: '210987654321',
      deployment_url: 'https://console.aws.amazon.com/cloudformation/home#/stacks/quickcreate?stackName=clumio',
      error_code: 'KeyInaccessible',
      error_message: 'Clumio cannot use the key: check the key policy.',
      installed_regions: ['eu-central-1', 'eu-west-1'],
      key_errors: {
        'eu-west-1': { error_code: 'AccessDenied', error_message: 'kms:Decrypt denied' },
        'eu-central-1': { error_code: 'Disabled', error_message: 'The key is disabled' },
      },
      role_arn: 'arn:aws:iam::123456789012:role/ClumioKeyRole',
      stack_version: 9_007_199_254_740_991,
      state: 'Error',
      supported_regions: ['eu-central-1', 'eu-west-1', 'us-east-1'],
      template_url: 'https://clumio-templates.s3.amazonaws.com/wallet/v15.yaml',
      token: '3f9c1c2e-8d4b-4c55-9a21-6b0f3e7d2a10',
      _embedded: {},
      _links: {
        _self: link('/wallets/map-1', 'get'),
        'refresh-wallet': link('/wallets/map-1/_refresh', 'post'),
      },
    });

    const { body } = await gw.gql(everyField, { id: 'map-1' });
    expect(body.errors).toBeUndefined();
    expect(body.data).toEqual({
      wallet: {
        id: 'map-1',
        accountNativeId: '123456789012',
        awsRegion: 'eu-central-1',
        availableVersion: 3000000000,
        clumioAwsAccountId: '210987654321',
        deploymentUrl: 'https://console.aws.amazon.com/cloudformation/home#/stacks/quickcreate?stackName=clumio',
        errorCode: 'KeyInaccessible',
        errorMessage: 'Clumio cannot use the key: check the key policy.',
        installedRegions: ['eu-central-1', 'eu-west-1'],
        roleArn: 'arn:aws:iam::123456789012:role/ClumioKeyRole',
        stackVersion: 9007199254740991,
        state: 'ERROR',
        rawState: 'Error',
        supportedRegions: ['eu-central-1', 'eu-west-1', 'us-east-1'],
        templateUrl: 'https://clumio-templates.s3.amazonaws.com/wallet/v15.yaml',
        token: '3f9c1c2e-8d4b-4c55-9a21-6b0f3e7d2a10',
        keyErrors: [
          { region: 'eu-west-1', errorCode: 'AccessDenied', errorMessage: 'kms:Decrypt denied' },
          { region: 'eu-central-1', errorCode: 'Disabled', errorMessage: 'The key is disabled' },
        ],
        actions: { canRefresh: true, canDelete: false, canListKeys: false },
        links: [
          { rel: '_self', href: '/wallets/map-1', method: 'GET', templated: false },
          { rel: 'refresh-wallet', href: '/wallets/map-1/_refresh', method: 'POST', templated: false },
        ],
        awsAccount: { id: '123456789012' },
      },
    });
  });

  it('keeps the wallet when Clumio sends a state it does not know yet, as UNKNOWN with the raw value', async () => {
    gw.simulator.putWallet(gw.simulator.demoToken, { id: 'map-2', state: 'Migrating', token: 't', clumio_aws_account_id: '1', _links: {} });
    const { body } = await gw.gql('query($id: ID!) { wallet(id: $id) { id state rawState } }', { id: 'map-2' });
    expect(body.errors).toBeUndefined();
    expect(body.data).toEqual({ wallet: { id: 'map-2', state: 'UNKNOWN', rawState: 'Migrating' } });
    // Nor is a state named like a property every object has mistaken for one.
    gw.simulator.putWallet(gw.simulator.demoToken, { id: 'map-2b', state: 'Constructor', _links: {} });
    const odd = await gw.gql('query($id: ID!) { wallet(id: $id) { id state rawState } }', { id: 'map-2b' });
    expect(odd.body.errors).toBeUndefined();
    expect(odd.body.data).toEqual({ wallet: { id: 'map-2b', state: 'UNKNOWN', rawState: 'Constructor' } });
  });

  it('reads missing and null fields as null and empty lists, never failing the wallet', async () => {
    gw.simulator.putWallet(gw.simulator.demoToken, {
      id: 'map-3',
      state: 'Waiting',
      account_native_id: null,
      installed_regions: null,
      key_errors: {},
      stack_version: null,
      _links: null,
    });
    const { body } = await gw.gql(everyField, { id: 'map-3' });
    expect(body.errors).toBeUndefined();
    expect(body.data?.wallet).toMatchObject({
      id: 'map-3',
      accountNativeId: null,
      awsAccount: null,
      installedRegions: [],
      supportedRegions: [],
      keyErrors: [],
      stackVersion: null,
      availableVersion: null,
      links: [],
      actions: { canRefresh: false, canDelete: false, canListKeys: false },
    });
  });

  it('exposes every link, including relations Clumio adds later, and derives the actions from them', async () => {
    gw.simulator.putWallet(gw.simulator.demoToken, {
      id: 'map-4',
      state: 'Enabled',
      _links: {
        _self: link('/wallets/map-4', 'get'),
        'delete-wallet': link('/wallets/map-4', 'delete'),
        'list-wallet-keys': { href: '/wallets/map-4/keys{?region}', templated: true, type: 'get' },
        'rotate-wallet-key': link('/wallets/map-4/_rotate', 'post'),
        'broken-link': { templated: false },
        // Methods in any case, named like an Object property, empty or absent.
        'update-wallet': link('/wallets/map-4', 'Patch'),
        'odd-method': link('/wallets/map-4/odd', 'constructor'),
        'empty-method': link('/wallets/map-4/empty', ''),
        'no-method': { href: '/wallets/map-4/none', templated: false },
      },
    });
    const { body } = await gw.gql('query($id: ID!) { wallet(id: $id) { actions { canRefresh canDelete canListKeys } links { rel method templated href } } }', {
      id: 'map-4',
    });
    expect(body.errors).toBeUndefined();
    expect(body.data?.wallet).toEqual({
      actions: { canRefresh: false, canDelete: true, canListKeys: true },
      links: [
        { rel: '_self', method: 'GET', templated: false, href: '/wallets/map-4' },
        { rel: 'delete-wallet', method: 'DELETE', templated: false, href: '/wallets/map-4' },
        { rel: 'list-wallet-keys', method: 'GET', templated: true, href: '/wallets/map-4/keys{?region}' },
        { rel: 'rotate-wallet-key', method: 'POST', templated: false, href: '/wallets/map-4/_rotate' },
        { rel: 'update-wallet', method: 'PATCH', templated: false, href: '/wallets/map-4' },
        { rel: 'odd-method', method: 'CONSTRUCTOR', templated: false, href: '/wallets/map-4/odd' },
        { rel: 'empty-method', method: 'GET', templated: false, href: '/wallets/map-4/empty' },
        { rel: 'no-method', method: 'GET', templated: false, href: '/wallets/map-4/none' },
      ],
    });
  });

  it('answers BAD_UPSTREAM_RESPONSE when a wallet is wrongly shaped, without leaking the body', async () => {
    gw.simulator.putWallet(gw.simulator.demoToken, { id: 'map-5', state: 'Enabled', installed_regions: 'eu-west-1', token: 'secret-ish' });
    const { body } = await gw.gql('query($id: ID!) { wallet(id: $id) { id } }', { id: 'map-5' });
    expect(body.data).toEqual({ wallet: null });
    expect(body.errors?.[0]?.extensions?.code).toBe('BAD_UPSTREAM_RESPONSE');
    expect(JSON.stringify(body)).not.toContain('installed_regions');
    expect(JSON.stringify(body)).not.toContain('secret-ish');
  });

  it('drops a null entry of key_errors, installed_regions or supported_regions and keeps the wallet, in a read and in a list page', async () => {
    const token = 'mapping-nulls-org';
    gw.simulator.addOrganization(token, { seed: false });
    gw.simulator.putWallet(token, { id: 'map-7', state: 'Enabled', account_native_id: '777777777777' });
    gw.simulator.putWallet(token, {
      id: 'map-8',
      state: 'Error',
      installed_regions: ['us-east-1', null, 'us-west-2'],
      supported_regions: [null],
      key_errors: { 'us-east-1': null, 'us-west-2': { error_code: 'KeyDisabled', error_message: 'Enable the key.' } },
    });
    const { body } = await gw.gql('query($id: ID!) { wallet(id: $id) { id installedRegions supportedRegions keyErrors { region errorCode errorMessage } } }', { id: 'map-8' }, { token });
    expect(body).toEqual({
      data: {
        wallet: {
          id: 'map-8',
          installedRegions: ['us-east-1', 'us-west-2'],
          supportedRegions: [],
          keyErrors: [{ region: 'us-west-2', errorCode: 'KeyDisabled', errorMessage: 'Enable the key.' }],
        },
      },
    });
    const list = await gw.gql('{ wallets(first: 10) { nodes { id installedRegions keyErrors { region } } } }', {}, { token });
    expect(list.body).toEqual({
      data: {
        wallets: {
          nodes: [
            { id: 'map-7', installedRegions: [], keyErrors: [] },
            { id: 'map-8', installedRegions: ['us-east-1', 'us-west-2'], keyErrors: [{ region: 'us-west-2' }] },
          ],
        },
      },
    });
  });

  it('still refuses a list of regions holding something other than strings and nulls', async () => {
    gw.simulator.putWallet(gw.simulator.demoToken, { id: 'map-9', state: 'Enabled', installed_regions: ['us-east-1', 7] });
    const { body } = await gw.gql('query($id: ID!) { wallet(id: $id) { id } }', { id: 'map-9' });
    expect(body.errors?.[0]?.extensions?.code).toBe('BAD_UPSTREAM_RESPONSE');
  });

  it('refuses an int64 beyond 2^53-1 on that field alone, keeping the rest of the wallet', async () => {
    gw.simulator.putWallet(gw.simulator.demoToken, { id: 'map-6', state: 'Enabled', stack_version: 2 ** 60, available_version: 15 });
    const { body } = await gw.gql('query($id: ID!) { wallet(id: $id) { id availableVersion stackVersion } }', { id: 'map-6' });
    expect(body.data).toEqual({ wallet: { id: 'map-6', availableVersion: 15, stackVersion: null } });
    expect(body.errors?.[0]?.path).toEqual(['wallet', 'stackVersion']);
    expect(body.errors?.[0]?.extensions?.code).toBe('BAD_UPSTREAM_RESPONSE');
  });
});
