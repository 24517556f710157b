/**
 * A small Server-Sent Events parser for the Playground's streamed answers, after the WHATWG "event stream"
 * interpretation rules: lines end with LF, CRLF or CR (a CR at the end of one chunk and an LF at the start of the
 * next are one line break); a line starting with `:` is a comment; `field: value` loses one leading space of the
 * value; several `data` lines join with LF; a blank line dispatches the event when it had a `data` field. Chunks
 * may split anywhere, even inside a UTF-8 sequence when bytes are pushed. Pure: no DOM, no network.
 */

/** One dispatched event. */
export interface SseEvent {
  /** The `event` field, when the block had a non-empty one. */
  event?: string;
  data: string;
  /** The last `id` seen so far in the stream, when any. */
  id?: string;
}

const BOM = '\uFEFF';

export class SseParser {
  private decoder = new TextDecoder('utf-8', { ignoreBOM: true });
  private atStart = true;
  /** The last chunk ended with CR: an LF opening the next chunk belongs to that line break. */
  private skipLf = false;
  /** The unterminated tail of the stream (never holds a line break). */
  private partial = '';
  private dataLines: string[] = [];
  private hasData = false;
  private eventType = '';
  private lastId: string | undefined = undefined;
  private blockStarted = false;

  /** Feeds the next chunk (bytes or text; do not mix a byte chunk split inside a character with text). */
  push(chunk: Uint8Array | string): SseEvent[] {
    let text = typeof chunk === 'string' ? chunk : this.decoder.decode(chunk, { stream: true });
    const events: SseEvent[] = [];
    if (text.length === 0) return events;
    if (this.atStart) {
      this.atStart = false;
      if (text.startsWith(BOM)) text = text.slice(1);
    }
    if (this.skipLf) {
      this.skipLf = false;
      if (text.startsWith('\n')) text = text.slice(1);
    }
    let start = 0;
    for (let i = 0; i < text.length; i++) {
      const char = text[i];
      if (char !== '\n' && char !== '\r') continue;
      const line = this.partial + text.slice(start, i);
      this.partial = '';
      if (char === '\r') {
        if (i + 1 < text.length) {
          if (text[i + 1] === '\n') i++;
        } else {
          this.skipLf = true;
        }
      }
      start = i + 1;
      this.line(line, events);
    }
    this.partial += text.slice(start);
    return events;
  }

  /**
   * Ends the stream. An event not closed by a blank line is never dispatched (as the spec says); `incomplete`
   * tells whether one (or a partial line) was left over, e.g. a cut connection.
   */
  end(): { incomplete: boolean } {
    const tail = this.decoder.decode();
    const incomplete = this.blockStarted || this.partial.length > 0 || tail.length > 0;
    this.decoder = new TextDecoder('utf-8', { ignoreBOM: true });
    this.atStart = true;
    this.skipLf = false;
    this.partial = '';
    this.resetBlock();
    this.lastId = undefined;
    return { incomplete };
  }

  private line(line: string, events: SseEvent[]): void {
    if (line.length === 0) {
      if (this.hasData) {
        const event: SseEvent = { data: this.dataLines.join('\n') };
        if (this.eventType !== '') event.event = this.eventType;
        if (this.lastId !== undefined) event.id = this.lastId;
        events.push(event);
      }
      this.resetBlock();
      return;
    }
    if (line.startsWith(':')) return; // a comment (keep-alive)
    this.blockStarted = true;
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    switch (field) {
      case 'data':
        this.dataLines.push(value);
        this.hasData = true;
        break;
      case 'event':
        this.eventType = value;
        break;
      case 'id':
        if (!value.includes('\0')) this.lastId = value;
        break;
      default:
        // `retry` and unknown fields mean nothing to the Playground.
        break;
    }
  }

  private resetBlock(): void {
    this.dataLines = [];
    this.hasData = false;
    this.eventType = '';
    this.blockStarted = false;
  }
}

/** Token counts of an OpenAI usage object. */
export interface StreamUsage {
  promptTokens: number | null;
  completionTokens: number | null;
  totalTokens: number | null;
}

/** What one `data:` payload of an OpenAI chat completion stream says. */
export type ChatStreamData =
  | { kind: 'done' }
  | { kind: 'error'; message: string; code: string | null }
  | {
      kind: 'chunk';
      /** Text of `choices[0].delta.content` (empty when the chunk has none). */
      content: string;
      /** Text of `choices[0].delta.reasoning_content`, when the provider sends reasoning. */
      reasoning: string;
      finishReason: string | null;
      usage: StreamUsage | null;
    }
  | { kind: 'invalid'; data: string };

function count(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

/** Reads an OpenAI `usage` object (null when absent or not an object). */
export function readUsage(value: unknown): StreamUsage | null {
  if (!value || typeof value !== 'object') return null;
  const usage = value as Record<string, unknown>;
  return {
    promptTokens: count(usage.prompt_tokens),
    completionTokens: count(usage.completion_tokens),
    totalTokens: count(usage.total_tokens),
  };
}

/** Interprets one event's data: `[DONE]`, an error envelope (a mid-stream failure), or a completion chunk. */
export function readChatStreamData(data: string): ChatStreamData {
  if (data.trim() === '[DONE]') return { kind: 'done' };
  let parsed: unknown;
  try {
    parsed = JSON.parse(data);
  } catch {
    return { kind: 'invalid', data };
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) return { kind: 'invalid', data };
  const object = parsed as Record<string, unknown>;
  if (object.error !== undefined && object.error !== null) {
    const error = object.error as Record<string, unknown> | string;
    if (typeof error === 'string') return { kind: 'error', message: error, code: null };
    const message = typeof error.message === 'string' ? error.message : 'The stream reported an error';
    const code = typeof error.code === 'string' ? error.code : null;
    return { kind: 'error', message, code };
  }
  let content = '';
  let reasoning = '';
  let finishReason: string | null = null;
  const choices = Array.isArray(object.choices) ? object.choices : [];
  const first = choices[0] as Record<string, unknown> | undefined;
  if (first && typeof first === 'object') {
    const delta = first.delta as Record<string, unknown> | undefined;
    if (delta && typeof delta === 'object') {
      if (typeof delta.content === 'string') content = delta.content;
      if (typeof delta.reasoning_content === 'string') reasoning = delta.reasoning_content;
    }
    if (typeof first.finish_reason === 'string') finishReason = first.finish_reason;
  }
  return { kind: 'chunk', content, reasoning, finishReason, usage: readUsage(object.usage) };
}
