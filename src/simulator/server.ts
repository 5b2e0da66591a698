import { createServer } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { ApiContext } from './context.js';
import type { Controls } from './control.js';
import { FaultQueue } from './faults.js';
import { createHandler } from './handler.js';
import { breakWallet, installStack } from './lifecycle.js';
import { RequestLog } from './request-log.js';
import { DEMO_TOKEN, seedOrganization } from './seed.js';
import { Store } from './store.js';
import { Timers } from './timers.js';
import { DEFAULT_REGION, type Simulator, type SimulatorOptions } from './types.js';

function checkLatency(ms: number): number {
  if (typeof ms !== 'number' || !Number.isFinite(ms) || ms < 0) throw new RangeError('latency must be a finite number of ms >= 0');
  return ms;
}

function checkJitter(jitterMs: number, ms: number): number {
  if (typeof jitterMs !== 'number' || !Number.isFinite(jitterMs) || jitterMs < 0 || jitterMs > ms) throw new RangeError('latency jitter must be from 0 to the latency');
  return jitterMs;
}

export function createSimulator(options: SimulatorOptions = {}): Simulator {
  const store = new Store();
  const ctx: ApiContext = {
    store,
    paging: { defaultPageSize: options.defaultPageSize ?? 25, maxPageSize: options.maxPageSize ?? 100, strictTokens: options.strictPageTokens ?? false },
    defaultRegion: options.region ?? DEFAULT_REGION,
    autoInstallAfterMs: options.autoInstallAfterMs,
  };
  let latencyMs = checkLatency(options.latencyMs ?? 0);
  let jitterMs = checkJitter(options.latencyJitterMs ?? 0, latencyMs);
  let url = '';
  const timers = new Timers();
  const sockets = new Set<Socket>();

  const controls: Controls = {
    faults: new FaultQueue(),
    log: new RequestLog(),
    setLatency(ms, jitter = 0) {
      jitterMs = checkJitter(jitter, checkLatency(ms));
      latencyMs = ms;
    },
    addOrganization(token, opts) {
      const org = store.addOrganization(token);
      if (opts.seed !== false) seedOrganization(store, org, token, false);
    },
    setStrictPageTokens(strict) {
      ctx.paging.strictTokens = strict;
    },
    installStack: (walletId) => installStack(store.find(walletId)),
    breakWallet: (walletId, errors) => breakWallet(store.find(walletId), errors),
  };

  // The demo organization exists even unseeded, so demoToken always authenticates.
  const demo = store.addOrganization(DEMO_TOKEN);
  if (options.seed !== false) seedOrganization(store, demo, DEMO_TOKEN, true);

  const server = createServer(createHandler({ ctx, controls, timers, latency: () => (jitterMs > 0 ? latencyMs + (Math.random() * 2 - 1) * jitterMs : latencyMs) }));
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  return {
    listen(port = 0, host = '127.0.0.1') {
      return new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          server.off('error', reject);
          const address = server.address() as AddressInfo;
          url = `http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`;
          resolve(url);
        });
      });
    },
    close() {
      timers.clear();
      if (!server.listening) return Promise.resolve();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      return closed;
    },
    get url() {
      return url;
    },
    demoToken: DEMO_TOKEN,
    get requests() {
      return controls.log.all();
    },
    clearRequests: () => controls.log.clear(),
    inject: (fault) => controls.faults.inject(fault),
    clearFaults: () => controls.faults.clear(),
    setLatency: (ms, jitter) => controls.setLatency(ms, jitter),
    setStrictPageTokens: (strict) => controls.setStrictPageTokens(strict),
    addOrganization: (token, opts = {}) => controls.addOrganization(token, opts),
    putWallet: (token, raw, opts = {}) => ({ ...store.put(token, raw, opts.organizationalUnit ?? '').doc }),
    installStack: (walletId) => controls.installStack(walletId),
    breakWallet: (walletId, errors) => controls.breakWallet(walletId, errors),
  };
}
