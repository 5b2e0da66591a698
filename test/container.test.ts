import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSimulator, type Simulator } from '../src/simulator/index.js';
import { parseDockerfile, type DockerCopy } from './support/dockerfile.js';
import { freePort } from './support/wait.js';

// There is no Docker engine here: this replays the Dockerfile's steps in temporary directories,
// reading them from the Dockerfile (parsed by dockerfile-ast) so the test fails when the two drift
// apart.

const repo = new URL('..', import.meta.url).pathname;
const stages = parseDockerfile(join(repo, 'Dockerfile'));
const build = stages[0]!;
const runtime = stages.at(-1)!;
// The official node images' unprivileged `node` user.
const NODE_UID = 1000;

/** Runs a shell step, bounded in time; its output is kept for the failure message. */
function sh(command: string, cwd: string, timeoutMs: number): void {
  const run = spawnSync('sh', ['-c', command], { cwd, encoding: 'utf8', timeout: timeoutMs, env: { ...process.env, NODE_ENV: '' } });
  if (run.status !== 0) throw new Error(`"${command}" failed (${run.status ?? run.signal}):\n${run.stdout}\n${run.stderr}`.slice(-4000));
}

/** COPY semantics: into a directory when dest ends with "/", else onto dest. */
function replayCopy(copy: DockerCopy, stageDir: string, workdir: string, sourceRoot: string): void {
  const destination = join(stageDir, copy.dest.startsWith('/') ? copy.dest.slice(workdir.length) : copy.dest);
  for (const source of copy.sources) {
    const from = join(sourceRoot, source);
    const target = copy.dest.endsWith('/') && !statSync(from).isDirectory() ? join(destination, basename(source)) : destination;
    mkdirSync(join(target, '..'), { recursive: true });
    cpSync(from, target, { recursive: true });
  }
}

async function waitForHealth(origin: string, child: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`The gateway exited with ${child.exitCode}:\n${output()}`);
    try {
      if ((await fetch(`${origin}/health`, { signal: AbortSignal.timeout(1_000) })).ok) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`The gateway did not answer /health within 30 s:\n${output()}`);
}

function exited(child: ChildProcess, timeoutMs: number): Promise<number | null> {
  if (child.exitCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the gateway did not exit in time')), timeoutMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve(code);
    });
  });
}

describe('the production image, replayed without Docker', () => {
  let root: string;
  let buildDir: string;
  let appDir: string;
  let simulator: Simulator;
  let child: ChildProcess;
  let origin: string;
  let port: number;
  let output = '';

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'gateway-image-'));
    buildDir = join(root, 'build');
    appDir = join(root, 'app');
    mkdirSync(buildDir);
    mkdirSync(appDir);

    // Build stage: its copies from the context; the dependencies are the ones the repository
    // installed from the same lockfile (a second full `npm ci` would only repeat it).
    for (const copy of build.copies) replayCopy(copy, buildDir, build.workdir, repo);
    symlinkSync(join(repo, 'node_modules'), join(buildDir, 'node_modules'), 'dir');
    for (const run of build.runs.filter((r) => !r.startsWith('npm ci'))) sh(run, buildDir, 180_000);

    // Runtime stage: its copies, from the context or from the build stage, then its own npm ci
    // (the npm cache is left alone: `npm cache clean` only makes the image smaller).
    for (const copy of runtime.copies) {
      const from = copy.from ? stages.find((stage) => stage.name === copy.from) : undefined;
      if (copy.from && !from) throw new Error(`COPY --from=${copy.from}: no such stage`);
      const sourceRoot = from ? buildDir : repo;
      const sources = from ? copy.sources.map((s) => (s.startsWith(from.workdir) ? s.slice(from.workdir.length).replace(/^\//, '') : s)) : copy.sources;
      replayCopy({ ...copy, sources }, appDir, runtime.workdir, sourceRoot);
    }
    for (const run of runtime.runs) {
      for (const step of run.split('&&').map((s) => s.trim())) {
        if (step.startsWith('npm cache clean')) continue;
        sh(step.startsWith('npm ci') ? `${step} --prefer-offline` : step, appDir, 240_000);
      }
    }
    // The image's files belong to root and are only readable by the user it runs as.
    chmodSync(root, 0o755);
    sh('chmod -R a+rX,go-w .', root, 60_000);

    simulator = createSimulator();
    const clumioBaseUrl = await simulator.listen(0, '127.0.0.1');
    port = await freePort();
    origin = `http://127.0.0.1:${port}`;
    const [command, ...args] = runtime.cmd!;
    child = spawn(command!, args, {
      cwd: appDir,
      env: {
        PATH: process.env.PATH,
        ...runtime.env,
        CLUMIO_API_BASE_URL: clumioBaseUrl,
        HOST: '127.0.0.1',
        PORT: String(port),
        CURSOR_SECRET: 'container-test-cursor-secret',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
      ...(process.getuid?.() === 0 ? { uid: NODE_UID, gid: NODE_UID } : {}),
    });
    const keep = (chunk: Buffer) => {
      output = (output + chunk.toString()).slice(-8_000);
    };
    child.stdout!.on('data', keep);
    child.stderr!.on('data', keep);
    await waitForHealth(origin, child, () => output);
  }, 600_000);

  afterAll(async () => {
    if (child && child.exitCode === null) {
      child.kill('SIGKILL');
      await exited(child, 5_000).catch(() => undefined);
    }
    await simulator?.close();
    if (root) rmSync(root, { recursive: true, force: true });
  });

  it('is built in two stages, runs as an unprivileged user in production mode, and checks its own health', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    expect(runtime.image).toMatch(/^node:(20|22|24)[.-]/);
    expect(runtime.runs.some((run) => /npm ci\b.*--omit=dev/.test(run))).toBe(true);
    expect(runtime.user).toBeDefined();
    expect(runtime.user).not.toMatch(/^(root|0)(:|$)/);
    expect(runtime.env.NODE_ENV).toBe('production');
    expect(runtime.healthcheck?.cmd.join(' ')).toContain('/health');
    expect(runtime.expose).toContain('4000');
  });

  it('holds only the compiled gateway, its SDL and production dependencies', () => {
    expect(readdirSync(appDir).sort()).toEqual(['dist', 'node_modules', 'package-lock.json', 'package.json', 'schema']);
    expect(existsSync(join(appDir, runtime.cmd!.at(-1)!))).toBe(true);
    for (const devOnly of ['typescript', 'vitest', 'tsx', 'playwright-core', '@graphql-codegen/cli']) {
      expect(existsSync(join(appDir, 'node_modules', devOnly)), devOnly).toBe(false);
    }
    for (const needed of ['graphql-yoga', 'graphql', 'undici', '@apollo/subgraph']) {
      expect(existsSync(join(appDir, 'node_modules', needed)), needed).toBe(true);
    }
  });

  it("answers a GraphQL query with the caller's token from the image's command", async () => {
    const response = await fetch(`${origin}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${simulator.demoToken}` },
      body: JSON.stringify({ query: '{ wallets(first: 3) { nodes { id state } } }' }),
      signal: AbortSignal.timeout(10_000),
    });
    expect(response.status).toBe(200);
    const body = (await response.json()) as { data?: { wallets: { nodes: Array<{ id: string }> } }; errors?: unknown };
    expect(body.errors).toBeUndefined();
    expect(body.data!.wallets.nodes.length).toBe(3);
    const listed = simulator.requests.filter((r) => r.path === '/wallets');
    expect(listed.at(-1)?.headers.authorization).toBe(`Bearer ${simulator.demoToken}`);
  });

  it('serves /health and /readiness, and no GraphiQL in production', async () => {
    expect((await fetch(`${origin}/health`, { signal: AbortSignal.timeout(5_000) })).status).toBe(200);
    expect((await fetch(`${origin}/readiness`, { signal: AbortSignal.timeout(5_000) })).status).toBe(200);
    const page = await fetch(`${origin}/graphql`, { headers: { accept: 'text/html' }, signal: AbortSignal.timeout(5_000) });
    expect(page.headers.get('content-type') ?? '').not.toContain('text/html');
    await page.body?.cancel();
  });

  it("passes the image's HEALTHCHECK", () => {
    const [command, ...args] = runtime.healthcheck!.cmd;
    const check = spawnSync(command!, args, { env: { PATH: process.env.PATH, PORT: String(port) }, timeout: 10_000 });
    expect(check.status).toBe(0);
  });

  it('stops cleanly on SIGTERM', async () => {
    child.kill('SIGTERM');
    await expect(exited(child, 20_000)).resolves.toBe(0);
    const check = spawnSync(runtime.healthcheck!.cmd[0]!, runtime.healthcheck!.cmd.slice(1), {
      env: { PATH: process.env.PATH, PORT: String(port) },
      timeout: 10_000,
    });
    expect(check.status).toBe(1);
  }, 30_000);
});

