// Peer (a): Fastify + Mercurius with graphql-jit, calling Clumio through an undici Pool.
//
// Mercurius' own federation plugin (@mercuriusjs/federation) speaks Federation v1 only (no @link,
// no @shareable), so the subgraph schema is built by @apollo/subgraph as for the other peers, and
// Wallet's __resolveReference batches through a DataLoader made per request in Mercurius' context
// (Mercurius' `loaders` reach only its v1 plugin's references): 50 representations of 20 wallets
// make 20 Clumio calls, as the gateway's do.
import Fastify from 'fastify';
import mercurius from 'mercurius';
import { listenPort, subgraphSchema } from './type-defs.js';
import { contextFor, resolvers, type Context } from './undici-resolvers.js';

const app = Fastify();
await app.register(mercurius, {
  schema: subgraphSchema(resolvers),
  jit: 1,
  context: (request): Context => contextFor(request.headers.authorization ?? ''),
});
await app.listen({ port: listenPort(), host: '127.0.0.1' });
console.log(`Mercurius peer on http://127.0.0.1:${listenPort()}/graphql`);
