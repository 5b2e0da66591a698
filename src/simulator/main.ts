import { exitOnListenFailure } from '../listen-failure.js';
import { onStopSignals } from '../stop-signals.js';
import { createSimulator } from './index.js';

function numberFromEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) {
    console.error(`${name} must be a non-negative integer, got ${JSON.stringify(raw)}`);
    process.exit(1);
  }
  return value;
}

function createFromEnv() {
  try {
    return createSimulator({ latencyMs: numberFromEnv('SIMULATOR_LATENCY_MS', 0), latencyJitterMs: numberFromEnv('SIMULATOR_LATENCY_JITTER_MS', 0) });
  } catch (error) {
    // The simulator's own checks (the jitter at most the latency).
    console.error(`SIMULATOR_LATENCY_MS / SIMULATOR_LATENCY_JITTER_MS: ${(error as Error).message}`);
    process.exit(1);
  }
}
const simulator = createFromEnv();

onStopSignals(() => simulator.close());

const port = numberFromEnv('SIMULATOR_PORT', 4010);
const url = await simulator.listen(port, '127.0.0.1').catch((error: unknown) => exitOnListenFailure(error, 'Clumio simulator', port, '127.0.0.1', 'SIMULATOR_PORT'));
console.log(`Clumio simulator listening on ${url}`);
console.log(`Demo bearer token: ${simulator.demoToken}`);
