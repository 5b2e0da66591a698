import { serverAudits } from 'graphql-http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGateway, type TestGateway } from './support/gateway.js';

describe('GraphQL over HTTP', () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startGateway();
  });
  afterAll(() => gw.close());

  // The audit speaks as an authenticated client of this gateway: every caller sends a bearer token.
  const audits = serverAudits({
    url: () => gw.url,
    fetchFn: (input: RequestInfo | URL, init?: RequestInit) => {
      const headers = new Headers(init?.headers);
      headers.set('authorization', `Bearer ${gw.simulator.demoToken}`);
      return fetch(input, { ...init, headers, signal: AbortSignal.timeout(10_000) });
    },
  });

  for (const audit of audits) {
    it(`${audit.name} (${audit.id})`, async () => {
      const result = await audit.fn();
      expect({ status: result.status, reason: result.status === 'ok' ? undefined : result.reason }).toEqual({ status: 'ok', reason: undefined });
    });
  }
});
