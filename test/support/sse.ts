/** One server-sent event of a GraphQL-over-SSE stream (`next` or `complete`); `T` is the operation's data. */
export interface SseEvent<T = Record<string, unknown>> {
  event: string;
  data: { data?: T | null; errors?: Array<{ message: string; extensions?: Record<string, unknown> }> } | null;
}

export interface SseStream<T = Record<string, unknown>> {
  status: number;
  contentType: string | null;
  /** The next event, or null if none arrives within `timeoutMs` or the stream ended. */
  next(timeoutMs?: number): Promise<SseEvent<T> | null>;
  /** Leaves, as a browser tab that closes does. */
  close(): void;
}

/** POSTs a subscription with `accept: text/event-stream` and reads its events as they come. */
export async function openSse<T = Record<string, unknown>>(
  url: string,
  body: Record<string, unknown>,
  options: { token?: string | null; headers?: Record<string, string> } = {},
): Promise<SseStream<T>> {
  const controller = new AbortController();
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'text/event-stream',
      ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
      ...options.headers,
    },
    body: JSON.stringify(body),
    signal: AbortSignal.any([controller.signal, AbortSignal.timeout(60_000)]),
  });
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  const events: SseEvent<T>[] = [];
  let buffer = '';
  let ended = false;
  let pending: Promise<void> | null = null;

  // Reads one chunk and turns every complete event in the buffer into an SseEvent.
  function readChunk(): Promise<void> {
    pending ??= reader
      .read()
      .then(({ value, done }) => {
        if (done) ended = true;
        else buffer += decoder.decode(value, { stream: true });
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          let event = 'message';
          const data: string[] = [];
          for (const line of block.split('\n')) {
            if (line.startsWith('event:')) event = line.slice(6).trim();
            else if (line.startsWith('data:')) data.push(line.slice(5).trimStart());
          }
          if (block.split('\n').every((line) => line.startsWith(':'))) continue;
          const text = data.join('\n');
          events.push({ event, data: text ? (JSON.parse(text) as SseEvent<T>['data']) : null });
        }
      })
      .catch(() => {
        ended = true;
      })
      .finally(() => {
        pending = null;
      });
    return pending;
  }

  return {
    status: response.status,
    contentType: response.headers.get('content-type'),
    async next(timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      while (events.length === 0 && !ended) {
        const left = deadline - Date.now();
        if (left <= 0) return null;
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([readChunk(), new Promise((resolve) => (timer = setTimeout(resolve, left)))]);
        clearTimeout(timer);
      }
      return events.shift() ?? null;
    },
    close() {
      controller.abort();
    },
  };
}

/** Waits up to `timeoutMs` for `check` to hold, polling every 20 ms. */
export async function eventually(check: () => boolean, timeoutMs = 5_000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return true;
}
