import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGateway, type TestGateway } from './support/gateway.js';

// COMPILED_EXECUTION=false is how the bench's ablation measures what the compiled plans buy:
// known operations still skip Yoga's pipeline, but run on Yoga's executor.
describe('COMPILED_EXECUTION', () => {
  let compiled: TestGateway;
  let uncompiled: TestGateway;
  const query = 'query W($id: ID!) { wallet(id: $id) { id state rawState keyErrors { region errorCode } links { rel href } } }';

  beforeAll(async () => {
    compiled = await startGateway();
    uncompiled = await startGateway({ env: { COMPILED_EXECUTION: 'false' } });
  });
  afterAll(async () => {
    await compiled?.close();
    await uncompiled?.close();
  });

  it('when false, runs known operations on the fast path without a compiled plan, with the same answers', async () => {
    const ask = async (gateway: TestGateway) => {
      const id = String(gateway.simulator.putWallet(gateway.simulator.demoToken, { id: 'wallet-compiled-setting', state: 'Enabled' }).id);
      // The first time through Yoga's pipeline; then known.
      await gateway.gql(query, { id });
      const before = { prepared: gateway.app.handler.preparedCount, compiled: gateway.app.handler.compiledCount };
      const known = await gateway.gql(query, { id });
      return {
        body: known.body,
        prepared: gateway.app.handler.preparedCount - before.prepared,
        compiled: gateway.app.handler.compiledCount - before.compiled,
      };
    };
    const on = await ask(compiled);
    const off = await ask(uncompiled);
    expect(on.body.data).toMatchObject({ wallet: { id: 'wallet-compiled-setting', state: 'ENABLED' } });
    expect(off.body).toEqual(on.body);
    expect(on).toMatchObject({ prepared: 1, compiled: 1 });
    expect(off).toMatchObject({ prepared: 1, compiled: 0 });
  });

  it('is refused at startup unless true or false', async () => {
    const { loadConfig } = await import('../src/config.js');
    expect(() => loadConfig({ COMPILED_EXECUTION: 'maybe' })).toThrow(/COMPILED_EXECUTION must be true or false/);
  });
});
