// Reference (d), not a product: the least a GraphQL server on this stack does. The loop of
// compiled-loop.ts (node:http, each document parsed, validated and compiled by graphql-jit once,
// JSON.stringify of the result) with resolvers calling Clumio through an undici Pool (the
// Mercurius peer's resolvers, undici-resolvers.ts). No framework, no protection of any kind: no
// limits, no request id, no log line, no metrics, no deadline, no breaker, no masking (node:http's
// own request timeouts aside). What it spends per operation is a floor for every server here:
// Mercurius' CPU above it is its framework, the gateway's everything it does that the floor does not.
import { serveCompiled } from './compiled-loop.js';
import { listenPort, subgraphSchema } from './type-defs.js';
import { contextFor, resolvers } from './undici-resolvers.js';

serveCompiled({
  name: 'floor',
  schema: subgraphSchema(resolvers),
  port: listenPort(),
  host: '127.0.0.1',
  contextFor: (req) => contextFor(req.headers.authorization ?? ''),
});
