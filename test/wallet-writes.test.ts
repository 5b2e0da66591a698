import { describe, expect, it } from 'vitest';
import { useGateway } from './support/gateway.js';
import { calls, seedWallets } from './support/wallets.js';

const createMutation = /* GraphQL */ `
  mutation Create($input: CreateWalletInput!) {
    createWallet(input: $input) {
      wallet { id state rawState accountNativeId awsRegion token deploymentUrl clumioAwsAccountId actions { canRefresh canDelete } }
    }
  }
`;
const deleteMutation = 'mutation Delete($id: ID!) { deleteWallet(id: $id) { deletedWalletId } }';
const refreshMutation = /* GraphQL */ `
  mutation Refresh($id: ID!) {
    refreshWallet(id: $id) {
      wallet { id state errorCode errorMessage installedRegions keyErrors { region errorCode errorMessage } actions { canDelete } }
    }
  }
`;

interface CreatedWallet {
  createWallet: { wallet: { id: string; state: string; rawState: string; accountNativeId: string; awsRegion: string | null; token: string } };
}

const gateway = useGateway();
let orgCount = 0;

function newOrg(count = 0): { token: string; ids: string[] } {
  const token = `writes-org-${++orgCount}`;
  return { token, ids: seedWallets(gateway.simulator, token, count) };
}

function firstError(response: { body: { errors?: Array<{ extensions?: Record<string, unknown>; message: string }> } }) {
  expect(response.body.errors).toHaveLength(1);
  return response.body.errors![0]!;
}


