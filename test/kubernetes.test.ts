import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { loadConfig } from '../src/config.js';
import { imageRuntime, parseDockerfile } from './support/dockerfile.js';
import { startGateway, type TestGateway } from './support/gateway.js';
import { docSection, fencedBlocks } from './support/markdown.js';

// The Kubernetes example of docs/operating.md ("Running many"), checked against the gateway itself.

interface Probe {
  httpGet: { path: string; port: string | number };
}
interface Container {
  name: string;
  image: string;
  ports: Array<{ name?: string; containerPort: number }>;
  env: Array<{ name: string; value?: string; valueFrom?: { secretKeyRef?: { name: string; key: string } } }>;
  livenessProbe: Probe;
  readinessProbe: Probe;
  resources: { requests: Record<string, string>; limits: Record<string, string> };
}
interface Manifest<Spec = unknown> {
  apiVersion: string;
  kind: string;
  metadata: { name: string; labels?: Record<string, string> };
  spec: Spec;
}
interface DeploymentSpec {
  selector: { matchLabels: Record<string, string> };
  template: { metadata: { labels: Record<string, string> }; spec: { containers: Container[] } };
}
interface AutoscalerSpec {
  scaleTargetRef: Record<string, string>;
  minReplicas: number;
}
interface ServiceSpec {
  selector: Record<string, string>;
  ports: Array<{ targetPort: string | number }>;
}

/** The yaml block of the docs/operating.md section with this heading, parsed. */
function manifestsOf(heading: string): Manifest[] {
  const blocks = fencedBlocks(docSection('docs/operating.md', heading), 'yaml');
  expect(blocks.length, 'one yaml block').toBe(1);
  return parseAllDocuments(blocks[0]!).map((doc) => {
    if (doc.errors.length > 0) throw new Error(`docs/operating.md yaml: ${doc.errors.map((e) => e.message).join('; ')}`);
    return doc.toJS() as Manifest;
  });
}

const manifests = manifestsOf('### Kubernetes');
const deployment = manifests.find((m) => m.kind === 'Deployment') as Manifest<DeploymentSpec>;
const hpa = manifests.find((m) => m.kind === 'HorizontalPodAutoscaler') as Manifest<AutoscalerSpec>;
const service = manifests.find((m) => m.kind === 'Service') as Manifest<ServiceSpec>;
const container = deployment?.spec.template.spec.containers[0] as Container;

/** The container port a probe or a Service names, by name or number. */
function containerPort(port: string | number): number | undefined {
  return typeof port === 'number' ? port : container.ports.find((p) => p.name === port)?.containerPort;
}

/** The Deployment's environment, with a stand-in for each value taken from a Secret. */
function deploymentEnv(): Record<string, string> {
  return Object.fromEntries(container.env.map((e) => [e.name, e.value ?? (e.valueFrom?.secretKeyRef ? 'x'.repeat(64) : '')]));
}

describe("docs/operating.md's Kubernetes example", () => {
  let gateway: TestGateway;

  beforeAll(async () => {
    // As the Deployment runs it: production mode, its environment; the upstream is the simulator.
    const env = deploymentEnv();
    delete env.CLUMIO_REGION;
    gateway = await startGateway({ env: { ...imageRuntime().env, ...env } });
  });

  afterAll(async () => {
    await gateway?.close();
  });

  it('holds a Deployment, a HorizontalPodAutoscaler and a Service', () => {
    expect(manifests.map((m) => m.kind)).toEqual(['Deployment', 'HorizontalPodAutoscaler', 'Service']);
    expect(deployment.apiVersion).toBe('apps/v1');
    expect(hpa.apiVersion).toBe('autoscaling/v2');
    expect(service.apiVersion).toBe('v1');
  });

  it('probes paths the gateway really serves, and they answer 200', async () => {
    expect(container.livenessProbe.httpGet.path).toBe('/health');
    expect(container.readinessProbe.httpGet.path).toBe('/readiness');
    for (const probe of [container.livenessProbe, container.readinessProbe]) {
      const response = await fetch(`${gateway.origin}${probe.httpGet.path}`, { signal: AbortSignal.timeout(5_000) });
      expect(response.status, probe.httpGet.path).toBe(200);
      await response.body?.cancel();
    }
  });

  it('takes readiness away while the upstream circuit breaker is open, and not liveness', async () => {
    // Clumio failing for many callers: one caller alone only holds back its own calls.
    const tokens = Array.from({ length: 8 }, (_, i) => `kubernetes-caller.${i}`);
    for (const token of tokens) gateway.simulator.addOrganization(token, { seed: false });
    gateway.simulator.inject({ kind: 'status', status: 503, times: 1_000 });
    const deadline = Date.now() + 20_000;
    let readiness = 200;
    while (readiness === 200 && Date.now() < deadline) {
      await Promise.all(tokens.map((token) => gateway.gql('{ wallets(first: 1) { nodes { id } } }', {}, { token })));
      const response = await fetch(`${gateway.origin}${container.readinessProbe.httpGet.path}`, { signal: AbortSignal.timeout(5_000) });
      readiness = response.status;
      await response.body?.cancel();
    }
    gateway.simulator.clearFaults();
    expect(readiness).toBe(503);
    const alive = await fetch(`${gateway.origin}${container.livenessProbe.httpGet.path}`, { signal: AbortSignal.timeout(5_000) });
    expect(alive.status).toBe(200);
  }, 40_000);

  it('opens the port the gateway listens on in production, and the probes and Service use it', () => {
    const config = loadConfig({ ...deploymentEnv(), NODE_ENV: 'production' });
    const image = parseDockerfile(new URL('../Dockerfile', import.meta.url).pathname).at(-1)!;
    expect(container.ports.map((p) => p.containerPort)).toEqual([config.port]);
    expect(image.expose).toContain(String(config.port));
    expect(config.host).toBe('0.0.0.0');
    expect(containerPort(container.livenessProbe.httpGet.port)).toBe(config.port);
    expect(containerPort(container.readinessProbe.httpGet.port)).toBe(config.port);
    expect(containerPort(service.spec.ports[0]!.targetPort)).toBe(config.port);
  });

  it('configures the gateway validly, with the cursor secret from a Secret', () => {
    expect(() => loadConfig({ ...deploymentEnv(), NODE_ENV: 'production' })).not.toThrow();
    const cursorSecret = container.env.find((e) => e.name === 'CURSOR_SECRET');
    expect(cursorSecret?.value).toBeUndefined();
    expect(cursorSecret?.valueFrom?.secretKeyRef?.key).toBe('CURSOR_SECRET');
  });

  it('sets resource requests and limits, and the autoscaler and Service point at the Deployment', () => {
    expect(container.resources.requests).toMatchObject({ cpu: expect.any(String) as string, memory: expect.any(String) as string });
    expect(container.resources.limits).toMatchObject({ memory: expect.any(String) as string });
    expect(hpa.spec.scaleTargetRef).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name: deployment.metadata.name });
    expect(hpa.spec.minReplicas).toBeGreaterThanOrEqual(2);
    const podLabels = deployment.spec.template.metadata.labels;
    expect(deployment.spec.selector.matchLabels).toEqual(podLabels);
    expect(podLabels).toMatchObject(service.spec.selector);
  });
});
