import type { ServerResponse } from 'node:http';
import { errorBody } from './errors.js';

/** A complete HTTP answer, computed before anything is written so faults can reshape it. */
export interface Answer {
  status: number;
  body: string;
  headers?: Record<string, string>;
}

const JSON_TYPE = 'application/json';

export function json(status: number, body: string, headers?: Record<string, string>): Answer {
  return headers ? { status, body, headers } : { status, body };
}

export function failure(status: number, message: string, headers?: Record<string, string>): Answer {
  return json(status, errorBody(status, message), headers);
}

export function headersOf(answer: Answer, length: number): Record<string, string | number> {
  return { 'content-type': JSON_TYPE, 'content-length': length, ...answer.headers };
}

export function send(res: ServerResponse, answer: Answer): void {
  if (res.destroyed) return;
  const body = Buffer.from(answer.body);
  res.writeHead(answer.status, headersOf(answer, body.length));
  res.end(body);
}
