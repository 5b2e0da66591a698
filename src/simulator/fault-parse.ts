import { ApiError } from './errors.js';
import type { Fault } from './types.js';

const KINDS = new Set(['status', 'malformed', 'html', 'reset', 'stall', 'slowBody', 'huge', 'body']);
// A header value Node will write: visible ASCII and spaces.
const HEADER_VALUE = /^[\x20-\x7e]{1,200}$/;

function invalid(message: string): never {
  throw new ApiError(400, `Invalid fault: ${message}`);
}

function optionalNumber(value: unknown, name: string, min: number, integer = false): void {
  if (value === undefined) return;
  if (typeof value !== 'number' || Number.isNaN(value) || value < min || (integer && !Number.isInteger(value))) {
    invalid(`${name} must be ${integer ? 'an integer' : 'a number'} >= ${min}`);
  }
}

function requiredNumber(value: unknown, name: string, min: number, integer = false): void {
  if (value === undefined) invalid(`${name} is required`);
  optionalNumber(value, name, min, integer);
}

function checkMatch(match: unknown): void {
  if (match === undefined) return;
  if (typeof match !== 'object' || match === null) invalid('match must be an object');
  const { method, pathPrefix } = match as Record<string, unknown>;
  if (method !== undefined && typeof method !== 'string') invalid('match.method must be a string');
  if (pathPrefix !== undefined && typeof pathPrefix !== 'string') invalid('match.pathPrefix must be a string');
}

/** Validates a fault from a test or from the HTTP control endpoint; throws a 400 ApiError. */
export function parseFault(input: unknown): Fault {
  if (typeof input !== 'object' || input === null) invalid('expected a JSON object');
  const fault = input as Record<string, unknown>;
  if (typeof fault.kind !== 'string' || !KINDS.has(fault.kind)) invalid(`unknown kind ${String(fault.kind)}`);
  if (fault.times !== Infinity) optionalNumber(fault.times, 'times', 1, true);
  checkMatch(fault.match);
  if (fault.kind === 'status') {
    requiredNumber(fault.status, 'status', 100, true);
    optionalNumber(fault.retryAfterSeconds, 'retryAfterSeconds', 0, true);
    if (fault.message !== undefined && typeof fault.message !== 'string') invalid('message must be a string');
  }
  if (fault.kind === 'html') optionalNumber(fault.status, 'status', 100, true);
  if (fault.kind === 'stall') optionalNumber(fault.ms, 'ms', 0);
  if (fault.kind === 'slowBody') requiredNumber(fault.chunkDelayMs, 'chunkDelayMs', 0);
  if (fault.kind === 'huge') requiredNumber(fault.bytes, 'bytes', 1, true);
  if (fault.kind === 'body') {
    if (fault.body !== undefined && typeof fault.body !== 'string') invalid('body must be a string');
    if (fault.contentType !== undefined && (typeof fault.contentType !== 'string' || !HEADER_VALUE.test(fault.contentType))) {
      invalid('contentType must be 1 to 200 visible ASCII characters');
    }
  }
  return { ...fault } as unknown as Fault;
}
