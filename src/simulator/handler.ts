import type { IncomingMessage, ServerResponse } from 'node:http';
import { failure, send, type Answer } from './answer.js';
import type { ApiContext } from './context.js';
import { answerControl, CONTROL_PREFIX, type Controls } from './control.js';
import { applyFault } from './fault-answers.js';
import { flatHeader, flattenHeaders, hasBody, readBody } from './request-body.js';
import { answerApi } from './routes.js';
import type { Timers } from './timers.js';

export interface HandlerDeps {
  readonly ctx: ApiContext;
  readonly controls: Controls;
  readonly timers: Timers;
  latency(): number;
}

/** Unexpected exceptions are simulator bugs; they still answer in Clumio's envelope rather than hang. */
function guarded(compute: () => Answer): Answer {
  try {
    return compute();
  } catch (error) {
    return failure(500, `Simulator error: ${error instanceof Error ? error.message : String(error)}`);
  }
}

function splitTarget(target: string): [path: string, query: string] {
  // Absolute-form targets (proxies send them) are reduced to origin-form.
  const origin = target.startsWith('/') ? target : target.replace(/^[a-z]+:\/\/[^/?]*/i, '') || '/';
  const q = origin.indexOf('?');
  return q === -1 ? [origin, ''] : [origin.slice(0, q), origin.slice(q + 1)];
}

export function createHandler(deps: HandlerDeps): (req: IncomingMessage, res: ServerResponse) => void {
  const { ctx, controls, timers } = deps;

  function answerClumio(req: IncomingMessage, res: ServerResponse, target: string, body: string | undefined): void {
    const method = req.method ?? 'GET';
    const [path, query] = splitTarget(target);
    controls.log.add({ method, path, url: target, headers: flattenHeaders(req.headers), body: body ?? '', at: Date.now() });
    const fault = controls.faults.take(method, path);
    const { authorization, accept } = req.headers;
    const unit = flatHeader(req.headers['x-clumio-organizationalunit-context']);
    const real = (): Answer =>
      body === undefined
        ? failure(413, 'The request body is too large.')
        : guarded(() => answerApi(ctx, { method, path, query, authorization, accept, unit, body }));
    const answer = (): void => (fault ? applyFault(fault, res, real, timers) : send(res, real()));
    const latency = deps.latency();
    if (latency > 0) timers.after(latency, answer);
    else answer();
  }

  return (req, res) => {
    const target = req.url ?? '/';
    if (target.startsWith(CONTROL_PREFIX)) {
      readBody(req, (body) => {
        const [path] = splitTarget(target);
        const answer = body === undefined ? failure(413, 'Too large.') : guarded(() => answerControl(controls, req.method ?? 'GET', path, body));
        send(res, answer, 'application/json');
      });
    } else if (hasBody(req.headers)) {
      readBody(req, (body) => answerClumio(req, res, target, body));
    } else {
      answerClumio(req, res, target, '');
    }
  };
}
