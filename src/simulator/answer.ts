import type { ServerResponse } from 'node:http';
import { errorBody } from './errors.js';

/** A complete HTTP answer, computed before anything is written so faults can reshape it. */
export interface Answer {
  status: number;
  body: string;
  headers?: Record<string, string>;
}

/** What Clumio labels its answers with: the resource's versioned vendor type. */
export const CLUMIO_TYPE = 'application/api.clumio.wallets=v1+json';

export function json(status: number, body: string, headers?: Record<string, string>): Answer {
  return headers ? { status, body, headers } : { status, body };
}

export function failure(status: number, message: string, headers?: Record<string, string>): Answer {
  return json(status, errorBody(status, message), headers);
}

export function headersOf(answer: Answer, length: number, contentType = CLUMIO_TYPE): Record<string, string | number> {
  return { 'content-type': contentType, 'content-length': length, ...answer.headers };
}

/** Clumio's answers carry its vendor type; the control endpoints (a test tool) answer plain JSON. */
export function send(res: ServerResponse, answer: Answer, contentType = CLUMIO_TYPE): void {
  if (res.destroyed) return;
  const body = Buffer.from(answer.body);
  res.writeHead(answer.status, headersOf(answer, body.length, contentType));
  res.end(body);
}
