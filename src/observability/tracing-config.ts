import { readInt, type Env } from '../env-values.js';
import type { TracingConfig } from './tracing.js';


/**
 * Tracing from the standard OpenTelemetry variables; off unless OTEL_TRACES_EXPORTER=otlp.
 * Spans go as OTLP/HTTP JSON to OTEL_EXPORTER_OTLP_TRACES_ENDPOINT, or to
 * OTEL_EXPORTER_OTLP_ENDPOINT + /v1/traces, or to http://localhost:4318/v1/traces.
 * Problems are appended to `problems`; never echoes header values (they may be API keys).
 */
export function readTracingConfig(env: Env, problems: string[]): TracingConfig | null {
  const exporter = (env.OTEL_TRACES_EXPORTER ?? 'none').trim().toLowerCase();
  if (exporter === 'none' || exporter === '') return null;
  if (exporter !== 'otlp') {
    problems.push(`OTEL_TRACES_EXPORTER must be otlp or none (got "${env.OTEL_TRACES_EXPORTER}")`);
    return null;
  }

  const protocol = env.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL || env.OTEL_EXPORTER_OTLP_PROTOCOL;
  if (protocol !== undefined && protocol !== 'http/json') {
    problems.push(`OTEL_EXPORTER_OTLP_PROTOCOL must be http/json, the one protocol the gateway exports (got "${protocol}")`);
  }

  let endpoint = 'http://localhost:4318/v1/traces';
  const tracesEndpoint = env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT;
  const baseEndpoint = env.OTEL_EXPORTER_OTLP_ENDPOINT;
  const name = tracesEndpoint ? 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT' : 'OTEL_EXPORTER_OTLP_ENDPOINT';
  const given = tracesEndpoint || baseEndpoint;
  if (given) {
    try {
      const url = new URL(given);
      if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('protocol');
      endpoint = tracesEndpoint ? url.href : `${url.href.replace(/\/+$/, '')}/v1/traces`;
    } catch {
      problems.push(`${name} must be an http(s) URL (got "${given}")`);
    }
  }

  const headers: Record<string, string> = {};
  for (const pair of (env.OTEL_EXPORTER_OTLP_TRACES_HEADERS || env.OTEL_EXPORTER_OTLP_HEADERS || '').split(',')) {
    if (pair.trim() === '') continue;
    const at = pair.indexOf('=');
    const key = at > 0 ? pair.slice(0, at).trim() : '';
    let value: string | undefined;
    try {
      value = at > 0 ? decodeURIComponent(pair.slice(at + 1).trim()) : undefined;
    } catch {
      value = undefined;
    }
    if (!/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/.test(key) || value === undefined || /[\r\n]/.test(value)) {
      problems.push('OTEL_EXPORTER_OTLP_HEADERS must be comma-separated key=value pairs (values percent-encoded)');
      break;
    }
    headers[key] = value;
  }

  let sampleRatio = 1;
  const sampler = env.OTEL_TRACES_SAMPLER || 'parentbased_always_on';
  if (sampler === 'parentbased_traceidratio') {
    const arg = env.OTEL_TRACES_SAMPLER_ARG ?? '1';
    const ratio = Number(arg);
    if (arg.trim() === '' || !Number.isFinite(ratio) || ratio < 0 || ratio > 1) {
      problems.push(`OTEL_TRACES_SAMPLER_ARG must be a number from 0 to 1 (got "${arg}")`);
    } else {
      sampleRatio = ratio;
    }
  } else if (sampler !== 'parentbased_always_on') {
    problems.push(`OTEL_TRACES_SAMPLER must be parentbased_always_on or parentbased_traceidratio (got "${sampler}")`);
  }

  const exportDelayMs = readInt(env, problems, 'OTEL_BSP_SCHEDULE_DELAY', 5_000, 1, 600_000);

  return { endpoint, headers, serviceName: env.OTEL_SERVICE_NAME || 'clumio-wallet-gateway', sampleRatio, exportDelayMs };
}
