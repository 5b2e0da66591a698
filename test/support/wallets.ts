import type { RecordedRequest, Simulator } from '../../src/simulator/index.js';

/** A fresh organization for `token` holding `count` Waiting wallets; returns their ids in Clumio's order. */
export function seedWallets(simulator: Simulator, token: string, count: number): string[] {
  simulator.addOrganization(token, { seed: false });
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const account = String(100_000_000_000 + i);
    const doc = simulator.putWallet(token, { account_native_id: account, aws_region: 'us-west-2', state: 'Waiting', key_errors: {} });
    ids.push(String(doc.id));
  }
  return ids;
}

/** The Clumio API requests the simulator received since the last clear, as `METHOD path`. */
export function calls(simulator: Simulator, filter: (r: RecordedRequest) => boolean = () => true): string[] {
  return simulator.requests.filter(filter).map((r) => `${r.method} ${r.path}`);
}
