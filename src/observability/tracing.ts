import { createRequire } from 'node:module';
import type { Span, TextMapGetter, TextMapSetter } from '@opentelemetry/api';
import type { ClumioCallEvent, ClumioCallScope } from '../clumio/client.js';
import type { ClumioRequest } from '../clumio/request.js';
import type { ObservedOperation, OperationListener, OperationOutcome } from './operation.js';

export interface TracingConfig {
  /** Where spans are POSTed as OTLP/HTTP JSON, e.g. http://collector:4318/v1/traces. */
  endpoint: string;
  /** Sent with every export (a collector's API key, for instance). */
  headers: Record<string, string>;
  serviceName: string;
  /** Share of new traces recorded (0..1); a caller's `traceparent` decision is always followed. */
  sampleRatio: number;
  /** How long finished spans wait to be exported in a batch (OTEL_BSP_SCHEDULE_DELAY, default 5000 ms). */
  exportDelayMs: number;
}

export interface TracingOptions {
  serviceVersion: string;
}

const headersGetter: TextMapGetter<Headers> = {
  keys: (carrier) => [...carrier.keys()],
  get: (carrier, key) => carrier.get(key) ?? undefined,
};
const recordGetter: TextMapGetter<Record<string, string>> = {
  keys: (carrier) => Object.keys(carrier),
  get: (carrier, key) => carrier[key],
};
const recordSetter: TextMapSetter<Record<string, string>> = {
  set: (carrier, key, value) => {
    carrier[key] = value;
  },
};

const maxNameLength = 128;

/**
 * OpenTelemetry traces for one app: a SERVER span per GraphQL operation (continuing the caller's
 * W3C `traceparent` when there is one) and a CLIENT span per exchange with Clumio, child of its
 * operation's span, whose own trace context is what goes to Clumio. Nothing is registered
 * globally: the provider belongs to this app and is shut down with it. Spans carry no URL, id,
 * variables or token: the Clumio operation's name, the method and the status.
 */
export function createTracing(config: TracingConfig, options: TracingOptions) {
  // Loaded here, when tracing is on, rather than with the gateway: the OpenTelemetry SDK and its
  // exporter hold some 30 MB of memory that a gateway without tracing has no use for.
  const require = createRequire(import.meta.url);
  const { ROOT_CONTEXT, SpanKind, SpanStatusCode, trace } = require('@opentelemetry/api') as typeof import('@opentelemetry/api');
  const { W3CTraceContextPropagator } = require('@opentelemetry/core') as typeof import('@opentelemetry/core');
  const { OTLPTraceExporter } = require('@opentelemetry/exporter-trace-otlp-http') as typeof import('@opentelemetry/exporter-trace-otlp-http');
  const { resourceFromAttributes } = require('@opentelemetry/resources') as typeof import('@opentelemetry/resources');
  const { AlwaysOnSampler, BasicTracerProvider, BatchSpanProcessor, ParentBasedSampler, TraceIdRatioBasedSampler } =
    require('@opentelemetry/sdk-trace-base') as typeof import('@opentelemetry/sdk-trace-base');
  const { ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION } = require('@opentelemetry/semantic-conventions') as typeof import('@opentelemetry/semantic-conventions');

  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ [ATTR_SERVICE_NAME]: config.serviceName, [ATTR_SERVICE_VERSION]: options.serviceVersion }),
    sampler: new ParentBasedSampler({ root: config.sampleRatio >= 1 ? new AlwaysOnSampler() : new TraceIdRatioBasedSampler(config.sampleRatio) }),
    spanProcessors: [
      new BatchSpanProcessor(new OTLPTraceExporter({ url: config.endpoint, headers: config.headers }), {
        scheduledDelayMillis: config.exportDelayMs,
      }),
    ],
  });
  const tracer = provider.getTracer('clumio-wallet-gateway', options.serviceVersion);
  const propagator = new W3CTraceContextPropagator();

  function traceHeaders(span: Span): Record<string, string> {
    const headers: Record<string, string> = {};
    propagator.inject(trace.setSpan(ROOT_CONTEXT, span), headers, recordSetter);
    return headers;
  }

  const operations: OperationListener = {
    started(operation: ObservedOperation): void {
      const parent = propagator.extract(ROOT_CONTEXT, operation.request.headers, headersGetter);
      operation.span = tracer.startSpan('graphql.operation', { kind: SpanKind.SERVER, attributes: { 'gateway.request_id': operation.requestId } }, parent);
    },
    finished(operation: ObservedOperation, outcome: OperationOutcome): void {
      const span = operation.span;
      if (!span) return;
      const name = operation.name === undefined ? undefined : operation.name.slice(0, maxNameLength);
      const type = operation.type ?? 'unknown';
      span.updateName(name === undefined ? type : `${type} ${name}`);
      span.setAttribute('graphql.operation.type', type);
      if (name !== undefined) span.setAttribute('graphql.operation.name', name);
      if (outcome.codes.length > 0) {
        span.setAttribute('graphql.error.codes', [...outcome.codes]);
        span.setStatus({ code: SpanStatusCode.ERROR, message: outcome.codes.join(',') });
      }
      span.end();
    },
  };

  const origin = (url: string) => new URL(url);

  return {
    provider,
    /** Listener for useObservedOperations. */
    operations,
    /** The operation span's trace context, handed to the wallet calls of its operation. */
    upstreamHeaders(operation: ObservedOperation | undefined): Record<string, string> {
      return operation?.span ? traceHeaders(operation.span) : {};
    },
    /** ClumioObserver.callStarted: a child span of the operation whose context goes to Clumio. */
    clumioCallStarted(baseUrl: string): (request: ClumioRequest) => ClumioCallScope | undefined {
      const { hostname, port, protocol } = origin(baseUrl);
      const serverPort = Number(port || (protocol === 'https:' ? 443 : 80));
      return (request) => {
        if (request.headers?.traceparent === undefined) return undefined;
        const parent = propagator.extract(ROOT_CONTEXT, request.headers, recordGetter);
        const span = tracer.startSpan(
          `clumio ${request.operation}`,
          {
            kind: SpanKind.CLIENT,
            attributes: {
              'clumio.operation': request.operation,
              'http.request.method': request.method,
              'server.address': hostname,
              'server.port': serverPort,
            },
          },
          parent,
        );
        return {
          headers: traceHeaders(span),
          end(event: ClumioCallEvent) {
            if (event.status !== undefined) span.setAttribute('http.response.status_code', event.status);
            if (event.code !== undefined) {
              span.setAttribute('error.type', event.code);
              span.setStatus({ code: SpanStatusCode.ERROR, message: event.code });
            }
            span.end();
          },
        };
      };
    },
    /** Exports what is left and stops. */
    shutdown: () => provider.shutdown(),
  };
}

export type Tracing = ReturnType<typeof createTracing>;
