import { hash } from 'node:crypto';
import type { KeyedCaller } from './breaker.js';

/** A short hash of a caller's Authorization header, never the token itself. */
export function callerKey(authorization: string): string {
  // crypto.hash (Node 20.12+): one call, no Hash object; a third of createHash's cost per request.
  return hash('sha256', authorization, 'base64url').slice(0, 22);
}

/**
 * One caller of Clumio, as the scheduler and the breakers tell callers apart. The scheduler
 * counts a caller's calls by its Authorization header, and only while they are in flight or
 * waiting, when the request holds the header anyway. The breakers remember a failing caller for
 * longer and name it in a log line, so they go by `key`, a hash of the header. The key is made
 * the first time a breaker asks for it, and a call to a healthy Clumio never asks: the hash costs
 * far more in place than in a loop (docs/performance.md has the figures).
 */
export class Caller implements KeyedCaller {
  private hashed: string | undefined;

  constructor(readonly authorization: string) {}

  get key(): string {
    return (this.hashed ??= callerKey(this.authorization));
  }
}
