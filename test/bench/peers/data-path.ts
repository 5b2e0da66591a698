// A reference, not a product: the gateway's data path alone, in the floor's loop
// (compiled-loop.ts). The gateway itself is built (createApp, from the environment as main.ts
// reads it, so the bench's raised bounds at 20 ms apply to it as to the gateway), and only its
// schema, its context per operation (caller, deadline, call budget, wallet service and loader) and,
// through them, its Clumio client (scheduler, both breakers, retries, timeouts, the metrics of each
// call, mapping) run. None of its request pipeline does: not its HTTP server's settings, the door's
// checks, the request bound, the document store and its limits, the operation's observation (its
// metrics, its log line, traces), masking, the request id header or Yoga's result processor.
// `--ablation` runs it as a variant of the gateway: what it spends above the floor is the data
// path's own, and what the gateway spends above it is the pipeline.
import type { YogaInitialContext } from 'graphql-yoga';
import { createApp } from '../../../src/app.js';
import { loadConfig } from '../../../src/config.js';
import type { GatewayContext } from '../../../src/graphql/context.js';
import { createRequestView } from '../../../src/http/request-view.js';
import { serveCompiled } from './compiled-loop.js';

const config = loadConfig(process.env);
if (config.clumioBaseUrl === null) throw new Error('CLUMIO_API_BASE_URL is required');
const app = createApp({ config, clumioBaseUrl: config.clumioBaseUrl });

serveCompiled<GatewayContext>({
  name: 'data path',
  schema: app.schema,
  port: config.port,
  host: config.host,
  // As the gateway's door builds it (run-operation.ts): the server context with the request and
  // its parameters, then the gateway's context.
  contextFor: (req, res, params) => {
    const initial = { req, res, request: createRequestView(req, res), params };
    return Object.assign(initial, app.context(initial as unknown as YogaInitialContext));
  },
  done: (context) => context.deadline.release(),
});
