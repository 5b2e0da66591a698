import { exitOnListenFailure } from '../listen-failure.js';
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

let stopping: Promise<void> | undefined;
/** Closes the simulator once and exits 0; a repeated signal waits for the same close. */
function stop(): Promise<void> {
  return (stopping ??= simulator.close().then(() => process.exit(0)));
}
process.on('SIGINT', () => void stop());
process.on('SIGTERM', () => void stop());

const port = numberFromEnv('SIMULATOR_PORT', 4010);
const url = await simulator.listen(port, '127.0.0.1').catch((error: unknown) => exitOnListenFailure(error, 'Clumio simulator', port, '127.0.0.1', 'SIMULATOR_PORT'));
console.log(`Clumio simulator listening on ${url}`);
console.log(`Demo bearer token: ${simulator.demoToken}`);
