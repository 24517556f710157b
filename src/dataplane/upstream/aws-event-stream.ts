/**
 * Incremental decoder for AWS's binary event-stream framing (`application/vnd.amazon.eventstream`), the
 * encoding of Bedrock's ConverseStream. Each message is: total length (4 bytes), headers length (4), prelude
 * CRC32 (4), headers, payload, message CRC32 (4), all big-endian. Messages arrive split across network chunks
 * at any byte, or several to a chunk; this class buffers until a message is whole, then hands it to smithy's
 * codec, which checks both CRCs and parses the headers. The codec is loaded with the first such stream
 * (`loadAwsEventStreamCodec`): a process without Bedrock entries never loads smithy.
 */
import type { EventStreamCodec } from '@smithy/eventstream-codec';
import type { UpstreamEvent } from '../../core/providers/adapter.js';

const PRELUDE_LENGTH = 12;
const MINIMUM_MESSAGE_LENGTH = 16;
/** AWS caps a message at 16 MiB of payload plus 128 KiB of headers; anything longer is a corrupt prelude. */
const MAXIMUM_MESSAGE_LENGTH = 16 * 1024 * 1024 + 128 * 1024 + MINIMUM_MESSAGE_LENGTH;

/** The bytes are not a valid event stream (bad length, CRC mismatch, unreadable headers). */
export class AwsEventStreamError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'AwsEventStreamError';
  }
}

const textDecoder = new TextDecoder();
const textEncoder = new TextEncoder();

let Codec: typeof EventStreamCodec | undefined;

/** Loads smithy's event-stream codec, once; a decoder can be made after it resolved. */
export async function loadAwsEventStreamCodec(): Promise<void> {
  Codec ??= (await import('@smithy/eventstream-codec')).EventStreamCodec;
}

/** Decodes one response body's event stream; one instance per response. */
export class AwsEventStreamDecoder {
  private readonly codec: EventStreamCodec;

  constructor() {
    if (!Codec) throw new Error('the AWS event-stream codec is not loaded yet (loadAwsEventStreamCodec)');
    this.codec = new Codec(
      (bytes) => textDecoder.decode(bytes),
      (text) => textEncoder.encode(text),
    );
  }
  /** Unconsumed bytes live in buffer[start, end); the buffer grows by doubling so appends stay amortised O(1). */
  private buffer = new Uint8Array(0);
  private start = 0;
  private end = 0;

  /** Bytes of an unfinished message held back: non-zero when the body ends, the stream was cut mid-message. */
  get pendingBytes(): number {
    return this.end - this.start;
  }

  /** Adds a chunk and returns every message it completed, in order; throws AwsEventStreamError on corruption. */
  push(chunk: Uint8Array): UpstreamEvent[] {
    this.append(chunk);
    const events: UpstreamEvent[] = [];
    while (this.end - this.start >= PRELUDE_LENGTH) {
      const view = new DataView(this.buffer.buffer, this.buffer.byteOffset + this.start, PRELUDE_LENGTH);
      const totalLength = view.getUint32(0, false);
      const headersLength = view.getUint32(4, false);
      if (
        totalLength < MINIMUM_MESSAGE_LENGTH ||
        totalLength > MAXIMUM_MESSAGE_LENGTH ||
        headersLength > totalLength - MINIMUM_MESSAGE_LENGTH
      ) {
        throw new AwsEventStreamError(
          `Corrupt AWS event-stream message: a message of ${totalLength} bytes with ${headersLength} bytes of headers is impossible`,
        );
      }
      if (this.end - this.start < totalLength) break;
      // A copy: the codec returns views into what it is given, and this buffer is reused.
      const message = this.buffer.slice(this.start, this.start + totalLength);
      this.start += totalLength;
      events.push(this.decode(message));
    }
    if (this.start === this.end) {
      this.start = 0;
      this.end = 0;
    }
    return events;
  }

  private decode(bytes: Uint8Array): UpstreamEvent {
    let decoded: ReturnType<EventStreamCodec['decode']>;
    try {
      decoded = this.codec.decode(bytes);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      const crc = /checksum/i.test(reason);
      throw new AwsEventStreamError(
        crc
          ? `Corrupt AWS event-stream message: CRC32 mismatch (${reason})`
          : `Corrupt AWS event-stream message: ${reason}`,
        { cause: error },
      );
    }
    const header = (name: string): string => {
      const value = decoded.headers[name];
      return value?.type === 'string' ? value.value : '';
    };
    const messageType = header(':message-type') || 'event';
    const payload = textDecoder.decode(decoded.body);
    if (messageType === 'event') {
      return { kind: 'aws', messageType, eventType: header(':event-type'), payload };
    }
    if (messageType === 'exception') {
      return { kind: 'aws', messageType, eventType: header(':exception-type'), payload };
    }
    // `error` messages carry their code and message in headers, with an empty payload.
    const errorMessage = header(':error-message');
    return {
      kind: 'aws',
      messageType,
      eventType: header(':error-code'),
      payload: payload !== '' ? payload : JSON.stringify({ message: errorMessage }),
    };
  }

  private append(chunk: Uint8Array): void {
    if (chunk.byteLength === 0) return;
    const needed = this.end - this.start + chunk.byteLength;
    if (this.buffer.byteLength - this.end < chunk.byteLength) {
      if (needed <= this.buffer.byteLength && this.start > 0) {
        this.buffer.copyWithin(0, this.start, this.end);
      } else {
        let capacity = Math.max(this.buffer.byteLength * 2, 1024);
        while (capacity < needed) capacity *= 2;
        const grown = new Uint8Array(capacity);
        grown.set(this.buffer.subarray(this.start, this.end));
        this.buffer = grown;
      }
      this.end -= this.start;
      this.start = 0;
    }
    this.buffer.set(chunk, this.end);
    this.end += chunk.byteLength;
  }
}
