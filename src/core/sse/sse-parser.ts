/**
 * Incremental Server-Sent Events parser following the WHATWG HTML "event stream" interpretation rules
 * (https://html.spec.whatwg.org/multipage/server-sent-events.html#event-stream-interpretation).
 *
 * Deliberate readings of the spec, since this is a parser rather than an EventSource:
 * - `id` is the spec's "last event ID": once an `id` field has been seen it is carried on every later event
 *   until another `id` field changes it (an empty `id:` yields `id: ''`). Ids containing U+0000 are ignored.
 * - `retry` has no effect here, so it is reported on the event of the block it appeared in; a block that is
 *   not dispatched (no `data` field) drops it along with the block.
 * - An event is dispatched only when its block had at least one `data` field (a lone `data:` line dispatches
 *   an event with empty data, as the spec says); `event` is omitted when the type buffer is empty.
 */

/** One dispatched event. */
export interface SseEvent {
  event?: string;
  data: string;
  id?: string;
  retry?: number;
}

const LF = 10;
const SPACE = 32;
const COLON = 58;
const BOM = 0xfeff;

/** Parses an event stream chunk by chunk; bytes may be split anywhere, even inside a UTF-8 sequence. */
export class SseParser {
  // ignoreBOM keeps the decoder from eating a BOM, so the one BOM rule applies equally to string chunks.
  private decoder = new TextDecoder('utf-8', { ignoreBOM: true });
  private atStreamStart = true;
  /** A chunk ended with CR: an LF starting the next chunk belongs to the same line break. */
  private skipLeadingLf = false;
  /** The unterminated tail of the stream; never contains a line break. */
  private partialLine = '';
  private data = '';
  private hasData = false;
  private eventType = '';
  private lastEventId = '';
  private hasLastEventId = false;
  private retry: number | undefined = undefined;
  /** A field line was seen since the last blank line. */
  private blockStarted = false;

  /** Feeds raw bytes or a string chunk; returns the events completed by this chunk. */
  push(chunk: Uint8Array | string): SseEvent[] {
    // Strings bypass the decoder, so do not interleave them with byte chunks that split a UTF-8 sequence.
    const text = typeof chunk === 'string' ? chunk : this.decoder.decode(chunk, { stream: true });
    const events: SseEvent[] = [];
    if (text.length === 0) return events;
    let pos = 0;
    if (this.atStreamStart) {
      this.atStreamStart = false;
      if (text.charCodeAt(0) === BOM) pos = 1;
    }
    if (this.skipLeadingLf) {
      this.skipLeadingLf = false;
      if (text.charCodeAt(pos) === LF) pos++;
    }
    this.scan(text, pos, events);
    return events;
  }

  /** Ends the stream: drops any incomplete event (the spec never dispatches one) and resets the parser. */
  end(): { pendingPartial: boolean } {
    const tail = this.decoder.decode();
    const pendingPartial = this.blockStarted || this.partialLine.length > 0 || tail.length > 0;
    this.decoder = new TextDecoder('utf-8', { ignoreBOM: true });
    this.atStreamStart = true;
    this.skipLeadingLf = false;
    this.partialLine = '';
    this.resetBlock();
    this.lastEventId = '';
    this.hasLastEventId = false;
    return { pendingPartial };
  }

  private scan(text: string, from: number, events: SseEvent[]): void {
    const length = text.length;
    let lineStart = from;
    // Next LF / CR at or after lineStart; -1 once none is left, so an LF-only stream looks for CR only once.
    let nextLf = text.indexOf('\n', lineStart);
    let nextCr = text.indexOf('\r', lineStart);
    while (nextLf !== -1 || nextCr !== -1) {
      const isCr = nextCr !== -1 && (nextLf === -1 || nextCr < nextLf);
      const lineEnd = isCr ? nextCr : nextLf;
      if (this.partialLine.length > 0) {
        const line = this.partialLine + text.slice(lineStart, lineEnd);
        this.partialLine = '';
        this.processLine(line, 0, line.length, events);
      } else {
        this.processLine(text, lineStart, lineEnd, events);
      }
      lineStart = lineEnd + 1;
      if (isCr) {
        if (lineStart === length) {
          this.skipLeadingLf = true;
        } else if (text.charCodeAt(lineStart) === LF) {
          lineStart++;
        }
      }
      if (nextCr !== -1 && nextCr < lineStart) nextCr = text.indexOf('\r', lineStart);
      if (nextLf !== -1 && nextLf < lineStart) nextLf = text.indexOf('\n', lineStart);
    }
    if (lineStart < length) {
      // String concatenation builds a rope, so a long line arriving in tiny chunks stays linear.
      this.partialLine += lineStart === 0 ? text : text.slice(lineStart);
    }
  }

  private processLine(line: string, start: number, end: number, events: SseEvent[]): void {
    if (start === end) {
      this.dispatch(events);
      return;
    }
    if (line.charCodeAt(start) === COLON) return;
    let colon = start + 1;
    while (colon < end && line.charCodeAt(colon) !== COLON) colon++;
    let valueStart = colon + 1;
    if (valueStart < end && line.charCodeAt(valueStart) === SPACE) valueStart++;
    const nameLength = colon - start;
    this.blockStarted = true;
    // Field names are compared in place so that the common lines allocate only their value.
    if (nameLength === 4 && line.startsWith('data', start)) {
      const value = valueStart < end ? line.slice(valueStart, end) : '';
      if (this.hasData) {
        this.data += `\n${value}`;
      } else {
        this.data = value;
        this.hasData = true;
      }
    } else if (nameLength === 5 && line.startsWith('event', start)) {
      this.eventType = valueStart < end ? line.slice(valueStart, end) : '';
    } else if (nameLength === 2 && line.startsWith('id', start)) {
      const value = valueStart < end ? line.slice(valueStart, end) : '';
      if (!value.includes('\u0000')) {
        this.lastEventId = value;
        this.hasLastEventId = true;
      }
    } else if (nameLength === 5 && line.startsWith('retry', start)) {
      if (valueStart < end && isAsciiDigits(line, valueStart, end)) {
        this.retry = Number(line.slice(valueStart, end));
      }
    }
  }

  private dispatch(events: SseEvent[]): void {
    if (this.hasData) {
      const event: SseEvent = { data: this.data };
      if (this.eventType.length > 0) event.event = this.eventType;
      if (this.hasLastEventId) event.id = this.lastEventId;
      if (this.retry !== undefined) event.retry = this.retry;
      events.push(event);
    }
    this.resetBlock();
  }

  private resetBlock(): void {
    this.data = '';
    this.hasData = false;
    this.eventType = '';
    this.retry = undefined;
    this.blockStarted = false;
  }
}

function isAsciiDigits(text: string, start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    const code = text.charCodeAt(i);
    if (code < 48 || code > 57) return false;
  }
  return true;
}
