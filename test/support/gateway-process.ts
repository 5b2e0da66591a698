import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The repository's root: where npm scripts and child processes of the tests run. */
export const root = fileURLToPath(new URL('../..', import.meta.url));

export interface GatewayProcess {
  child: ChildProcess;
  url: string;
  exited: Promise<number | null>;
  output: () => string;
}

/**
 * Starts the real gateway on a free port in front of `upstream`, with the environment given
 * (NODE_OPTIONS among it, as the image sets it) and node's own flags: from its sources
 * (src/main.ts, through tsx), or from a build's `entry` (test/support/build.ts), as the image
 * runs it, where what the process holds is measured (tsx adds a loader thread of its own).
 */
export async function startGatewayProcess(upstream: string, env: Record<string, string>, nodeArgs: string[] = [], entry?: string): Promise<GatewayProcess> {
  const child = spawn(process.execPath, [...nodeArgs, ...(entry === undefined ? ['--import', 'tsx', 'src/main.ts'] : [entry])], {
    cwd: root,
    env: { ...process.env, NODE_ENV: 'test', CLUMIO_API_BASE_URL: upstream, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'silent', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`gateway did not start:\n${output}`)), 40_000);
    const look = () => {
      const found = /on (http:\/\/[^\s,]+\/graphql)/.exec(output)?.[1];
      if (found) {
        clearTimeout(timer);
        child.stdout.off('data', look);
        resolve(found);
      }
    };
    child.stdout.on('data', look);
    void exited.then(() => reject(new Error(`gateway exited at startup:\n${output}`)));
  });
  return { child, url, exited, output: () => output };
}
