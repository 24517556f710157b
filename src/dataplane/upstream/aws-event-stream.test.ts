import { beforeAll, describe, expect, it } from 'vitest';
import { encodeAwsMessage } from '../../../test/harness/bedrock-protocol.js';
import type { UpstreamEvent } from '../../core/providers/adapter.js';
import { AwsEventStreamDecoder, AwsEventStreamError, loadAwsEventStreamCodec } from './aws-event-stream.js';

const messages = [
  { eventType: 'messageStart', payload: { role: 'assistant' } },
  { eventType: 'contentBlockDelta', payload: { contentBlockIndex: 0, delta: { text: 'Grüße, 世界 👋' } } },
  { eventType: 'contentBlockStop', payload: { contentBlockIndex: 0 } },
  { eventType: 'messageStop', payload: { stopReason: 'end_turn' } },
] as const;

const expected: UpstreamEvent[] = messages.map((message) => ({
  kind: 'aws',
  messageType: 'event',
  eventType: message.eventType,
  payload: JSON.stringify(message.payload),
}));

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

const stream = concat(messages.map((message) => encodeAwsMessage(message)));

describe('AwsEventStreamDecoder', () => {
  beforeAll(() => loadAwsEventStreamCodec());

  it('decodes several messages delivered in one chunk', () => {
    const decoder = new AwsEventStreamDecoder();
    expect(decoder.push(stream)).toEqual(expected);
    expect(decoder.pendingBytes).toBe(0);
  });

  it('decodes the same messages whatever byte the stream is split at', () => {
    for (let cut = 0; cut <= stream.length; cut++) {
      const decoder = new AwsEventStreamDecoder();
      const events = [...decoder.push(stream.subarray(0, cut)), ...decoder.push(stream.subarray(cut))];
      expect(events, `split at byte ${cut}`).toEqual(expected);
      expect(decoder.pendingBytes).toBe(0);
    }
  });

  it('decodes a stream delivered one byte at a time, holding back an unfinished message', () => {
    const decoder = new AwsEventStreamDecoder();
    const events: UpstreamEvent[] = [];
    for (let offset = 0; offset < stream.length; offset++) {
      events.push(...decoder.push(stream.subarray(offset, offset + 1)));
    }
    expect(events).toEqual(expected);

    const cut = new AwsEventStreamDecoder();
    const first = encodeAwsMessage(messages[0]);
    expect(cut.push(stream.subarray(0, first.length + 5))).toHaveLength(1);
    expect(cut.pendingBytes).toBe(5);
  });

  it('reports exceptions with their :exception-type', () => {
    const decoder = new AwsEventStreamDecoder();
    const bytes = encodeAwsMessage({
      messageType: 'exception',
      eventType: 'throttlingException',
      payload: { message: 'Too many requests' },
    });
    expect(decoder.push(bytes)).toEqual([
      {
        kind: 'aws',
        messageType: 'exception',
        eventType: 'throttlingException',
        payload: '{"message":"Too many requests"}',
      },
    ]);
  });

  it('throws a clear error when a payload byte is corrupted (message CRC)', () => {
    const corrupted = stream.slice();
    const first = encodeAwsMessage(messages[0]);
    corrupted[first.length - 6] = (corrupted[first.length - 6] ?? 0) ^ 0xff;
    const decoder = new AwsEventStreamDecoder();
    expect(() => decoder.push(corrupted)).toThrowError(AwsEventStreamError);
    expect(() => new AwsEventStreamDecoder().push(corrupted)).toThrowError(/CRC32 mismatch/);
  });

  it('throws a clear error when the prelude CRC does not match', () => {
    const corrupted = stream.slice();
    corrupted[9] = (corrupted[9] ?? 0) ^ 0x01;
    expect(() => new AwsEventStreamDecoder().push(corrupted)).toThrowError(/CRC32 mismatch/);
  });

  it('rejects an impossible length at once instead of buffering forever', () => {
    const html = new TextEncoder().encode('<html><body>502 Bad Gateway</body></html>');
    expect(() => new AwsEventStreamDecoder().push(html)).toThrowError(/Corrupt AWS event-stream message/);
  });
});