describe('createWallet', () => {
  it('sends POST /wallets with the snake_case body, the v1 Accept header and the caller token exactly', async () => {
    const { token } = newOrg();
    const response = await gateway.gql<CreatedWallet>(
      createMutation,
      { input: { accountNativeId: '123456789012', awsRegion: 'eu-central-1' } },
      { token, headers: { 'x-clumio-organizationalunit-context': 'ou-finance' } },
    );
    expect(response.body.errors).toBeUndefined();
    const [request, ...others] = gateway.simulator.requests;
    expect(others).toEqual([]);
    expect(request).toMatchObject({ method: 'POST', url: '/wallets' });
    expect(JSON.parse(request!.body)).toEqual({ account_native_id: '123456789012', aws_region: 'eu-central-1' });
    expect(request!.headers).toMatchObject({
      accept: 'application/api.clumio.wallets=v1+json',
      authorization: `Bearer ${token}`,
      'content-type': 'application/json',
      'x-clumio-organizationalunit-context': 'ou-finance',
    });
  });

  it('returns the new wallet, WAITING with its stack token and deployment link, and it is there to read', async () => {
    const { token } = newOrg();
    const response = await gateway.gql<CreatedWallet>(createMutation, { input: { accountNativeId: '210987654321', awsRegion: 'us-east-1' } }, { token });
    const wallet = response.body.data!.createWallet.wallet;
    expect(wallet).toMatchObject({
      state: 'WAITING',
      rawState: 'Waiting',
      accountNativeId: '210987654321',
      awsRegion: 'us-east-1',
      actions: { canRefresh: true, canDelete: true },
    });
    expect(wallet.token).toMatch(/^[0-9a-f-]{36}$/);
    const read = await gateway.gql('query($id: ID!) { wallet(id: $id) { id state } }', { id: wallet.id }, { token });
    expect(read.body.data).toEqual({ wallet: { id: wallet.id, state: 'WAITING' } });
  });

  it('leaves the region out of the body when none is given, and Clumio picks one', async () => {
    const { token } = newOrg();
    const response = await gateway.gql<CreatedWallet>(createMutation, { input: { accountNativeId: '333333333333' } }, { token });
    expect(response.body.errors).toBeUndefined();
    expect(JSON.parse(gateway.simulator.requests[0]!.body)).toEqual({ account_native_id: '333333333333' });
    // Clumio's choice is unpublished; the simulator gives the region of its deployment.
    expect(response.body.data!.createWallet.wallet.awsRegion).toBe('us-west-2');
  });

  it('passes a well-formed region the gateway has never heard of to Clumio, which decides whether it supports it', async () => {
    const { token } = newOrg();
    const response = await gateway.gql<CreatedWallet>(createMutation, { input: { accountNativeId: '313131313131', awsRegion: 'eu-south-9' } }, { token });
    expect(response.body.errors).toBeUndefined();
    expect(JSON.parse(gateway.simulator.requests[0]!.body)).toEqual({ account_native_id: '313131313131', aws_region: 'eu-south-9' });
    expect(response.body.data!.createWallet.wallet).toMatchObject({ awsRegion: 'eu-south-9', state: 'WAITING' });
    gateway.simulator.inject({ kind: 'status', status: 400, message: 'Region us-gov-west-9 is not supported.', match: { method: 'POST' } });
    const refused = await gateway.gql(createMutation, { input: { accountNativeId: '313131313131', awsRegion: 'us-gov-west-9' } }, { token });
    expect(firstError(refused).extensions).toMatchObject({ code: 'BAD_USER_INPUT', upstreamStatus: 400 });
    expect(firstError(refused).message).toContain('Region us-gov-west-9 is not supported.');
  });

  it.each([
    ['11 digits', { accountNativeId: '12345678901' }, 'input.accountNativeId'],
    ['13 digits', { accountNativeId: '1234567890123' }, 'input.accountNativeId'],
    ['letters', { accountNativeId: '12345678901a' }, 'input.accountNativeId'],
    ['surrounding spaces', { accountNativeId: ' 123456789012 ' }, 'input.accountNativeId'],
    ['a trailing newline', { accountNativeId: '123456789012\n' }, 'input.accountNativeId'],
    ['non-ASCII digits', { accountNativeId: '١٢٣٤٥٦٧٨٩٠١٢' }, 'input.accountNativeId'],
    ['a region without its number', { accountNativeId: '123456789012', awsRegion: 'us-west' }, 'input.awsRegion'],
    ['a region with a trailing newline', { accountNativeId: '123456789012', awsRegion: 'us-west-2\n' }, 'input.awsRegion'],
    ['a region in capitals', { accountNativeId: '123456789012', awsRegion: 'US-WEST-2' }, 'input.awsRegion'],
    ['an empty region', { accountNativeId: '123456789012', awsRegion: '' }, 'input.awsRegion'],
    ['a path in the region', { accountNativeId: '123456789012', awsRegion: '../wallets' }, 'input.awsRegion'],
  ])('refuses %s with BAD_USER_INPUT and no upstream call', async (_name, input, argument) => {
    const response = await gateway.gql(createMutation, { input });
    expect(firstError(response).extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument });
    expect(response.body.data).toBeNull();
    expect(calls(gateway.simulator)).toEqual([]);
  });

  it('answers CONFLICT with Clumio\'s message for a duplicate wallet', async () => {
    const { token } = newOrg();
    const input = { accountNativeId: '444444444444', awsRegion: 'us-west-2' };
    expect((await gateway.gql(createMutation, { input }, { token })).body.errors).toBeUndefined();
    const error = firstError(await gateway.gql(createMutation, { input }, { token }));
    expect(error.extensions).toMatchObject({ code: 'CONFLICT', upstreamStatus: 409 });
    expect(error.message).toContain('already exists');
  });

  it('never retries a create, even on a status a read would retry', async () => {
    const { token } = newOrg();
    gateway.simulator.inject({ kind: 'status', status: 503, times: 5, match: { method: 'POST', pathPrefix: '/wallets' } });
    const error = firstError(await gateway.gql(createMutation, { input: { accountNativeId: '555555555555' } }, { token }));
    expect(error.extensions).toMatchObject({ code: 'UPSTREAM_ERROR', upstreamStatus: 503 });
    expect(calls(gateway.simulator)).toEqual(['POST /wallets']);
  });

  it('says the outcome is UNKNOWN when the connection broke after the create was sent, and sends it once', async () => {
    const { token } = newOrg();
    gateway.simulator.inject({ kind: 'reset', times: 5, match: { method: 'POST', pathPrefix: '/wallets' } });
    const error = firstError(await gateway.gql(createMutation, { input: { accountNativeId: '666666666666' } }, { token }));
    expect(error.extensions).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', outcome: 'UNKNOWN' });
    expect(error.message).toContain('may or may not have taken effect');
    expect(calls(gateway.simulator)).toEqual(['POST /wallets']);
  });
});

