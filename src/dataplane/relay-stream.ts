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
import { withFields } from '../core/objects.js';
import type { StreamMapper, UpstreamEvent } from '../core/providers/adapter.js';
import { SseParser } from '../core/sse/sse-parser.js';
import { formatSseData, formatSseError, formatSseEvent, SSE_DONE } from '../core/sse/sse-writer.js';
import { chunkGeneratedChars } from '../core/text/estimate-usage.js';
import type { Usage } from '../core/wire/openai.js';
import { destroyBody } from './upstream/destroy-body.js';
import { classify } from './upstream/http-upstream.js';
import { AttemptFailure } from './upstream/upstream.js';

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
  /** The provider's usage, as far as it reported it. */
  usage(): Usage | undefined;
  /** Whether `usage()` counts everything generated so far (see `StreamMapper.usageCoversCompletion`). */
  usageCoversCompletion(): boolean;
  /**
   * Characters of generated text (content, refusals, reasoning, tool-call arguments) in the client text `push`
   * returned so far: what the completion is estimated from when the provider reports no usage.
   */
  generatedChars(): number;
}

/** Decodes an upstream's framing into whole events. */
export interface EventDecoder {
  push(chunk: Uint8Array): UpstreamEvent[];
}

/**
 * Relays an OpenAI SSE stream: whole events re-framed as received, usage read from the chunk carrying it. Usage
 * is only parsed from an event holding a `"usage"` object (not the `"usage":null` OpenAI puts on every other
 * chunk), and generated characters are counted by scanning the event text, with no other parse.
 *
 * `clientAskedUsage` false (the client did not set `stream_options.include_usage`, which the adapter then set
 * upstream): the usage-only chunk (`choices: []`) is read but not relayed, and the `"usage":null` members are
 * taken out of the other chunks, so the client gets the stream it asked for.
 */
export function openaiStreamTranslator(options: { clientAskedUsage?: boolean } = {}): StreamTranslator {
  return new OpenAIStreamTranslator(options.clientAskedUsage === false);
}

/**
 * A class rather than closures: a translator lives as long as its stream, and one object with its methods on the
 * prototype is a fraction of the size of four closures and the scope they share.
 */
class OpenAIStreamTranslator implements StreamTranslator {
  readonly #parser = new SseParser();
  readonly #strip: boolean;
  #usage: Usage | undefined;
  #generated = 0;

  constructor(strip: boolean) {
    this.#strip = strip;
  }

  push(chunk: Buffer): TranslatedPiece {
    let out = '';
    for (const event of this.#parser.push(chunk)) {
      let data = event.data;
      if (data === '[DONE]') return { out: out + SSE_DONE, done: true };
      const usageAt = usageKeyAt(data);
      const value = usageAt === -1 ? -1 : valueStart(data, usageAt + 7);
      if (value !== -1) {
        if (data.charCodeAt(value) === OPEN_BRACE) {
          const read = readUsageChunk(data);
          if (read.usage) this.#usage = read.usage;
          if (this.#strip && read.usageOnly) continue;
        } else if (this.#strip && data.startsWith('null', value)) {
          data = withoutNullUsage(data, usageAt, value + 4);
        }
      }
      this.#generated += generatedCharsOf(data);
      out += formatSseEvent(data === event.data ? event : withFields(event, { data }));
    }
    return { out, done: false };
  }

  usage(): Usage | undefined {
    return this.#usage;
  }

  usageCoversCompletion(): boolean {
    return true;
  }

  generatedChars(): number {
    return this.#generated;
  }
}

/** Decodes a provider's stream and maps each event to OpenAI chunks with the adapter's stream mapper. */
export function translatedStreamTranslator(decoder: EventDecoder, mapper: StreamMapper): StreamTranslator {
  return new MappedStreamTranslator(decoder, mapper);
}

class MappedStreamTranslator implements StreamTranslator {
  readonly #decoder: EventDecoder;
  readonly #mapper: StreamMapper;
  #generated = 0;

  constructor(decoder: EventDecoder, mapper: StreamMapper) {
    this.#decoder = decoder;
    this.#mapper = mapper;
  }

