import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { badUserInput } from './errors.js';

/**
 * A cursor names a position in Clumio's paging: the page's `start` token, the page size it
 * was read with, the item's offset in that page and its wallet id (so a wallet deleted
 * meanwhile does not shift the position) and, on the page's last item, the next page's
 * token. It is signed, so a tampered cursor is refused here instead of reaching Clumio.
 */
export interface CursorPosition {
  start: string;
  limit: number;
  offset: number;
  id: string;
  next: string | null;
}

export interface CursorCodec {
  encode(position: CursorPosition): string;
  decode(cursor: string): CursorPosition;
}

// Room for two Clumio page tokens of unknown length; anything longer is refused unread.
const maxCursorLength = 4096;

const isCount = (value: unknown): value is number => Number.isSafeInteger(value) && (value as number) >= 0;

export function createCursorCodec(secret: string | null): CursorCodec {
  const key = secret ?? randomBytes(32).toString('hex');
  const sign = (payload: string) => createHmac('sha256', key).update(payload).digest().subarray(0, 16);

  return {
    encode(position) {
      const payload = Buffer.from(JSON.stringify([position.start, position.limit, position.offset, position.id, position.next])).toString('base64url');
      return `${payload}.${sign(payload).toString('base64url')}`;
    },
    decode(cursor) {
      const invalid = () => badUserInput('Invalid cursor: pass an `endCursor` or edge `cursor` from this API unchanged.', 'after');
      if (cursor.length > maxCursorLength) throw invalid();
      const [payload, signature, extra] = cursor.split('.');
      if (!payload || !signature || extra !== undefined) throw invalid();
      const expected = sign(payload);
      const given = Buffer.from(signature, 'base64url');
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw invalid();
      let value: unknown;
      try {
        value = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
      } catch {
        throw invalid();
      }
      if (!Array.isArray(value) || value.length !== 5) throw invalid();
      const [start, limit, offset, id, next] = value as unknown[];
      if (typeof start !== 'string' || typeof id !== 'string' || (next !== null && typeof next !== 'string')) throw invalid();
      if (!isCount(limit) || limit < 1 || !isCount(offset)) throw invalid();
      return { start, limit, offset, id, next };
    },
  };
}
