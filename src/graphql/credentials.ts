import type { CallerCredentials } from '../clumio/request.js';
import { gatewayError } from './errors.js';

/**
 * Only a bearer token of RFC 6750 characters and sane length is forwarded: anything else
 * (another scheme, CR/LF or control characters, an empty or 20 KB token) is refused before
 * any upstream call. The scheme is case-insensitive (RFC 7235): `bearer x` goes upstream as
 * `Bearer x`, the spelling Clumio's SDKs send.
 */
const bearerPattern = /^bearer +([A-Za-z0-9\-._~+/]+=*)$/i;
const maxAuthorizationLength = 8192;
const organizationalUnitPattern = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$/;

export type CallerResult =
  | { ok: true; caller: CallerCredentials }
  | { ok: false; code: 'UNAUTHENTICATED' | 'BAD_USER_INPUT'; reason: string };

export function readCaller(headers: Headers): CallerResult {
  const authorization = headers.get('authorization');
  if (authorization === null || authorization === '') {
    return { ok: false, code: 'UNAUTHENTICATED', reason: 'Send your Clumio API token as "Authorization: Bearer <token>".' };
  }
  const token = authorization.length > maxAuthorizationLength ? null : bearerPattern.exec(authorization)?.[1];
  if (!token) {
    return { ok: false, code: 'UNAUTHENTICATED', reason: 'The Authorization header must be "Bearer <token>" with a well-formed token.' };
  }
  // The header itself when it is already so spelled (a new string would be joined from two, and
  // copied whole the first time the scheduler hashes it).
  const canonical = authorization.length === token.length + 7 && authorization.startsWith('Bearer ');
  const caller = { authorization: canonical ? authorization : `Bearer ${token}` };
  // Empty means the global unit, as absent does: Clumio's SDKs always send the header, empty for it.
  const organizationalUnit = headers.get('x-clumio-organizationalunit-context');
  if (organizationalUnit === null || organizationalUnit === '') return { ok: true, caller };
  if (!organizationalUnitPattern.test(organizationalUnit)) {
    return { ok: false, code: 'BAD_USER_INPUT', reason: 'The x-clumio-organizationalunit-context header is not a valid organizational unit id.' };
  }
  return { ok: true, caller: { ...caller, organizationalUnit } };
}

/** The caller's credentials, or the coded error that says why there are none usable. */
export function callerOf(result: CallerResult): CallerCredentials {
  if (!result.ok) throw gatewayError(result.code, result.reason);
  return result.caller;
}
