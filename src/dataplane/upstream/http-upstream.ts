/**
 * Calls OpenAI-speaking upstreams over HTTP with one undici Pool per origin (keep-alive, no WHATWG fetch on
 * the hot path). The body is the client's own bytes with only `model` patched.
 */
import { Pool, errors as undiciErrors } from 'undici';
import {
  type AttemptContext,
  AttemptFailure,
  type UpstreamCaller,
  type UpstreamResponse,
  type UpstreamTimeouts,
} from './upstream.js';

const paths = { chat: '/chat/completions', embeddings: '/embeddings' } as const;

export interface HttpUpstream {
  call: UpstreamCaller;
  close(): Promise<void>;
}

/** Creates the HTTP caller with its pool cache. */
export function createHttpUpstream(timeouts: UpstreamTimeouts): HttpUpstream {
  const pools = new Map<string, Pool>();
  const poolFor = (origin: string): Pool => {
    let pool = pools.get(origin);
    if (!pool) {
      pool = new Pool(origin, {
        connect: { timeout: timeouts.connectMs },
        keepAliveTimeout: 30_000,
        headersTimeout: timeouts.firstByteMs,
        bodyTimeout: timeouts.idleMs,
        pipelining: 1,
      });
      pools.set(origin, pool);
    }
    return pool;
  };

  const call = async (context: AttemptContext): Promise<UpstreamResponse> => {
    const provider = context.deployment.provider;
    const headers: Record<string, string> = {
      ...provider.headers,
      'content-type': 'application/json',
      'x-request-id': context.requestId,
    };
    if (context.stream) headers.accept = 'text/event-stream';
    try {
      const response = await poolFor(provider.origin).request({
        path: provider.basePath + paths[context.endpoint],
        method: 'POST',
        headers,
        body: context.bodyText,
        signal: context.signal,
      });
      const contentType = response.headers['content-type'];
      return {
        statusCode: response.statusCode,
        contentType: typeof contentType === 'string' ? contentType : '',
        body: response.body,
      };
    } catch (error) {
      throw classify(error);
    }
  };

  return {
    call,
    close: async () => {
      const closing = [...pools.values()].map((pool) => pool.destroy().catch(() => undefined));
      pools.clear();
      await Promise.all(closing);
    },
  };
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
  return new AttemptFailure('reset', 'The connection to the upstream failed', { cause: error });
}
