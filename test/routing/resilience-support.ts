/**
 * Support for the resilience cases of the test plan (R and S): a load driver that runs a fixed number of client
 * loops for a bounded time against the gateway on 127.0.0.1, and the replies the fake upstreams give.
 */
import { Agent, request } from 'undici';
import type { RecordedRequest, Reply } from '../harness/fake-upstream.js';
import { chatCompletion, chatStream, openAIError } from '../harness/openai-fixtures.js';

export interface ClientOutcome {
  stream: boolean;
  status: number;
  /** `x-junction-attempts`. */
  attempts: number;
  backend: string;
  /** A stream ended with `[DONE]` and carried no error event; a JSON answer parsed with choices. */
  complete: boolean;
  startedAt: number;
  endedAt: number;
  text: string;
}

const agent = new Agent({ connections: 512, keepAliveTimeout: 5_000, pipelining: 1 });

/** Sends one chat request and reads the whole answer. */
export async function send(
  url: string,
  key: string,
  body: Record<string, unknown>,
  headers: Record<string, string> = {},
): Promise<ClientOutcome> {
  const stream = body.stream === true;
  const startedAt = performance.now();
  try {
    const response = await request(`${url}/v1/chat/completions`, {
      method: 'POST',
      dispatcher: agent,
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
    });
    const text = await response.body.text();
    const header = (name: string) => {
      const value = response.headers[name];
      return typeof value === 'string' ? value : '';
    };
    let complete = false;
    if (response.statusCode === 200) {
      if (stream) complete = text.endsWith('data: [DONE]\n\n') && !text.includes('data: {"error"');
      else complete = Array.isArray((JSON.parse(text) as { choices?: unknown }).choices);
    }
    return {
      stream,
      status: response.statusCode,
      attempts: Number(header('x-junction-attempts') || 0),
      backend: header('x-junction-backend'),
      complete,
      startedAt,
      endedAt: performance.now(),
      text,
    };
  } catch (error) {
    return {
      stream,
      status: 0,
      attempts: 0,
      backend: '',
      complete: false,
      startedAt,
      endedAt: performance.now(),
      text: String(error),
    };
  }
}

/** Runs `workers` loops of `next()` until `durationMs` has passed; every loop stops by itself. */
export async function load(
  workers: number,
  durationMs: number,
  next: () => Promise<ClientOutcome>,
): Promise<ClientOutcome[]> {
  const until = performance.now() + durationMs;
  const outcomes: ClientOutcome[] = [];
  await Promise.all(
    Array.from({ length: workers }, async () => {
      while (performance.now() < until) outcomes.push(await next());
    }),
  );
  return outcomes;
}

/** Sends `count` requests, `concurrency` at a time. */
export async function batch(
  count: number,
  concurrency: number,
  next: (index: number) => Promise<ClientOutcome>,
): Promise<ClientOutcome[]> {
  const outcomes: ClientOutcome[] = [];
  let issued = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (issued < count) outcomes.push(await next(issued++));
    }),
  );
  return outcomes;
}

/** A request the gateway made to probe an ejected backend (probes carry a `verify-` request id). */
export function isProbe(request: RecordedRequest): boolean {
  const id = request.headers['x-request-id'];
  return typeof id === 'string' && id.startsWith('verify-');
}

const wantsStream = (request: RecordedRequest) =>
  (request.json as { stream?: boolean } | undefined)?.stream === true;

/** A successful answer in the shape the request asked for: a stream of `words` at `intervalMs`, or JSON. */
export function success(
  request: RecordedRequest,
  options: { words?: number; intervalMs?: number; delayMs?: number } = {},
): Reply {
  const words = Array.from({ length: options.words ?? 3 }, (_, index) => `w${index} `);
  if (wantsStream(request)) {
    return {
      kind: 'sse',
      events: chatStream({ model: 'u', words }),
      ...(options.intervalMs ? { intervalMs: options.intervalMs } : {}),
    };
  }
  return {
    kind: 'json',
    body: chatCompletion({ model: 'u', content: words.join('') }),
    ...(options.delayMs ? { delayMs: options.delayMs } : {}),
  };
}

export const serverError = (status = 503, delayMs?: number): Reply => ({
  kind: 'json',
  status,
  body: openAIError(`upstream says ${status}`, 'server_error'),
  ...(delayMs ? { delayMs } : {}),
});

export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;
}
