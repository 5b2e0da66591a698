import { checkAccept } from './accept.js';
import { failure, type Answer } from './answer.js';
import type { ApiContext } from './context.js';
import { createWallet } from './create.js';
import { ApiError } from './errors.js';
import { listWallets } from './list.js';
import { deleteWallet, readWallet, refreshWallet } from './operations.js';
import { postProcess } from './post-process.js';
import type { Organization } from './store.js';

const POST_PROCESS = '_post-process';

export interface ApiRequest {
  method: string;
  /** Still percent-encoded, without the query. */
  path: string;
  query: string;
  authorization: string | undefined;
  accept: string | undefined;
  /** `x-clumio-organizationalunit-context`; '' (absent or empty) is the global unit. */
  unit: string;
  body: string;
}

function authenticate(ctx: ApiContext, authorization: string | undefined): Organization {
  if (authorization === undefined || !/^bearer /i.test(authorization)) {
    throw new ApiError(401, 'An Authorization header with a Bearer token is required.');
  }
  const org = ctx.store.organization(authorization.slice(7));
  if (!org) throw new ApiError(401, 'The bearer token is invalid or has expired.');
  return org;
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new ApiError(400, 'The request path has an invalid percent-encoding.');
  }
}

function notAllowed(method: string, path: string): never {
  throw new ApiError(405, `Method ${method} is not allowed on ${path}.`);
}

function walletCollection(ctx: ApiContext, org: Organization, req: ApiRequest): Answer {
  if (req.method === 'GET') return listWallets(ctx, org, req.unit, req.query);
  if (req.method === 'POST') return createWallet(ctx, org, req.unit, req.body);
  return notAllowed(req.method, req.path);
}

function walletItem(ctx: ApiContext, org: Organization, req: ApiRequest, id: string): Answer {
  // KMS post-processing shares the prefix but is its own resource (and version), not a wallet id.
  if (req.method === 'POST' && id === POST_PROCESS) {
    checkAccept(req.accept, 'post-process-kms');
    return postProcess(org, req.unit, req.body);
  }
  checkAccept(req.accept, 'wallets');
  if (req.method === 'GET') return readWallet(ctx, org, req.unit, id);
  if (req.method === 'DELETE') return deleteWallet(ctx, org, req.unit, id);
  return notAllowed(req.method, req.path);
}

function route(ctx: ApiContext, req: ApiRequest): Answer {
  const org = authenticate(ctx, req.authorization);
  const segments = req.path.split('/');
  if (segments[0] !== '' || segments[1] !== 'wallets' || segments.length > 4) {
    throw new ApiError(404, `No resource at ${req.path}.`);
  }
  if (segments.length === 2) {
    checkAccept(req.accept, 'wallets');
    return walletCollection(ctx, org, req);
  }
  const id = decodeSegment(segments[2]!);
  if (id === '') throw new ApiError(404, `No resource at ${req.path}.`);
  if (segments.length === 3) return walletItem(ctx, org, req, id);
  if (segments[3] !== '_refresh') throw new ApiError(404, `No resource at ${req.path}.`);
  checkAccept(req.accept, 'wallets');
  if (req.method !== 'POST') return notAllowed(req.method, req.path);
  return refreshWallet(ctx, org, req.unit, id);
}

/** Answers one Clumio API request; every anticipated failure becomes Clumio's error envelope. */
export function answerApi(ctx: ApiContext, req: ApiRequest): Answer {
  try {
    return route(ctx, req);
  } catch (error) {
    if (error instanceof ApiError) return failure(error.status, error.message);
    throw error;
  }
}
