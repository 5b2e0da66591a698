import { failure, json, type Answer } from './answer.js';
import { ApiError } from './errors.js';
import type { FaultQueue } from './faults.js';
import { parseJsonObject } from './json-body.js';
import type { RequestLog } from './request-log.js';
import type { BreakDetails, Fault } from './types.js';

export const CONTROL_PREFIX = '/__simulator/';

/** What the HTTP control endpoints drive, so a simulator in another process can be steered. */
export interface Controls {
  readonly faults: FaultQueue;
  readonly log: RequestLog;
  setLatency(ms: number, jitterMs?: number): void;
  setStrictPageTokens(strict: boolean): void;
  addOrganization(token: string, opts: { seed?: boolean }): void;
  installStack(walletId: string): void;
  breakWallet(walletId: string, errors?: BreakDetails): void;
}

const DONE: Answer = { status: 204, body: '' };

function walletAction(controls: Controls, method: string, id: string, action: string, body: string): Answer {
  if (method !== 'POST') throw new ApiError(405, `Use POST on ${CONTROL_PREFIX}wallets/{id}/${action}.`);
  if (action === 'install-stack') controls.installStack(id);
  else if (action === 'break') controls.breakWallet(id, body === '' ? undefined : parseJsonObject(body));
  else throw new ApiError(404, `No control action ${action}.`);
  return DONE;
}

function route(controls: Controls, method: string, path: string, body: string): Answer {
  const [resource, id, action, extra] = path.slice(CONTROL_PREFIX.length).split('/');
  const key = `${method} ${resource}`;
  if (resource === 'wallets' && id !== undefined && action !== undefined && extra === undefined) {
    return walletAction(controls, method, decodeURIComponent(id), action, body);
  }
  if (id !== undefined) throw new ApiError(404, `No control endpoint at ${path}.`);
  switch (key) {
    case 'POST faults':
      controls.faults.inject(parseJsonObject(body) as unknown as Fault);
      return DONE;
    case 'DELETE faults':
      controls.faults.clear();
      return DONE;
    case 'PUT latency': {
      // The simulator checks both (a RangeError, answered 400 below).
      const { ms, jitterMs = 0 } = parseJsonObject(body);
      controls.setLatency(ms as number, jitterMs as number);
      return DONE;
    }
    case 'PUT paging': {
      const { strictTokens } = parseJsonObject(body);
      if (typeof strictTokens !== 'boolean') throw new ApiError(400, 'strictTokens must be true or false.');
      controls.setStrictPageTokens(strictTokens);
      return DONE;
    }
    case 'GET requests':
      return json(200, JSON.stringify(controls.log.all()));
    case 'DELETE requests':
      controls.log.clear();
      return DONE;
    case 'POST organizations': {
      const { token, seed } = parseJsonObject(body);
      if (typeof token !== 'string' || token === '') throw new ApiError(400, 'token must be a non-empty string.');
      controls.addOrganization(token, { seed: seed !== false });
      return DONE;
    }
  }
  throw new ApiError(404, `No control endpoint at ${method} ${path}.`);
}

/** Control endpoints are a local test tool: no bearer auth, never recorded, never faulted. */
export function answerControl(controls: Controls, method: string, path: string, body: string): Answer {
  try {
    return route(controls, method, path, body);
  } catch (error) {
    if (error instanceof ApiError) return failure(error.status, error.message);
    if (error instanceof URIError) return failure(400, 'The request path has an invalid percent-encoding.');
    if (error instanceof RangeError) return failure(400, error.message);
    throw error;
  }
}
