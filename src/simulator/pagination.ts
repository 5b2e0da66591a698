import { ApiError } from './errors.js';

export interface PageQuery {
  limit: number;
  /** The `start` token as received, '' for the first page. */
  start: string;
  /** Sequence number the page starts after (0: from the beginning). */
  after: number;
}

export interface PageSizes {
  defaultPageSize: number;
  maxPageSize: number;
}

const TOKEN = /^[A-Za-z0-9_-]{1,64}$/;
const AFTER = /^after:(\d{1,15})$/;

/**
 * Page tokens name the last wallet seen by its creation sequence, so they stay valid across
 * inserts and deletes; base64url keeps them opaque so clients do not build them.
 */
export function startToken(afterSeq: number): string {
  return afterSeq === 0 ? '' : Buffer.from(`after:${afterSeq}`).toString('base64url');
}

function decodeStart(start: string): number {
  const match = TOKEN.test(start) ? AFTER.exec(Buffer.from(start, 'base64url').toString()) : null;
  if (!match || startToken(Number(match[1])) !== start) {
    throw new ApiError(400, 'The start parameter is not a page token issued by this API.');
  }
  return Number(match[1]);
}

function parseLimit(raw: string | null, sizes: PageSizes): number {
  if (raw === null || raw === '') return sizes.defaultPageSize;
  if (!/^\d+$/.test(raw)) throw new ApiError(400, 'The limit parameter must be a non-negative integer.');
  const limit = Number(raw);
  return limit === 0 ? sizes.defaultPageSize : Math.min(limit, sizes.maxPageSize);
}

/** `limit=0` and an empty `start` mean defaults: older Go SDKs send exactly that. */
export function parsePageQuery(query: string, sizes: PageSizes): PageQuery {
  if (query === '') return { limit: sizes.defaultPageSize, start: '', after: 0 };
  const params = new URLSearchParams(query);
  const start = params.get('start') ?? '';
  return { limit: parseLimit(params.get('limit'), sizes), start, after: start === '' ? 0 : decodeStart(start) };
}