  push(chunk: Buffer): TranslatedPiece {
    let events: UpstreamEvent[];
    try {
      events = this.#decoder.push(chunk);
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
      const step = this.#mapper.push(event);
      for (const piece of step.chunks) {
        this.#generated += chunkGeneratedChars(piece);
        out += formatSseData(JSON.stringify(piece));
      }
      if (step.error) return { out, done: false, error: step.error };
      if (step.done) return { out: out + SSE_DONE, done: true };
    }
    return { out, done: false };
  }

  usage(): Usage | undefined {
    return this.#mapper.usage();
  }

  usageCoversCompletion(): boolean {
    return this.#mapper.usageCoversCompletion?.() ?? true;
  }

  generatedChars(): number {
    return this.#generated;
  }
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

/** How a stream opened, before anything was sent to the client. */
export type Opening =
  /** The translated events up to and including the first that carries content (or the whole answer). */
  | { kind: 'content'; out: string; done: boolean }
  /** The stream ended before any event at all: nothing usable, another attempt may serve. */
  | { kind: 'empty' }
  /**
   * The stream failed after some events but before any content: `out` holds what was held back. Another attempt
   * may serve; when none is left, `out` and the error end the client's stream as any broken stream ends.
   */
  | {
      kind: 'failed';
      out: string;
      error: GatewayError;
      end: 'timeout' | 'interrupted';
      /** The failure as `retryOn` names it. */
      retry: 'timeout' | 'server-error' | 'reset';
    };

/** Opening events held back beyond this size are sent anyway (an upstream that talks long before any content). */
const MAX_OPENING_CHARS = 256 * 1024;

/**
 * Reads a stream until its first event that carries content (text, a tool call, a refusal, a finish reason) or
 * its end, translating as it goes, without sending anything: role-only and metadata chunks are held back, so an
 * error or an end before any content can still fall back to another attempt. Rejects with an `AttemptFailure`
 * when the request was aborted, or when the upstream goes silent for `idleMs` or breaks before sending any event.
 */
export function readOpening(body: Readable, translator: StreamTranslator, idleMs: number): Promise<Opening> {
  return new Promise((resolve, reject) => {
    let out = '';
    const cleanup = () => {
      clearTimeout(timer);
      body.off('data', onData);
      body.off('end', onEnd);
      body.off('error', onError);
    };
    const settle = (opening: Opening) => {
      cleanup();
      if (opening.kind === 'content') body.pause();
      else destroyBody(body);
      resolve(opening);
    };
    const fail = (
      error: GatewayError,
      end: 'timeout' | 'interrupted',
      retry: 'timeout' | 'server-error' | 'reset',
    ) => settle({ kind: 'failed', out, error, end, retry });
    const onData = (chunk: Buffer) => {
      timer.refresh();
      const piece = translator.push(chunk);
      const verdict = piece.out.length > 0 ? openingVerdict(piece.out) : 'none';
      if (verdict instanceof GatewayError) return fail(verdict, 'interrupted', 'server-error');
      out += piece.out;
      if (piece.error) return fail(piece.error, 'interrupted', 'server-error');
      if (verdict === 'content' || piece.done || out.length > MAX_OPENING_CHARS) {
        settle({ kind: 'content', out, done: piece.done });
      }
    };
    const onEnd = () => {
      if (out.length === 0) return settle({ kind: 'empty' });
      fail(
        new GatewayError('stream_interrupted', 'The upstream stream ended before it was complete'),
        'interrupted',
        'reset',
      );
    };
    const onError = (error: unknown) => {
      const failure = classify(error);
      if (out.length === 0 || failure.kind === 'aborted') {
        cleanup();
        reject(failure);
        return;
      }
      fail(
        new GatewayError('stream_interrupted', 'The upstream connection failed during the stream'),
        'interrupted',
        'reset',
      );
    };
    const timer = setTimeout(() => {
      if (out.length === 0) {
        cleanup();
        destroyBody(body);
        reject(new AttemptFailure('timeout', 'The upstream sent no stream data in time'));
        return;
      }
      fail(
        new GatewayError('upstream_timeout', `The upstream sent nothing for ${idleMs} ms during the stream`),
        'timeout',
        'timeout',
      );
    }, idleMs);
    body.on('data', onData);
    body.on('end', onEnd);
    body.on('error', onError);
  });
}

/**
 * Whether translated SSE text carries content, or an error event (in OpenAI's stream shape, `{"error": ...}`).
 * Only the opening events of a stream are read this way.
 */
function openingVerdict(sse: string): 'content' | 'none' | GatewayError {
  let verdict: 'content' | 'none' = 'none';
  for (const line of sse.split('\n')) {
    if (!line.startsWith('data:')) continue;
    const data = line.slice(line.charAt(5) === ' ' ? 6 : 5);
    if (data === '[DONE]') continue;
    let parsed: {
      error?: { message?: unknown; code?: unknown };
      choices?: Array<{ delta?: Record<string, unknown>; finish_reason?: unknown }>;
    };
    try {
      parsed = JSON.parse(data) as typeof parsed;
    } catch {
      // Not JSON: nothing to judge by; let the relay carry it.
      return 'content';
    }
    if (parsed.error && typeof parsed.error === 'object') {
      const message = typeof parsed.error.message === 'string' ? parsed.error.message.slice(0, 500) : '';
      const code = typeof parsed.error.code === 'number' ? parsed.error.code : undefined;
      return new GatewayError(
        'upstream_error',
        `The upstream reported an error before any content${message ? `: ${message}` : ''}`,
        code !== undefined && code >= 500 && code <= 599 ? { status: code === 529 ? 503 : code } : {},
      );
    }
    for (const choice of parsed.choices ?? []) {
      if (choice.finish_reason !== null && choice.finish_reason !== undefined) verdict = 'content';
      const delta = choice.delta;
      if (!delta) continue;
      for (const field of ['content', 'refusal', 'reasoning_content', 'reasoning']) {
        const value = delta[field];
        if (typeof value === 'string' && value.length > 0) verdict = 'content';
      }
      if (Array.isArray(delta.tool_calls) && delta.tool_calls.length > 0) verdict = 'content';
      if (delta.function_call || delta.audio) verdict = 'content';
    }
  }
  return verdict;
}

export type StreamEnd = 'complete' | 'interrupted' | 'timeout' | 'cancelled';

export interface StreamResult {
  end: StreamEnd;
  usage: Usage | undefined;
}

/**
 * Relays `body` to `response`, whose headers are already set, starting with the opening `readOpening` held back
 * (translated by the same translator, which carries on from there). It empties `opening.out` once written.
 */
export function relayStream(
  response: ServerResponse,
  body: Readable,
  opening: { out: string; done: boolean },
  idleMs: number,
  translator: StreamTranslator,
  /** Called just before the stream's closing `[DONE]` is written (after the rest of the piece carrying it). */
  beforeDone?: () => void,
): Promise<StreamResult> {
  return new Promise((resolve) => {
    new StreamRelay(response, body, idleMs, translator, beforeDone, resolve).start(opening);
  });
}

/**
 * One stream being relayed. A class rather than closures: it lives as long as the stream, and its listeners are
 * bound methods of one object instead of a dozen closures and the scopes they share (about half the heap).
 */
class StreamRelay {
  readonly #response: ServerResponse;
  readonly #body: Readable;
  readonly #idleMs: number;
  readonly #translator: StreamTranslator;
  readonly #beforeDone: (() => void) | undefined;
  readonly #resolve: (result: StreamResult) => void;
  readonly #idleTimer: NodeJS.Timeout;
  readonly #onData = this.#data.bind(this);
  readonly #onEnd = this.#end.bind(this);
  readonly #onError = this.#error.bind(this);
  readonly #onClientClose = this.#clientClose.bind(this);
  #onDrain: (() => void) | undefined;
  #done = false;
  #finished = false;
  #waitingForDrain = false;

