import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.js';

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

const secret = 'a-cursor-secret-of-32-characters';

describe('configuration', () => {
  it('defaults to the embedded simulator on port 4000 in development', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({ production: false, port: 4000, host: '127.0.0.1', clumioBaseUrl: null, graphiql: true, introspection: true });
  });

  it('maps CLUMIO_REGION to that region’s base URL', () => {
    expect(loadConfig({ CLUMIO_REGION: 'eu-central-1' }).clumioBaseUrl).toBe('https://eu-central-1.de.api.clumio.com');
    expect(loadConfig({ CLUMIO_REGION: 'ca-central-1' }).clumioBaseUrl).toBe('https://ca-central-1.ca.api.clumio.com');
  });

  it('takes CLUMIO_API_BASE_URL as given, without a trailing slash', () => {
    expect(loadConfig({ CLUMIO_API_BASE_URL: 'https://us-east-1.api.clumio.com/' }).clumioBaseUrl).toBe('https://us-east-1.api.clumio.com');
  });

  it('reports every problem at once', () => {
    const problems = problemsOf({
      PORT: 'eighty',
      CLUMIO_REGION: 'mars-1',
      CLUMIO_HEADERS_TIMEOUT_MS: '-5',
      GRAPHIQL: 'maybe',
      CURSOR_SECRET: 'short',
      LOG_LEVEL: 'loud',
    });
    expect(problems).toHaveLength(6);
    expect(problems.join('\n')).toMatch(/PORT.*CLUMIO_REGION|CLUMIO_REGION[\s\S]*PORT|PORT[\s\S]*CLUMIO_REGION/);
    for (const name of ['PORT', 'CLUMIO_REGION', 'CLUMIO_HEADERS_TIMEOUT_MS', 'GRAPHIQL', 'CURSOR_SECRET', 'LOG_LEVEL']) {
      expect(problems.some((p) => p.includes(name))).toBe(true);
    }
  });

  it('refuses both an upstream URL and a region, and a URL with credentials in it', () => {
    expect(problemsOf({ CLUMIO_REGION: 'us-west-2', CLUMIO_API_BASE_URL: 'https://x.example' })).toHaveLength(1);
    expect(problemsOf({ CLUMIO_API_BASE_URL: 'https://user:pass@x.example' })[0]).toMatch(/CLUMIO_API_BASE_URL/);
    expect(problemsOf({ CLUMIO_API_BASE_URL: 'ftp://x.example' })[0]).toMatch(/CLUMIO_API_BASE_URL/);
  });

  it('needs a real upstream in production, and turns GraphiQL and introspection off there by default', () => {
    expect(problemsOf({ NODE_ENV: 'production' })[0]).toMatch(/production/);
    const config = loadConfig({ NODE_ENV: 'production', CLUMIO_REGION: 'us-west-2', CURSOR_SECRET: secret });
    expect(config).toMatchObject({ production: true, host: '0.0.0.0', graphiql: false, introspection: false });
  });

  it('bounds the gateway’s own connections by default: cap, header and request timeouts, idle closing, header bytes, operations in flight', () => {
    expect(loadConfig({}).http).toEqual({
      maxConnections: 4096,
      headersTimeoutMs: 10_000,
      requestTimeoutMs: 30_000,
      keepAliveTimeoutMs: 65_000,
      maxHeaderBytes: 32_768,
      maxOperationsInFlight: 256,
      maxOperationsPerConnection: 8,
    });
    expect(loadConfig({}).maxRepresentations).toBe(100);
    expect(problemsOf({ HTTP_HEADERS_TIMEOUT_MS: '5000', HTTP_REQUEST_TIMEOUT_MS: '1000' })).toEqual([expect.stringMatching(/HTTP_HEADERS_TIMEOUT_MS/)]);
    expect(problemsOf({ HTTP_MAX_HEADER_BYTES: '8192' })).toEqual([expect.stringMatching(/HTTP_MAX_HEADER_BYTES/)]);
  });

  it('needs CURSOR_SECRET in production, where each replica would otherwise sign cursors with its own key', () => {
    expect(problemsOf({ NODE_ENV: 'production', CLUMIO_REGION: 'us-west-2' })).toEqual([expect.stringMatching(/CURSOR_SECRET/)]);
    expect(problemsOf({ NODE_ENV: 'production', CLUMIO_REGION: 'us-west-2', CURSOR_SECRET: secret })).toEqual([]);
    expect(loadConfig({ CLUMIO_REGION: 'us-west-2' }).cursorSecret).toBeNull();
  });

  it('refuses a plain http:// Clumio URL in production unless it is this machine or CLUMIO_ALLOW_HTTP says so', () => {
    const prod = { NODE_ENV: 'production', CURSOR_SECRET: secret };
    expect(problemsOf({ ...prod, CLUMIO_API_BASE_URL: 'http://clumio.internal.example' })).toEqual([expect.stringMatching(/https/)]);
    expect(problemsOf({ ...prod, CLUMIO_API_BASE_URL: 'http://10.0.0.7:8080' })).toHaveLength(1);
    for (const loopback of ['http://127.0.0.1:9000', 'http://localhost:9000', 'http://[::1]:9000', 'https://clumio.internal.example']) {
      expect(problemsOf({ ...prod, CLUMIO_API_BASE_URL: loopback })).toEqual([]);
    }
    expect(problemsOf({ ...prod, CLUMIO_API_BASE_URL: 'http://clumio.internal.example', CLUMIO_ALLOW_HTTP: 'true' })).toEqual([]);
    expect(problemsOf({ ...prod, CLUMIO_API_BASE_URL: 'http://clumio.internal.example', CLUMIO_ALLOW_HTTP: 'maybe' })).toHaveLength(2);
    expect(problemsOf({ CLUMIO_API_BASE_URL: 'http://clumio.internal.example' })).toEqual([]);
  });

  it('stops the gateway at startup with one message listing every problem', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      env: { PATH: process.env.PATH, PORT: '-1', CLUMIO_REGION: 'nowhere', GRAPHIQL: 'perhaps' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => {
      const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
      child.on('exit', (exitCode) => {
        clearTimeout(timer);
        resolve(exitCode);
      });
    });
    expect(code).toBe(1);
    expect(stderr).toMatch(/^Invalid configuration:/);
    for (const name of ['PORT', 'CLUMIO_REGION', 'GRAPHIQL']) expect(stderr).toContain(name);
    expect(stderr).not.toMatch(/\n\s+at /);
  });
});
