import type { Socket } from 'node:net';

/** How many GraphQL requests the gateway works on at once. */
export interface AdmissionLimits {
  /** Requests in flight, all connections together. */
  maxInFlight: number;
  /** Requests in flight on one connection (HTTP/1.1 pipelining sends the next before an answer). */
  maxPerConnection: number;
}

/** Gives an admitted request's place back; a second call does nothing. */
export type Release = () => void;

/**
 * Bounds the GraphQL requests in flight, so that what they hold (a body of up to
 * MAX_REQUEST_BODY_BYTES, the operation's state, the Clumio calls it queues) is bounded in all.
 * Node's server hands over every request a connection pipelines as soon as it has parsed it,
 * whether or not the one before has been answered. A request refused here has its body left
 * unread until its refusal is sent (after the answers before it): once a refused body fills its
 * request's read buffer, or the refusals queued fill the connection's, Node reads that connection
 * no further (TCP's own backpressure), so a connection pipelining more than its share cannot fill
 * the gateway. A request holds its place until its handling ends, or, handed to Yoga, until Yoga
 * has its answer (an event stream goes on with no place held: its own limits bound subscriptions).
 */
export class Admission {
  #inFlight = 0;
  #refused = 0;
  // Weakly keyed: a connection's count goes with its socket.
  readonly #perConnection = new WeakMap<Socket, number>();

  constructor(private readonly limits: AdmissionLimits) {}

  /** Requests in flight now (for the metrics). */
  get inFlight(): number {
    return this.#inFlight;
  }

  /** Requests refused so far (for the metrics). */
  get refused(): number {
    return this.#refused;
  }

  /** A place for the request on `socket`, or undefined when it must be refused. */
  admit(socket: Socket): Release | undefined {
    const onConnection = this.#perConnection.get(socket) ?? 0;
    if (this.#inFlight >= this.limits.maxInFlight || onConnection >= this.limits.maxPerConnection) {
      this.#refused++;
      return undefined;
    }
    this.#inFlight++;
    this.#perConnection.set(socket, onConnection + 1);
    let held = true;
    return () => {
      if (!held) return;
      held = false;
      this.#inFlight--;
      this.#perConnection.set(socket, (this.#perConnection.get(socket) ?? 1) - 1);
    };
  }
}
