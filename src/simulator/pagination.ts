import { ApiError } from './errors.js';

export interface PageQuery {
  limit: number;
  /** The `start` token as received, '' for the first page. */
  start: string;
  /** Sequence number the page starts after (0: from the beginning). */
  after: number;
}

export interface Paging {
  defaultPageSize: number;
  maxPageSize: number;
  /**
   * Refuse (400) a page token sent with another page size than the one it was issued for.
   * Whether Clumio's tokens depend on the page size is unpublished; strict is the reading a
   * client must survive, lenient the one that forgives it.
   */
  strictTokens: boolean;
}

const TOKEN = /^[A-Za-z0-9_-]{1,64}$/;
const AFTER = /^after:(\d{1,15}):(\d{1,6})$/;

/**
 * Page tokens name the last wallet seen by its creation sequence, so they stay valid across
 * inserts and deletes, and the page size they were issued for; base64url keeps them opaque so
 * clients do not build them.
 */
export function startToken(afterSeq: number, limit: number): string {
  return afterSeq === 0 ? '' : Buffer.from(`after:${afterSeq}:${limit}`).toString('base64url');
}

function decodeStart(start: string, limit: number, paging: Paging): number {
  const match = TOKEN.test(start) ? AFTER.exec(Buffer.from(start, 'base64url').toString()) : null;
  if (!match || startToken(Number(match[1]), Number(match[2])) !== start) {
    throw new ApiError(400, 'The start parameter is not a page token issued by this API.');
  }
  if (paging.strictTokens && Number(match[2]) !== limit) {
    throw new ApiError(400, `The start token was issued for limit=${match[2]}; ask for its page with that limit.`);
  }
  return Number(match[1]);
}

function parseLimit(raw: string | null, paging: Paging): number {
  if (raw === null || raw === '') return paging.defaultPageSize;
  if (!/^\d+$/.test(raw)) throw new ApiError(400, 'The limit parameter must be a non-negative integer.');
  const limit = Number(raw);
  return limit === 0 ? paging.defaultPageSize : Math.min(limit, paging.maxPageSize);
}

/** `limit=0` and an empty `start` mean defaults: older Go SDKs send exactly that. */
export function parsePageQuery(query: string, paging: Paging): PageQuery {
  if (query === '') return { limit: paging.defaultPageSize, start: '', after: 0 };
  const params = new URLSearchParams(query);
  const start = params.get('start') ?? '';
  const limit = parseLimit(params.get('limit'), paging);
  return { limit, start, after: start === '' ? 0 : decodeStart(start, limit, paging) };
}
