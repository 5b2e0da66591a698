import { connect } from 'node:net';

export interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/**
 * Sends a request byte for byte over a plain socket, so a test can send what fetch refuses
 * to (control characters in headers, CR/LF); reads until the server closes the connection.
 * A body given as parts is sent part by part, 100 ms apart, with the socket left open (the
 * server closes it after its answer); one given whole is sent with the head, and the socket ended.
 */
export function rawRequest(origin: string, head: string, body: string | readonly Buffer[] = '', timeoutMs = 10_000): Promise<RawResponse> {
  const { hostname, port } = new URL(origin);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname);
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error('raw request timed out'));
    }, timeoutMs);
    socket.on('connect', () => {
      const parts = typeof body === 'string' ? [Buffer.from(body)] : body;
      const length = parts.reduce((sum, part) => sum + part.length, 0);
      // The request's own Host header when its head has one (to send a malformed one).
      const host = /\r\nhost:/i.test(head) ? '' : `\r\nhost: ${hostname}:${port}`;
      socket.write(`${head}${host}\r\ncontent-length: ${length}\r\nconnection: close\r\n\r\n`);
      if (typeof body === 'string') {
        socket.end(parts[0]!);
        return;
      }
      parts.forEach((part, at) => setTimeout(() => socket.write(part), at * 100));
    });
    socket.on('data', (chunk) => chunks.push(chunk));
    socket.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    socket.on('close', () => {
      clearTimeout(timer);
      const text = Buffer.concat(chunks).toString('utf8');
      const [rawHead = '', ...rest] = text.split('\r\n\r\n');
      const [statusLine = '', ...headerLines] = rawHead.split('\r\n');
      const headers: Record<string, string> = {};
      for (const line of headerLines) {
        const at = line.indexOf(':');
        if (at > 0) headers[line.slice(0, at).trim().toLowerCase()] = line.slice(at + 1).trim();
      }
      let payload = rest.join('\r\n\r\n');
      if (headers['transfer-encoding'] === 'chunked') payload = dechunk(payload);
      resolve({ status: Number(statusLine.split(' ')[1] ?? 0), headers, body: payload });
    });
  });
}

function dechunk(text: string): string {
  let out = '';
  let rest = text;
  for (;;) {
    const lineEnd = rest.indexOf('\r\n');
    if (lineEnd < 0) return out;
    const size = parseInt(rest.slice(0, lineEnd), 16);
    if (!size) return out;
    out += rest.slice(lineEnd + 2, lineEnd + 2 + size);
    rest = rest.slice(lineEnd + 2 + size + 2);
  }
}
