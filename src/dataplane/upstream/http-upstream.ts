/**
 * Sends upstream requests over HTTP with one undici Pool per origin (keep-alive, no WHATWG fetch on the hot
 * path). What is sent is decided by the provider's adapter and the auth decorator; this only moves bytes.
 */
import type { Pool as UndiciPool } from 'undici';
import { Pool, errors as undiciErrors } from '../../http/undici.js';
import { AttemptFailure, type UpstreamResponse, type UpstreamTimeouts } from './upstream.js';

/** One request to an upstream origin, authenticated and ready to send. */
export interface OutgoingRequest {
  method: 'POST';
  path: string;
  headers: Record<string, string>;
  body: string;
}

export interface HttpUpstream {
  /**
   * Sends a request; rejects with an `AttemptFailure` of kind `timeout` when no response headers arrived within
   * `firstByteMs` (the configured first-byte timeout unless given).
   */
  send(
    origin: string,
    request: OutgoingRequest,
    signal: AbortSignal,
    firstByteMs?: number,
  ): Promise<UpstreamResponse>;
  close(): Promise<void>;
}

/** Creates the HTTP caller with its pool cache. */
export function createHttpUpstream(
  timeouts: UpstreamTimeouts,
  options: { lookup?: import('node:net').LookupFunction } = {},
): HttpUpstream {
  const pools = new Map<string, UndiciPool>();
  const poolFor = (origin: string): UndiciPool => {
    let pool = pools.get(origin);
    if (!pool) {
      pool = new Pool(origin, {
        connect: { timeout: timeouts.connectMs, ...(options.lookup ? { lookup: options.lookup } : {}) },
        keepAliveTimeout: 30_000,
        // The first-byte timeout is timed precisely in send(); undici's own, on a coarse clock, is only a backstop.
        headersTimeout: timeouts.firstByteMs + 2_000,
        bodyTimeout: timeouts.idleMs,
        pipelining: 1,
      });
      pools.set(origin, pool);
    }
    return pool;
  };

  const send = async (
    origin: string,
    request: OutgoingRequest,
    signal: AbortSignal,
    firstByteMs = timeouts.firstByteMs,
  ): Promise<UpstreamResponse> => {
    // One signal for this attempt: aborted by the caller's, or when the headers are late.
    const attempt = new AttemptSignal();
    const onAbort = () => attempt.abort();
    if (signal.aborted) throw new AttemptFailure('aborted', 'The request was aborted');
    signal.addEventListener('abort', onAbort, { once: true });
    let late = false;
    const timer = setTimeout(() => {
      late = true;
      attempt.abort();
    }, firstByteMs);
    try {
      const response = await poolFor(origin).request({
        path: request.path,
        method: request.method,
        headers: request.headers,
        // As bytes: undici keeps the body it was given until the answer ends (for a stream, minutes) and encodes a
        // string into a buffer of its own, so a string was held twice.
        body: Buffer.from(request.body),
        signal: attempt,
      });
      clearTimeout(timer);
      response.body.once('close', () => signal.removeEventListener('abort', onAbort));
      const contentType = response.headers['content-type'];
      return {
        statusCode: response.statusCode,
        contentType: typeof contentType === 'string' ? contentType : '',
        body: response.body,
        retryAfter: headerText(response.headers['retry-after']),
        headers: response.headers,
      };
    } catch (error) {
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
      if (late && !signal.aborted)
        throw new AttemptFailure('timeout', `The upstream sent no response headers within ${firstByteMs} ms`);
      throw classify(error);
    }
  };

  return {
    send,
    close: async () => {
      const closing = [...pools.values()].map((pool) => pool.destroy().catch(() => undefined));
      pools.clear();
      await Promise.all(closing);
    },
  };
}

/**
 * The abort signal of one attempt, in the shape undici accepts (`aborted`, `reason` and one abort listener):
 * cheaper than an `AbortController` on every request.
 */
class AttemptSignal {
  aborted = false;
  reason: unknown;
  #listener: (() => void) | undefined;

  addEventListener(_type: 'abort', listener: () => void): void {
    this.#listener = listener;
  }

  removeEventListener(): void {
    this.#listener = undefined;
  }

  abort(): void {
    if (this.aborted) return;
    this.aborted = true;
    const listener = this.#listener;
    this.#listener = undefined;
    listener?.();
  }
}

/** Maps undici and socket errors onto the failure kinds fallback decides on. */
export function classify(error: unknown): AttemptFailure {
  if (error instanceof AttemptFailure) return error;
  if (error instanceof undiciErrors.RequestAbortedError)
    return new AttemptFailure('aborted', 'The request was aborted');
  if (error instanceof undiciErrors.HeadersTimeoutError || error instanceof undiciErrors.BodyTimeoutError) {
    return new AttemptFailure('timeout', 'The upstream did not answer in time', { cause: error });
  }
  if (error instanceof undiciErrors.ConnectTimeoutError) {
    return new AttemptFailure('connect', 'Connecting to the upstream timed out', { cause: error });
  }
  const code = (error as { code?: string }).code;
  if (code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'EHOSTUNREACH') {
    return new AttemptFailure('connect', `The upstream could not be reached (${code})`, { cause: error });
  }
  if ((error as { name?: string }).name === 'AbortError')
    return new AttemptFailure('aborted', 'The request was aborted');
  // The other side closed or reset the connection while reading: the request was in flight, maybe processed.
  const uncertain =
    code === 'UND_ERR_SOCKET' ||
    (code === 'ECONNRESET' && (error as { syscall?: string }).syscall === 'read');
  return new AttemptFailure('reset', 'The connection to the upstream failed', { cause: error, uncertain });
}

function headerText(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
