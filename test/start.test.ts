import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { connectOutcome, until } from './support/wait.js';
import { root } from './support/gateway-process.js';

interface Started {
  child: ChildProcess;
  exited: Promise<number | null>;
  stdout: () => string;
  stderr: () => string;
}

const children: ChildProcess[] = [];
afterEach(() => {
  // A test that failed half-way must not leave its processes behind.
  for (const child of children.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});

/** Runs a command from the repository root as a user would, with the environment of a fresh shell plus `env`. */
function run(command: string, args: string[], env: Record<string, string>): Started {
  const base = Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^(CLUMIO_|NODE_ENV$|PORT$|HOST$|VITEST)/.test(name)));
  const child = spawn(command, args, { cwd: root, env: { ...base, LOG_LEVEL: 'silent', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, exited, stdout: () => stdout, stderr: () => stderr };
}

/** `npm start` on a free port, once its banner is out: the GraphQL URL and the export line's token. */
async function npmStart(): Promise<Started & { url: string; token: string }> {
  const started = run('npm', ['start'], { PORT: '0' });
  let exitedEarly = false;
  void started.exited.then(() => (exitedEarly = true));
  await until(() => exitedEarly || /^export CLUMIO_TOKEN=/m.test(started.stdout()), 60_000, 50);
  const url = /on (http:\/\/\S+\/graphql)/.exec(started.stdout())?.[1];
  const token = /^export CLUMIO_TOKEN='([^']+)'$/m.exec(started.stdout())?.[1];
  if (!url || !token) throw new Error(`npm start printed no URL or export line:\n${started.stdout()}\n${started.stderr()}`);
  return { ...started, url, token };
}

/** Whether a fresh TCP connection to the URL's port is refused. */
async function refused(url: string): Promise<boolean> {
  return (await connectOutcome(url)) === 'ECONNREFUSED';
}

/** A loopback port held by another server for the length of a test. */
async function holdPort(): Promise<{ port: number; server: Server }> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { port: (server.address() as { port: number }).port, server };
}

describe('starting the gateway', () => {
  it('prints a ready export CLUMIO_TOKEN line whose token the gateway accepts for a query', async () => {
    const gateway = await npmStart();
    const response = await fetch(gateway.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${gateway.token}` },
      body: JSON.stringify({ query: '{ wallets(first: 3) { nodes { id state } } }' }),
      signal: AbortSignal.timeout(20_000),
    });
    const body = (await response.json()) as { data?: { wallets: { nodes: unknown[] } }; errors?: unknown };
    expect(body.errors).toBeUndefined();
    expect(body.data?.wallets.nodes).toHaveLength(3);
    gateway.child.kill('SIGTERM');
    expect(await gateway.exited).toBe(0);
  }, 90_000);

  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    it(`stops the gateway when ${signal} is sent to npm's own process, leaving nothing listening`, async () => {
      const gateway = await npmStart();
      expect(await refused(gateway.url)).toBe(false);
      gateway.child.kill(signal);
      await until(() => gateway.child.exitCode !== null || gateway.child.signalCode !== null, 30_000, 50);
      expect(gateway.child.exitCode, `npm ended by ${gateway.child.signalCode}; stderr: ${gateway.stderr()}`).toBe(0);
      // An orphaned gateway would still hold the port.
      await until(() => refused(gateway.url), 20_000, 50);
    }, 90_000);
  }

  it("stops the standalone simulator when SIGTERM is sent to npm run simulator's own process", async () => {
    const simulator = run('npm', ['run', 'simulator'], { SIMULATOR_PORT: '0' });
    let exitedEarly = false;
    void simulator.exited.then(() => (exitedEarly = true));
    await until(() => exitedEarly || /listening on http:\/\/\S+/.test(simulator.stdout()), 60_000, 50);
    const url = /listening on (http:\/\/\S+)/.exec(simulator.stdout())?.[1];
    expect(url, simulator.stderr()).toBeDefined();
    expect(await refused(url!)).toBe(false);
    simulator.child.kill('SIGTERM');
    await until(() => simulator.child.exitCode !== null || simulator.child.signalCode !== null, 30_000, 50);
    expect(simulator.child.exitCode, `npm ended by ${simulator.child.signalCode}; stderr: ${simulator.stderr()}`).toBe(0);
    await until(() => refused(url!), 20_000, 50);
  }, 90_000);

  it('says in one line which port is taken and which variable changes it, and exits 1', async () => {
    const { port, server } = await holdPort();
    try {
      const gateway = run(process.execPath, ['--import', 'tsx', 'src/main.ts'], { PORT: String(port), HOST: '127.0.0.1' });
      expect(await gateway.exited).toBe(1);
      expect(gateway.stderr()).toBe(
        `Clumio wallet gateway: port ${port} on 127.0.0.1 is already in use; stop what holds it or set PORT to another port (PORT=${port + 1}).\n`,
      );
    } finally {
      server.close();
    }
  }, 60_000);

  it('says the same for the standalone simulator, naming SIMULATOR_PORT, and exits 1', async () => {
    const { port, server } = await holdPort();
    try {
      const simulator = run(process.execPath, ['--import', 'tsx', 'src/simulator/main.ts'], { SIMULATOR_PORT: String(port) });
      expect(await simulator.exited).toBe(1);
      expect(simulator.stderr()).toBe(
        `Clumio simulator: port ${port} on 127.0.0.1 is already in use; stop what holds it or set SIMULATOR_PORT to another port (SIMULATOR_PORT=${port + 1}).\n`,
      );
    } finally {
      server.close();
    }
  }, 60_000);
});
