/**
 * Relays an upstream stream to the client event by event. A translator turns upstream bytes into client SSE
 * text: for OpenAI-speaking upstreams it re-frames whole SSE events (never half events); for other providers it
 * decodes the provider's framing (SSE or AWS event-stream) and maps each event to OpenAI chunks. Backpressure
 * pauses the upstream read; silence longer than the idle timeout or a broken upstream ends the client stream
 * with an error event and no `[DONE]`, so no SDK mistakes a cut answer for a complete one.
 */
import type { ServerResponse } from 'node:http';
import type { Readable } from 'node:stream';
import { GatewayError, toOpenAIError } from '../core/errors/gateway-error.js';
import type { StreamMapper, UpstreamEvent } from '../core/providers/adapter.js';
import { SseParser } from '../core/sse/sse-parser.js';
import { formatSseData, formatSseError, formatSseEvent, SSE_DONE } from '../core/sse/sse-writer.js';
import type { Usage } from '../core/wire/openai.js';
import { destroyBody } from './upstream/destroy-body.js';

/** What a piece of upstream bytes became for the client. */
export interface TranslatedPiece {
  /** SSE text to write (possibly empty). */
  out: string;
  /** The answer is complete (`[DONE]` is in `out`). */
  done: boolean;
  /** The upstream reported a failure: sent as an error event, with no `[DONE]`. */
  error?: GatewayError;
}

/** Turns one upstream stream into client SSE text, piece by piece. */
export interface StreamTranslator {
  push(chunk: Buffer): TranslatedPiece;
  usage(): Usage | undefined;
}

/** Decodes an upstream's framing into whole events. */
export interface EventDecoder {
  push(chunk: Uint8Array): UpstreamEvent[];
}

/** Relays an OpenAI SSE stream: whole events re-framed as received, usage read from the chunk carrying it. */
export function openaiStreamTranslator(): StreamTranslator {
  const parser = new SseParser();
  let usage: Usage | undefined;
  return {
    push(chunk) {
      let out = '';
      for (const event of parser.push(chunk)) {
        if (event.data === '[DONE]') return { out: out + SSE_DONE, done: true };
        if (event.data.includes('"usage"')) usage = readUsage(event.data) ?? usage;
        out += formatSseEvent(event);
      }
      return { out, done: false };
    },
    usage: () => usage,
  };
}

/** Decodes a provider's stream and maps each event to OpenAI chunks with the adapter's stream mapper. */
export function translatedStreamTranslator(decoder: EventDecoder, mapper: StreamMapper): StreamTranslator {
  return {
    push(chunk) {
      let events: UpstreamEvent[];
      try {
        events = decoder.push(chunk);
      } catch (error) {
        const message = error instanceof Error ? error.message : 'undecodable frame';
        return {
          out: '',
          done: false,
          error: new GatewayError('stream_interrupted', `The upstream stream is corrupt: ${message}`),
        };
      }
      let out = '';
      for (const event of events) {
        const step = mapper.push(event);
        for (const piece of step.chunks) out += formatSseData(JSON.stringify(piece));
        if (step.error) return { out, done: false, error: step.error };
        if (step.done) return { out: out + SSE_DONE, done: true };
      }
      return { out, done: false };
    },
    usage: () => mapper.usage(),
  };
}

/** An SSE decoder yielding adapter events. */
export function sseEventDecoder(): EventDecoder {
  const parser = new SseParser();
  return {
    push: (chunk) =>
      parser
        .push(chunk as Buffer)
        .map((event): UpstreamEvent => ({ kind: 'sse', event: event.event, data: event.data })),
  };
}

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
  translator: StreamTranslator = openaiStreamTranslator(),
): Promise<StreamResult> {
  return new Promise((resolve) => {
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
        resolve({ end, usage: translator.usage() });
        return;
      }
      if (error && !response.writableEnded) response.write(formatSseError(toOpenAIError(error)));
      response.end();
      resolve({ end, usage: translator.usage() });
    };

    const onData = (chunk: Buffer) => {
      if (finished) return;
      idleTimer.refresh();
      const piece = translator.push(chunk);
      done = piece.done;
      if (piece.out.length > 0 && !response.write(piece.out)) {
        // The client reads slower than the upstream writes: stop reading, and stop the idle clock with it.
        body.pause();
        clearTimeout(idleTimer);
        response.once('drain', onDrain);
      }
      if (piece.error) finish('interrupted', piece.error);
      else if (done) finish('complete');
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
