import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSimulator, type Simulator } from '../src/simulator/index.js';
import type { ClumioWallet, ClumioWalletPage } from './support/clumio-json.js';
import { readJson } from './support/json.js';
import { readDoc } from './support/markdown.js';

const guide = readDoc('docs/frontends.md');

/** The rows of the first table after `heading` in docs/frontends.md, cells trimmed. */
function tableAfter(heading: string): string[][] {
  const start = guide.indexOf(heading);
  if (start < 0) throw new Error(`docs/frontends.md has no ${heading}`);
  const lines = guide.slice(start).split('\n');
  const first = lines.findIndex((line) => line.startsWith('|'));
  const rows: string[][] = [];
  for (const line of lines.slice(first + 2)) {
    if (!line.startsWith('|')) break;
    rows.push(line.slice(1, -1).split(' | ').map((cell) => cell.trim()));
  }
  return rows;
}

/** The first `{…}` JSON in backticks of a cell, if any. */
function jsonIn(cell: string): string | undefined {
  return /`(\{.*?\})`/.exec(cell)?.[1];
}

let simulator: Simulator;
beforeAll(async () => {
  simulator = createSimulator();
  await simulator.listen(0, '127.0.0.1');
});
afterAll(async () => {
  await simulator?.close();
});

async function walletIds(state: string): Promise<string[]> {
  const response = await fetch(`${simulator.url}/wallets?limit=100`, { headers: { authorization: `Bearer ${simulator.demoToken}` } });
  const body = await readJson<ClumioWalletPage>(response);
  return body._embedded.items.filter((wallet) => wallet.state === state).map((wallet) => wallet.id);
}

describe("docs/frontends.md's simulator guide", () => {
  it('lists control endpoints that each answer as it says: install-stack enables a wallet at the next look, break errors it at the next refresh', async () => {
    const rows = tableAfter('### Control endpoints');
    expect(rows.length).toBeGreaterThanOrEqual(9);
    const [waiting] = await walletIds('Waiting');
    let installed = 0;
    for (const [endpoint, body] of rows) {
      const [method, path] = /^`(\w+) (\/__simulator\/\S+)`$/.exec(endpoint!)!.slice(1) as [string, string];
      const json = jsonIn(body!);
      const response = await fetch(`${simulator.url}${path.replace('<id>', waiting!)}`, {
        method,
        ...(json ? { body: json, headers: { 'content-type': 'application/json' } } : {}),
      });
      expect(`${method} ${path}: ${response.status}`).toBe(`${method} ${path}: ${method === 'GET' ? 200 : 204}`);
      await response.arrayBuffer();
      // The stack is seen installed at the next look.
      if (path.endsWith('/install-stack')) {
        expect(await walletIds('Enabled')).toContain(waiting);
        installed++;
      }
      // Leave the next requests unfaulted and undelayed.
      simulator.clearFaults();
      simulator.setLatency(0);
    }
    // The guide lists install-stack, and so it was tried.
    expect(installed).toBe(1);
    // The broken key is seen at the next refresh.
    const refreshed = await fetch(`${simulator.url}/wallets/${waiting}/_refresh`, { method: 'POST', headers: { authorization: `Bearer ${simulator.demoToken}` } });
    expect((await readJson<ClumioWallet>(refreshed)).state).toBe('Error');
  });

  it('lists fault kinds that the simulator accepts, and it refuses one it does not know', async () => {
    const kinds = tableAfter('A fault is').map(([kind]) => kind!.replaceAll('`', ''));
    expect(kinds.length).toBeGreaterThanOrEqual(8);
    const required: Record<string, object> = { status: { status: 503 }, slowBody: { chunkDelayMs: 1 }, huge: { bytes: 10 } };
    for (const kind of [...kinds, 'teapot']) {
      const response = await fetch(`${simulator.url}/__simulator/faults`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ kind, ...required[kind], match: { pathPrefix: '/nowhere' } }),
      });
      await response.arrayBuffer();
      expect(`${kind}: ${response.status}`).toBe(`${kind}: ${kind === 'teapot' ? 400 : 204}`);
    }
    simulator.clearFaults();
  });
});
