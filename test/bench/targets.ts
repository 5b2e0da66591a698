import type { DocumentLimits } from '../../src/graphql/documents.js';

/** A server the bench measures: Clumio itself, a peer, or the gateway (as shipped or with one mechanism off). */
export interface Target {
  name: string;
  title: string;
  kind: 'direct' | 'peer' | 'gateway';
}

export const direct: Target = { name: 'direct', title: 'Clumio simulator, called directly', kind: 'direct' };

/** A peer: a file of peers/ (`script`, else its name) run in a process of its own, serving GraphQL at `path`, with `env` beside the bench's. */
export interface Peer extends Target {
  path: string;
  script?: string;
  env?: Record<string, string>;
}

/** The peers, as their users write them. */
export const peers: Peer[] = [
  { name: 'mercurius', title: 'Fastify + Mercurius (graphql-jit) + undici Pool', kind: 'peer', path: '/graphql' },
  { name: 'apollo', title: 'Apollo Server 5 + RESTDataSource', kind: 'peer', path: '/' },
  { name: 'yoga', title: 'graphql-yoga + fetch', kind: 'peer', path: '/graphql' },
  { name: 'floor', title: 'a floor: node:http + graphql-jit + undici Pool with no framework or protection', kind: 'peer', path: '/graphql' },
];

/**
 * Mercurius with the bounds the gateway's production settings put on one caller's Clumio calls
 * (in flight, and per operation), loaded side by side with the gateway under `_entities`: with
 * one caller's 20 calls per operation, what the bounds cost is told apart from what the gateway
 * costs. The bounds are the gateway's own settings (src/config.ts), read from its environment:
 * one caller's calls in flight are the least of its bounds in all, per caller and on connections.
 */
export function boundedMercurius(bounds: CallerBounds): Peer {
  return {
    name: 'mercurius-bounded',
    script: 'mercurius',
    title: `Fastify + Mercurius with the gateway's bounds (${bounds.callsInFlight} Clumio calls in flight, ${bounds.perOperation} per operation)`,
    kind: 'peer',
    path: '/graphql',
    env: boundsEnv(bounds),
  };
}

/**
 * Mercurius with the protections the gateway has on, each as its users add it
 * (peers/mercurius-protected.ts), with the gateway's settings, its bounds on one caller's calls
 * among them; loaded side by side with the gateway in every scenario: what the gateway's
 * protections cost, beside what the same protections cost Mercurius.
 */
export function protectedMercurius(settings: ProtectedSettings): Peer {
  return {
    name: 'mercurius-protected',
    title: "Fastify + Mercurius with the gateway's protections as its users add them",
    kind: 'peer',
    path: '/graphql',
    env: { ...boundsEnv(settings), PEER_PROTECTIONS: JSON.stringify(settings) },
  };
}

/** The bounds the gateway's settings put on one caller's Clumio calls: in flight, and at once per operation. */
export interface CallerBounds {
  callsInFlight: number;
  perOperation: number;
}

/** The gateway's settings that the protected Mercurius takes for its protections (src/config.ts, src/graphql/documents.ts). */
export interface ProtectedSettings extends CallerBounds {
  maxBodyBytes: number;
  operationDeadlineMs: number;
  callBudget: number;
  documentLimits: DocumentLimits;
  maxRetries: number;
  retryBaseDelayMs: number;
  retryMaxDelayMs: number;
  breakerMinimumCalls: number;
  breakerFailurePercent: number;
  breakerWindowMs: number;
  breakerCooldownMs: number;
}

function boundsEnv(bounds: CallerBounds): Record<string, string> {
  return { PEER_MAX_CONNECTIONS: String(bounds.callsInFlight), PEER_CONCURRENCY_PER_OPERATION: String(bounds.perOperation) };
}

/** The gateway, or a variant of it: started as the gateway is, with its environment and `/health`. */
export interface GatewayVariant extends Target {
  env: Record<string, string>;
  /** What the variant leaves out, for the ablation table (its settings when absent). */
  off?: string;
  /** Its entry point in the bench's build (the gateway's own when absent). */
  entry?: string;
}

/** The gateway as it ships: what every ratio compares. */
export const gateway: GatewayVariant = { name: 'gateway', title: 'this gateway', kind: 'gateway', env: {} };

/**
 * `--ablation`: the gateway once more per fast mechanism, with that mechanism off, as servers of
 * their own in the same run; once without its operation log line and metrics, which prices
 * those two protections (a gain below zero is their cost); and its data path alone in the floor's
 * loop (peers/data-path.ts), which prices the request pipeline around it. A new mechanism with a
 * setting to turn it off is one line here.
 */
export const ablations: GatewayVariant[] = [
  { name: 'no-own-door', title: "this gateway, FAST_PATH=false (Yoga's door only)", kind: 'gateway', env: { FAST_PATH: 'false' } },
  { name: 'no-jit', title: 'this gateway, JIT_COMPILE_AFTER=0 (no compiled execution)', kind: 'gateway', env: { JIT_COMPILE_AFTER: '0' } },
  { name: 'no-log-metrics', title: 'this gateway, LOG_LEVEL=warn METRICS=false (no operation log line, no metrics)', kind: 'gateway', env: { LOG_LEVEL: 'warn', METRICS: 'false' } },
  {
    name: 'data-path',
    title: "this gateway's data path alone, in the floor's loop (no door, document store, observation or masking)",
    kind: 'gateway',
    env: {},
    off: 'the whole request pipeline (peers/data-path.ts)',
    entry: 'test/bench/peers/data-path.js',
  },
];