describe('deleteWallet', () => {
  it('sends DELETE /wallets/{id} with the caller token and says which wallet was deleted', async () => {
    const { token, ids } = newOrg(2);
    const response = await gateway.gql(deleteMutation, { id: ids[0] }, { token });
    expect(response.body).toEqual({ data: { deleteWallet: { deletedWalletId: ids[0] } } });
    const [request, ...others] = gateway.simulator.requests;
    expect(others).toEqual([]);
    expect(request).toMatchObject({ method: 'DELETE', url: `/wallets/${ids[0]}`, body: '' });
    expect(request!.headers).toMatchObject({ accept: 'application/api.clumio.wallets=v1+json', authorization: `Bearer ${token}` });
    const read = await gateway.gql('query($id: ID!) { wallet(id: $id) { id } }', { id: ids[0] }, { token });
    expect(read.body.data).toEqual({ wallet: null });
  });

  it("refuses a wallet whose key stack is installed with PRECONDITION_FAILED and Clumio's reason", async () => {
    const { token, ids } = newOrg(1);
    gateway.simulator.installStack(ids[0]!);
    const error = firstError(await gateway.gql(deleteMutation, { id: ids[0] }, { token }));
    expect(error.extensions).toMatchObject({ code: 'PRECONDITION_FAILED', upstreamStatus: 412 });
    expect(error.message).toContain('still has its key stack installed');
    const read = await gateway.gql('query($id: ID!) { wallet(id: $id) { id state } }', { id: ids[0] }, { token });
    expect(read.body.data).toEqual({ wallet: { id: ids[0], state: 'ENABLED' } });
  });

  it.each([
    ['a 200 with an empty body', { body: '' }],
    ['a 200 with JSON labelled text/plain', { body: '{}', contentType: 'text/plain; charset=utf-8' }],
    ['a 200 with a text body', { body: 'Deleted.', contentType: 'text/plain' }],
    ['a 200 with an HTML body', { body: '<html><body>ok</body></html>', contentType: 'text/html' }],
  ])('takes %s from Clumio as a successful delete, whatever the body', async (_name, reshape) => {
    const { token, ids } = newOrg(1);
    gateway.simulator.inject({ kind: 'body', ...reshape, match: { method: 'DELETE' } });
    const response = await gateway.gql(deleteMutation, { id: ids[0] }, { token });
    expect(response.body).toEqual({ data: { deleteWallet: { deletedWalletId: ids[0] } } });
    expect(calls(gateway.simulator)).toEqual([`DELETE /wallets/${ids[0]}`]);
    const read = await gateway.gql('query($id: ID!) { wallet(id: $id) { id } }', { id: ids[0] }, { token });
    expect(read.body.data).toEqual({ wallet: null });
  });

  it('answers NOT_FOUND for a wallet that does not exist', async () => {
    const error = firstError(await gateway.gql(deleteMutation, { id: 'no-such-wallet' }));
    expect(error.extensions).toMatchObject({ code: 'NOT_FOUND', upstreamStatus: 404 });
  });

  it.each(['../wallets', 'a/b', '%2F', 'x'.repeat(5000)])('refuses the id %j with BAD_USER_INPUT and no upstream call', async (id) => {
    const error = firstError(await gateway.gql(deleteMutation, { id }));
    expect(error.extensions).toMatchObject({ code: 'BAD_USER_INPUT' });
    expect(calls(gateway.simulator)).toEqual([]);
  });
});

describe('refreshWallet', () => {
  it('posts to /wallets/{id}/_refresh with no body and brings an installed wallet to ENABLED', async () => {
    const { token, ids } = newOrg(1);
    gateway.simulator.installStack(ids[0]!);
    const response = await gateway.gql(refreshMutation, { id: ids[0] }, { token });
    expect(response.body.errors).toBeUndefined();
    expect(response.body.data).toMatchObject({
      refreshWallet: { wallet: { id: ids[0], state: 'ENABLED', errorCode: null, keyErrors: [], actions: { canDelete: false } } },
    });
    expect(calls(gateway.simulator)).toEqual([`POST /wallets/${ids[0]}/_refresh`]);
    expect(gateway.simulator.requests[0]!.body).toBe('');
  });

  it('moves a broken wallet to ERROR with its key errors, and back to ENABLED once repaired', async () => {
    const { token, ids } = newOrg(1);
    const id = ids[0]!;
    gateway.simulator.installStack(id);
    gateway.simulator.breakWallet(id, {
      error_code: 'KeyDisabled',
      error_message: 'The key is disabled.',
      key_errors: { 'us-east-1': { error_code: 'KeyDisabled', error_message: 'Enable the key in us-east-1.' } },
    });
    const broken = await gateway.gql(refreshMutation, { id }, { token });
    expect(broken.body.data).toMatchObject({
      refreshWallet: {
        wallet: {
          state: 'ERROR',
          errorCode: 'KeyDisabled',
          errorMessage: 'The key is disabled.',
          keyErrors: [{ region: 'us-east-1', errorCode: 'KeyDisabled', errorMessage: 'Enable the key in us-east-1.' }],
        },
      },
    });
    gateway.simulator.installStack(id);
    const repaired = await gateway.gql(refreshMutation, { id }, { token });
    expect(repaired.body.data).toMatchObject({ refreshWallet: { wallet: { state: 'ENABLED', errorCode: null, keyErrors: [] } } });
  });

  it('reads a wallet whose JSON comes labelled text/plain, and refuses an empty 200 as BAD_UPSTREAM_RESPONSE', async () => {
    const { token, ids } = newOrg(1);
    gateway.simulator.inject({ kind: 'body', contentType: 'text/plain; charset=utf-8', match: { method: 'POST' } });
    const labelled = await gateway.gql(refreshMutation, { id: ids[0] }, { token });
    expect(labelled.body.errors).toBeUndefined();
    expect(labelled.body.data).toMatchObject({ refreshWallet: { wallet: { id: ids[0], state: 'WAITING' } } });
    gateway.simulator.inject({ kind: 'body', body: '', match: { method: 'POST' } });
    const empty = await gateway.gql(refreshMutation, { id: ids[0] }, { token });
    expect(firstError(empty).extensions).toMatchObject({ code: 'BAD_UPSTREAM_RESPONSE' });
  });

  it('answers NOT_FOUND for a wallet that does not exist', async () => {
    const error = firstError(await gateway.gql(refreshMutation, { id: 'no-such-wallet' }));
    expect(error.extensions).toMatchObject({ code: 'NOT_FOUND', upstreamStatus: 404 });
  });
});

