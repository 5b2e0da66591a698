import { ApiError } from './errors.js';

const VENDOR_TYPE = /application\/api\.clumio\.([a-z0-9-]+)=([a-z0-9]+)\+json/g;

/**
 * Clumio versions each resource through `Accept: application/api.clumio.<resource>=v1+json`.
 * An Accept that names no Clumio type (`*\/*`, `application/json`, none) gets v1, the only
 * version there is; one that names Clumio types but not this resource's v1 (`wallets=v2`,
 * another resource) is refused with 406 Not Acceptable. What Clumio answers for an unknown
 * version is unpublished: 406 is HTTP's status for it.
 */
export function checkAccept(accept: string | undefined, resource: string): void {
  if (accept === undefined) return;
  const asked = [...accept.toLowerCase().matchAll(VENDOR_TYPE)];
  if (asked.length === 0 || asked.some(([, name, version]) => name === resource && version === 'v1')) return;
  throw new ApiError(406, `This endpoint serves application/api.clumio.${resource}=v1+json; the Accept header asks for a version it does not have.`);
}