  constructor(
    response: ServerResponse,
    body: Readable,
    idleMs: number,
    translator: StreamTranslator,
    beforeDone: (() => void) | undefined,
    resolve: (result: StreamResult) => void,
  ) {
    this.#response = response;
    this.#body = body;
    this.#idleMs = idleMs;
    this.#translator = translator;
    this.#beforeDone = beforeDone;
    this.#resolve = resolve;
    this.#idleTimer = setTimeout(this.#idle.bind(this), idleMs);
  }

  start(opening: { out: string; done: boolean }): void {
    this.#response.on('close', this.#onClientClose);
    this.#done = opening.done;
    // The opening's text is released once written: the callers' frames hold `opening` for the whole stream.
    const first = opening.out;
    opening.out = '';
    if (this.#done) {
      this.#writeLast(first);
      this.#finish('complete');
      return;
    }
    this.#write(first);
    const body = this.#body;
    body.on('data', this.#onData);
    body.on('end', this.#onEnd);
    body.on('error', this.#onError);
    // The opening may have been the whole body, whose 'end' was then emitted before these listeners.
    if (body.readableEnded) {
      this.#end();
      return;
    }
    if (!this.#waitingForDrain) body.resume();
  }

  #finish(end: StreamEnd, error?: GatewayError): void {
    if (this.#finished) return;
    this.#finished = true;
    const body = this.#body;
    clearTimeout(this.#idleTimer);
    body.off('data', this.#onData);
    body.off('end', this.#onEnd);
    body.off('error', this.#onError);
    this.#response.off('close', this.#onClientClose);
    if (end !== 'complete') destroyBody(body);
    if (end !== 'cancelled') {
      if (error && !this.#response.writableEnded) this.#response.write(formatSseError(toOpenAIError(error)));
      this.#response.end();
    }
    this.#resolve({ end, usage: this.#translator.usage() });
  }

  #write(out: string): void {
    if (out.length > 0 && !this.#response.write(out)) {
      // The client reads slower than the upstream writes: stop reading, and stop the idle clock with it.
      this.#body.pause();
      clearTimeout(this.#idleTimer);
      this.#waitingForDrain = true;
      this.#onDrain ??= this.#drain.bind(this);
      this.#response.once('drain', this.#onDrain);
    }
  }

  /**
   * The piece that completes the stream: what precedes its `[DONE]` goes out first, then `beforeDone` runs (the
   * usage record), then `[DONE]`. The client's tokens never wait for the accounting, and it still sees the
   * answer complete only once the record is kept.
   */
  #writeLast(out: string): void {
    if (out.length > SSE_DONE.length && out.endsWith(SSE_DONE)) {
      this.#write(out.slice(0, out.length - SSE_DONE.length));
      this.#beforeDone?.();
      this.#write(SSE_DONE);
    } else {
      this.#beforeDone?.();
      this.#write(out);
    }
  }

  #data(chunk: Buffer): void {
    if (this.#finished) return;
    this.#idleTimer.refresh();
    const piece = this.#translator.push(chunk);
    this.#done = piece.done;
    if (piece.done) this.#writeLast(piece.out);
    else this.#write(piece.out);
    if (piece.error) this.#finish('interrupted', piece.error);
    else if (piece.done) this.#finish('complete');
  }

  #drain(): void {
    if (this.#finished) return;
    this.#waitingForDrain = false;
    this.#idleTimer.refresh();
    this.#body.resume();
  }

  #end(): void {
    if (this.#done) this.#finish('complete');
    else
      this.#finish(
        'interrupted',
        new GatewayError('stream_interrupted', 'The upstream stream ended before it was complete'),
      );
  }

  #error(): void {
    this.#finish(
      'interrupted',
      new GatewayError('stream_interrupted', 'The upstream connection failed during the stream'),
    );
  }

  #clientClose(): void {
    if (!this.#response.writableFinished) this.#finish('cancelled');
  }

  #idle(): void {
    this.#finish(
      'timeout',
      new GatewayError(
        'upstream_timeout',
        `The upstream sent nothing for ${this.#idleMs} ms during the stream`,
      ),
    );
  }
}

/** Reads `usage` from one chunk's JSON, when it carries it. */
export function readUsage(json: string): Usage | undefined {
  return readUsageChunk(json).usage;
}

/** The usage a chunk carries, and whether it is the usage-only chunk (`choices: []`) OpenAI ends with. */
function readUsageChunk(json: string): { usage: Usage | undefined; usageOnly: boolean } {
  try {
    const parsed = JSON.parse(json) as { usage?: Usage | null; choices?: unknown };
    const usage = parsed.usage ?? undefined;
    const usageOnly = usage !== undefined && Array.isArray(parsed.choices) && parsed.choices.length === 0;
    return { usage, usageOnly };
  } catch {
    return { usage: undefined, usageOnly: false };
  }
}

const QUOTE = 34; // "
const BACKSLASH = 92; // \
const COLON = 58; // :
const COMMA = 44; // ,
const OPEN_BRACE = 123; // {
const CLOSE_BRACE = 125; // }

function isJsonWhitespace(code: number): boolean {
  return code === 32 || code === 10 || code === 13 || code === 9;
}

/**
 * Where `"usage"` starts in a chunk's text, or -1: `data.indexOf('"usage"')`, but searched from the letters,
 * which are rare in JSON, rather than from the quote, which is everywhere (several times faster per event).
 */
function usageKeyAt(data: string): number {
  for (let from = 1; ; ) {
    const at = data.indexOf('usage"', from);
    if (at === -1) return -1;
    if (data.charCodeAt(at - 1) === QUOTE) return at - 1;
    from = at + 1;
  }
}

/** Where the value of the member whose key ends just before `afterKey` starts, or -1 when no `:` follows. */
function valueStart(data: string, afterKey: number): number {
  let pos = afterKey;
  while (isJsonWhitespace(data.charCodeAt(pos))) pos++;
  if (data.charCodeAt(pos) !== COLON) return -1;
  pos++;
  while (isJsonWhitespace(data.charCodeAt(pos))) pos++;
  return pos;
}

/**
 * The chunk text without its `"usage":null` member (key at `keyAt`, value ending at `valueEnd`) and the comma
 * that joined it, or the text unchanged when the member is not cleanly delimited.
 */
function withoutNullUsage(data: string, keyAt: number, valueEnd: number): string {
  let after = valueEnd;
  while (isJsonWhitespace(data.charCodeAt(after))) after++;
  let before = keyAt - 1;
  while (before >= 0 && isJsonWhitespace(data.charCodeAt(before))) before--;
  const next = data.charCodeAt(after);
  if (data.charCodeAt(before) === COMMA && (next === CLOSE_BRACE || next === COMMA)) {
    // `…,"usage":null}` or `…,"usage":null,…`: drop the comma before it.
    return data.slice(0, before) + data.slice(after);
  }
  if (data.charCodeAt(before) === OPEN_BRACE && next === COMMA) {
    // `{"usage":null,…`: drop the comma after it.
    return data.slice(0, before + 1) + data.slice(after + 1);
  }
  return data;
}

/**
 * A member holding generated text in OpenAI chunks, up to the opening quote of its string value (`reasoning` is
 * what some OpenAI-compatible servers use). One pass of one regular expression finds all five keys: an `indexOf`
 * per key cost several times more on every event of every stream (a pattern starting with `"` stops at every
 * quote of the JSON). Global, so `generatedCharsOf` sets its `lastIndex` before each search.
 */
const GENERATED_MEMBER = /"(?:content|refusal|reasoning_content|reasoning|arguments)"[ \t\n\r]*:[ \t\n\r]*"/g;

/**
 * Characters of generated text in one OpenAI chunk's JSON, found by scanning for the members that hold it
 * (string values of the keys above; arrays such as `logprobs.content` and nulls are skipped) and measuring
 * their decoded length, without parsing the chunk. A key inside a string value cannot match: its quotes would
 * be escaped there.
 */
export function generatedCharsOf(data: string): number {
  let chars = 0;
  GENERATED_MEMBER.lastIndex = 0;
  while (GENERATED_MEMBER.exec(data) !== null) {
    // Just past the value's opening quote.
    let from = GENERATED_MEMBER.lastIndex;
    // The decoded length: an escape (`\n`, `\"`, `\uXXXX`) is one UTF-16 unit, like the string's length.
    for (;;) {
      const code = data.charCodeAt(from);
      if (Number.isNaN(code) || code === QUOTE) break;
      if (code === BACKSLASH) from += data.charCodeAt(from + 1) === 117 ? 6 : 2;
      else from++;
      chars++;
    }
    // The search goes on after the value's closing quote.
    GENERATED_MEMBER.lastIndex = from + 1;
  }
  return chars;
}