describe('the Dockerfile lint CI runs', () => {
  /** `npm run lint:dockerfile` as CI runs it, on the repository's Dockerfile or on `path`. */
  function lint(path?: string) {
    return spawnSync('npm', ['run', '-s', 'lint:dockerfile', ...(path ? ['--', path] : [])], { cwd: repo, encoding: 'utf8', timeout: 60_000 });
  }

  it("passes the repository's Dockerfile", () => {
    const run = lint();
    expect(run.stderr).toBe('');
    expect(run.stdout.trim()).toBe('Dockerfile: no problems');
    expect(run.status).toBe(0);
  });

  it('fails a Dockerfile with problems, naming the line and the rule of each', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gateway-dockerfile-lint-'));
    try {
      const path = join(dir, 'Dockerfile');
      writeFileSync(
        path,
        [
          'from node',
          'ADD . /app',
          'WORKDIR app',
          'FROM node:latest AS runtime',
          'HEALTHCHECK --interval=15 CMD ["node", "-e", "1"]',
          'CMD node dist/main.js',
          'USER root',
        ].join('\n'),
      );
      const run = lint(path);
      expect(run.status).toBe(1);
      expect(run.stderr.trim().split('\n')).toEqual([
        `${path}:1: Instructions should be written in uppercase letters [CASING_INSTRUCTION]`,
        `${path}:1: Always tag the version of an image explicitly (node) [DL3006]`,
        `${path}:2: Use COPY instead of ADD for files and folders [DL3020]`,
        `${path}:3: WORKDIR paths should be absolute [WORKDIR_IS_NOT_ABSOLUTE]`,
        `${path}:4: Using latest is prone to errors if the image will ever update [DL3007]`,
        `${path}:5: time: missing unit in duration 15 [FLAG_MISSING_DURATION]`,
        `${path}:6: Use arguments JSON notation for CMD [DL3025]`,
        `${path}:7: The final stage must run as a USER other than root [DL3002]`,
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('fails an image that never leaves root', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gateway-dockerfile-lint-'));
    try {
      const path = join(dir, 'Dockerfile');
      writeFileSync(path, 'FROM node:22-bookworm-slim AS build\nUSER node\nFROM node:22-bookworm-slim\nCMD ["node", "main.js"]\n');
      const run = lint(path);
      expect(run.status).toBe(1);
      expect(run.stderr).toContain(`${path}:3: The final stage must run as a USER other than root [DL3002]`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
