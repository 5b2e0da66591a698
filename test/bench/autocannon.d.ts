// The part of autocannon's API the benchmark uses (the package ships no types).
declare module 'autocannon' {
  export interface Request {
    method?: string;
    path?: string;
    headers?: Record<string, string>;
    body?: string;
  }
  /** One connection. */
  export interface Client {
    setRequests(requests: Request[]): void;
  }
  export interface Options {
    url: string;
    connections?: number;
    duration?: number;
    amount?: number;
    timeout?: number;
    method?: string;
    headers?: Record<string, string>;
    body?: string;
    requests?: Request[];
    /** Called with each connection as it is made. */
    setupClient?: (client: Client) => void;
    /** A body it returns false for counts as a mismatch. */
    verifyBody?: (body: string) => boolean;
  }
  export interface Histogram {
    mean: number;
    p50: number;
    p90: number;
    p99: number;
    max: number;
  }
  export interface Result {
    duration: number;
    errors: number;
    timeouts: number;
    mismatches: number;
    non2xx: number;
    '2xx': number;
    latency: Histogram;
    requests: Histogram & { total: number; average: number };
  }
  /** A running load: a promise of its result, and the events of each answer. */
  export interface Instance extends PromiseLike<Result> {
    on(event: 'response', listener: (client: Client, statusCode: number, bytes: number, responseTimeMs: number) => void): this;
    on(event: 'reqError', listener: (error: Error & { code?: string }) => void): this;
    on(event: 'reqMismatch', listener: () => void): this;
    /** Ends the load; the result follows at autocannon's next sampling tick. */
    stop(): void;
  }
  function autocannon(options: Options): Instance;
  export default autocannon;
}
