import type { ServerOptions } from 'node:http';

/**
 * Options for the gateway's node:http server. Headers may total 128 KB (Node's default is
 * 16 KB) so that an oversized token reaches the credential check and is answered as
 * UNAUTHENTICATED, rather than cut off by the HTTP parser with a bare 431.
 */
export const gatewayServerOptions: ServerOptions = {
  maxHeaderSize: 128 * 1024,
};
