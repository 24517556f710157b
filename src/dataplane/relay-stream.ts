/**
 * Relays an upstream SSE stream to the client event by event. Events are re-framed from the parser's output
 * (never forwarded as half events), backpressure pauses the upstream read, silence longer than the idle
 * timeout or a broken upstream ends the client stream with an error event and no `[DONE]`, so no SDK
 * mistakes a cut answer for a complete one.
 */
import type { ServerResponse } from 'node:http';
import type { Readable } from 'node:stream';
import { GatewayError, toOpenAIError } from '../core/errors/gateway-error.js';
import { SseParser } from '../core/sse/sse-parser.js';
import { formatSseError, formatSseEvent, SSE_DONE } from '../core/sse/sse-writer.js';
import type { Usage } from '../core/wire/openai.js';
import { destroyBody } from './upstream/destroy-body.js';

export type StreamEnd = 'complete' | 'interrupted' | 'timeout' | 'cancelled';

export interface StreamResult {
  end: StreamEnd;
  usage: Usage | undefined;
}

/** Relays `body` (whose first chunk has already been read) to `response`, whose headers are already set. */
export function relayStream(
  response: ServerResponse,
  body: Readable,
  firstChunk: Buffer,
  idleMs: number,
): Promise<StreamResult> {
  return new Promise((resolve) => {
    const parser = new SseParser();
    let usage: Usage | undefined;
    let done = false;
    let finished = false;

    const finish = (end: StreamEnd, error?: GatewayError) => {
      if (finished) return;
      finished = true;
      clearTimeout(idleTimer);
      body.off('data', onData);
      body.off('end', onEnd);
      body.off('error', onError);
      response.off('close', onClientClose);
      if (end !== 'complete') destroyBody(body);
      if (end === 'cancelled') {
        resolve({ end, usage });
        return;
      }
      if (error && !response.writableEnded) response.write(formatSseError(toOpenAIError(error)));
      response.end();
      resolve({ end, usage });
    };

    const onData = (chunk: Buffer) => {
      idleTimer.refresh();
      const events = parser.push(chunk);
      if (events.length === 0) return;
      let out = '';
      for (const event of events) {
        if (done) break;
        if (event.data === '[DONE]') {
          done = true;
          out += SSE_DONE;
          break;
        }
        if (event.data.includes('"usage"')) usage = readUsage(event.data) ?? usage;
        out += formatSseEvent(event);
      }
      if (out.length > 0 && !response.write(out)) {
        // The client reads slower than the upstream writes: stop reading, and stop the idle clock with it.
        body.pause();
        clearTimeout(idleTimer);
        response.once('drain', onDrain);
      }
      if (done) finish('complete');
    };
    const onDrain = () => {
      if (finished) return;
      idleTimer.refresh();
      body.resume();
    };
    const onEnd = () => {
      if (done) return finish('complete');
      finish(
        'interrupted',
        new GatewayError('stream_interrupted', 'The upstream stream ended before it was complete'),
      );
    };
    const onError = () => {
      finish(
        'interrupted',
        new GatewayError('stream_interrupted', 'The upstream connection failed during the stream'),
      );
    };
    const onClientClose = () => {
      if (!response.writableFinished) finish('cancelled');
    };
    const idleTimer = setTimeout(() => {
      finish(
        'timeout',
        new GatewayError('upstream_timeout', `The upstream sent nothing for ${idleMs} ms during the stream`),
      );
    }, idleMs);

    response.on('close', onClientClose);
    onData(firstChunk);
    if (finished) return;
    body.on('data', onData);
    body.on('end', onEnd);
    body.on('error', onError);
    // The first chunk may have been the whole body, whose 'end' was then emitted before these listeners.
    if (body.readableEnded) {
      onEnd();
      return;
    }
    body.resume();
  });
}

/** Reads `usage` from one chunk's JSON, when it carries it. */
export function readUsage(json: string): Usage | undefined {
  try {
    const parsed = JSON.parse(json) as { usage?: Usage | null };
    return parsed.usage ?? undefined;
  } catch {
    return undefined;
  }
}
