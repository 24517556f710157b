/**
 * The built-in `echo` provider: answers in-process, with no network, through the same response shape as an
 * HTTP upstream so every relay, timeout and fallback path treats it alike. Its upstream model name selects
 * a behaviour (`error-500`, `slow-250`, `stall-after-3`, `cut-after-2`), which makes it the dummy provider of
 * the tests as well as the newcomer's first model.
 */
import { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseEchoBehaviour } from '../../core/providers/echo/behaviour.js';
import { echoChatCompletion, echoEmbeddings, echoStreamChunks } from '../../core/providers/echo/generate.js';
import { formatSseData, SSE_DONE } from '../../core/sse/sse-writer.js';
import type { ChatCompletionRequest, EmbeddingsRequest } from '../../core/wire/openai.js';
import {
  type AttemptContext,
  AttemptFailure,
  type UpstreamCaller,
  type UpstreamResponse,
  type UpstreamTimeouts,
} from './upstream.js';

/** Spacing of streamed words, so a client sees tokens arrive one by one. */
const WORD_INTERVAL_MS = 15;

/** Creates the echo caller. */
export function createEchoUpstream(timeouts: UpstreamTimeouts): UpstreamCaller {
  return async (context: AttemptContext): Promise<UpstreamResponse> => {
    const behaviour = parseEchoBehaviour(context.deployment.upstreamModel);
    const { signal } = context;
    if (behaviour.kind === 'slow') await wait(behaviour.delayMs, timeouts.firstByteMs, signal);
    if (behaviour.kind === 'error') {
      const body = JSON.stringify({
        error: {
          message: `echo: simulated upstream error ${behaviour.status}`,
          type: behaviour.status === 429 ? 'rate_limit_error' : 'api_error',
          param: null,
          code: null,
        },
      });
      return {
        statusCode: behaviour.status,
        contentType: 'application/json',
        body: Readable.from([Buffer.from(body)]),
      };
    }
    const ids = {
      id: `chatcmpl-${context.requestId}`,
      created: Math.floor(Date.now() / 1000),
      model: context.deployment.upstreamModel,
    };
    if (context.endpoint === 'embeddings') {
      const dimension = context.model.dimension ?? context.deployment.provider.echoDimension;
      const wanted = (context.body as EmbeddingsRequest).dimensions;
      if (typeof wanted === 'number' && wanted > dimension) {
        // As OpenAI does: a model cannot return more dimensions than it has.
        const error = {
          error: {
            message: `echo: dimensions ${wanted} is above the model's ${dimension}`,
            type: 'invalid_request_error',
            param: 'dimensions',
            code: null,
          },
        };
        return {
          statusCode: 400,
          contentType: 'application/json',
          body: Readable.from([Buffer.from(JSON.stringify(error))]),
        };
      }
      const response = echoEmbeddings(context.body as EmbeddingsRequest, dimension, ids.model);
      return json(response);
    }
    const request = context.body as ChatCompletionRequest;
    if (!context.stream) {
      if (behaviour.kind === 'stall-after')
        await wait(Number.POSITIVE_INFINITY, timeouts.firstByteMs, signal);
      if (behaviour.kind === 'cut-after') throw new AttemptFailure('reset', 'echo: simulated connection cut');
      return json(echoChatCompletion(request, ids));
    }
    const events = echoStreamChunks(request, ids).map((chunk) => formatSseData(JSON.stringify(chunk)));
    return {
      statusCode: 200,
      contentType: 'text/event-stream',
      body: Readable.from(streamEvents(events, behaviour, signal), { objectMode: false }),
    };
  };
}

function json(value: unknown): UpstreamResponse {
  return {
    statusCode: 200,
    contentType: 'application/json',
    body: Readable.from([Buffer.from(JSON.stringify(value))]),
  };
}

async function* streamEvents(
  events: string[],
  behaviour: ReturnType<typeof parseEchoBehaviour>,
  signal: AbortSignal,
): AsyncGenerator<Buffer> {
  // The first event carries only the role; content chunks follow it.
  const limit =
    behaviour.kind === 'stall-after' || behaviour.kind === 'cut-after'
      ? behaviour.chunks + 1
      : Number.POSITIVE_INFINITY;
  let sent = 0;
  for (const event of events) {
    if (sent >= limit) break;
    if (sent > 0) await sleep(WORD_INTERVAL_MS, undefined, { signal });
    yield Buffer.from(event);
    sent++;
  }
  if (behaviour.kind === 'stall-after') {
    await sleep(2 ** 31 - 1, undefined, { signal });
    return;
  }
  if (behaviour.kind === 'cut-after') throw new AttemptFailure('reset', 'echo: simulated connection cut');
  yield Buffer.from(SSE_DONE);
}

/** Waits `delayMs`, failing like an upstream that misses the first-byte deadline, or when aborted. */
async function wait(delayMs: number, deadlineMs: number, signal: AbortSignal): Promise<void> {
  try {
    if (delayMs > deadlineMs) {
      await sleep(deadlineMs, undefined, { signal });
      throw new AttemptFailure('timeout', 'The upstream did not answer in time');
    }
    await sleep(delayMs, undefined, { signal });
  } catch (error) {
    if (error instanceof AttemptFailure) throw error;
    throw new AttemptFailure('aborted', 'The request was aborted');
  }
}
