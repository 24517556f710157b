/**
 * A minimal HTTP client for the fake upstream's own tests: undici with a private Agent, so keep-alive
 * sockets from these tests never leak into the global dispatcher other test files use.
 */
import { Agent, request } from 'undici';
import type { FakeUpstream } from './fake-upstream.js';

export const agent = new Agent({ keepAliveTimeout: 1_000 });

export interface CallOptions {
  method?: string;
  body?: unknown;
  headers?: Record<string, string>;
  signal?: AbortSignal;
}

export function call(upstream: FakeUpstream, path: string, options: CallOptions = {}) {
  const hasBody = options.body !== undefined;
  return request(`${upstream.url}${path}`, {
    dispatcher: agent,
    method: options.method ?? (hasBody ? 'POST' : 'GET'),
    headers: { ...(hasBody ? { 'content-type': 'application/json' } : {}), ...options.headers },
    body: hasBody ? JSON.stringify(options.body) : undefined,
    signal: options.signal,
  });
}

/** Sends a request and reads the whole body as text. */
export async function fetchText(
  upstream: FakeUpstream,
  path: string,
  options: CallOptions = {},
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; text: string }> {
  const response = await call(upstream, path, options);
  return { status: response.statusCode, headers: response.headers, text: await response.body.text() };
}

/** The `data:` payloads of an SSE body, JSON-parsed except `[DONE]`. */
export function sseData(text: string): unknown[] {
  return text
    .split('\n\n')
    .filter((frame) => frame.startsWith('data: '))
    .map((frame) => frame.slice('data: '.length))
    .map((data) => (data === '[DONE]' ? data : JSON.parse(data)));
}

export interface Received {
  /** Everything read before the stream ended, errored, or went quiet. */
  text: string;
  arrivals: number[];
  outcome: 'end' | 'error' | 'quiet';
}

/**
 * Reads a body chunk by chunk, recording arrival times, until it ends, fails, or stays silent for `quietMs`.
 * Going quiet is how a stall is observed without waiting forever.
 */
export async function readUntilQuiet(body: AsyncIterable<Buffer>, quietMs: number): Promise<Received> {
  const iterator = body[Symbol.asyncIterator]();
  const received: Received = { text: '', arrivals: [], outcome: 'end' };
  for (;;) {
    let timer: NodeJS.Timeout | undefined;
    const quiet = new Promise<'quiet'>((resolve) => {
      timer = setTimeout(() => resolve('quiet'), quietMs);
    });
    try {
      const next = await Promise.race([iterator.next(), quiet]);
      if (next === 'quiet') {
        received.outcome = 'quiet';
        return received;
      }
      if (next.done) return received;
      received.text += next.value.toString('utf8');
      received.arrivals.push(Date.now());
    } catch {
      received.outcome = 'error';
      return received;
    } finally {
      clearTimeout(timer);
    }
  }
}
