import { connect, createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

/** A plain TCP relay in front of a server, so a test can see connections open and close. */
export interface TcpProxy {
  /** http://127.0.0.1:port */
  url: string;
  /** Connections accepted from the client side so far. */
  readonly opened: number;
  /** Of those, how many the client side has closed. */
  readonly closed: number;
  /** Bytes relayed from the server to the client. */
  readonly bytesToClient: number;
  close(): Promise<void>;
}

export async function startTcpProxy(target: string): Promise<TcpProxy> {
  const { hostname, port } = new URL(target);
  const sockets = new Set<Socket>();
  let opened = 0;
  let closed = 0;
  let bytesToClient = 0;
  const server: Server = createServer((client) => {
    opened++;
    const upstream = connect(Number(port), hostname);
    sockets.add(client).add(upstream);
    upstream.on('data', (chunk: Buffer) => {
      bytesToClient += chunk.length;
    });
    client.pipe(upstream);
    upstream.pipe(client);
    client.on('close', () => {
      closed++;
      upstream.destroy();
      sockets.delete(client);
    });
    upstream.on('close', () => {
      client.destroy();
      sockets.delete(upstream);
    });
    client.on('error', () => {});
    upstream.on('error', () => {});
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    get opened() {
      return opened;
    },
    get closed() {
      return closed;
    },
    get bytesToClient() {
      return bytesToClient;
    },
    close() {
      for (const socket of sockets) socket.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