describe('a wallet from create to delete', () => {
  it('is created WAITING, enabled by its stack, refused deletion while installed, and deleted once the stack is gone', async () => {
    const { token } = newOrg();
    const created = await gateway.gql<CreatedWallet>(createMutation, { input: { accountNativeId: '777777777777', awsRegion: 'us-west-2' } }, { token });
    const id = created.body.data!.createWallet.wallet.id;
    expect(created.body.data!.createWallet.wallet.state).toBe('WAITING');
    gateway.simulator.installStack(id);
    const enabled = await gateway.gql(refreshMutation, { id }, { token });
    expect(enabled.body.data).toMatchObject({ refreshWallet: { wallet: { state: 'ENABLED' } } });
    expect(firstError(await gateway.gql(deleteMutation, { id }, { token })).extensions).toMatchObject({ code: 'PRECONDITION_FAILED' });
    // The customer deletes the stack in AWS: Clumio's wallet keeps no installed region.
    gateway.simulator.putWallet(token, { id, account_native_id: '777777777777', aws_region: 'us-west-2', state: 'Error', installed_regions: [] });
    const deleted = await gateway.gql(deleteMutation, { id }, { token });
    expect(deleted.body.data).toEqual({ deleteWallet: { deletedWalletId: id } });
    expect((await gateway.gql('query($id: ID!) { wallet(id: $id) { id } }', { id }, { token })).body.data).toEqual({ wallet: null });
  });

  it('follows the BYOK Terraform module: its post-processing Create enables the wallet, its Delete lets the wallet be deleted', async () => {
    const { token } = newOrg();
    const created = await gateway.gql<CreatedWallet>(createMutation, { input: { accountNativeId: '818181818181', awsRegion: 'us-east-2' } }, { token });
    const wallet = created.body.data!.createWallet.wallet;
    const postProcess = (requestType: string) =>
      fetch(`${gateway.simulator.url}/wallets/_post-process`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, accept: 'application/api.clumio.post-process-kms=v1+json', 'content-type': 'text/plain; charset=utf-8' },
        body: JSON.stringify({ request_type: requestType, token: wallet.token, account_native_id: '818181818181', aws_region: 'us-east-2', role_arn: null }),
        signal: AbortSignal.timeout(5_000),
      });
    expect((await postProcess('Create')).status).toBe(200);
    const enabled = await gateway.gql(refreshMutation, { id: wallet.id }, { token });
    expect(enabled.body.data).toMatchObject({ refreshWallet: { wallet: { state: 'ENABLED', installedRegions: ['us-east-2'], actions: { canDelete: false } } } });
    expect(firstError(await gateway.gql(deleteMutation, { id: wallet.id }, { token })).extensions).toMatchObject({ code: 'PRECONDITION_FAILED' });
    expect((await postProcess('Delete')).status).toBe(200);
    const deleted = await gateway.gql(deleteMutation, { id: wallet.id }, { token });
    expect(deleted.body.data).toEqual({ deleteWallet: { deletedWalletId: wallet.id } });
  });
});
