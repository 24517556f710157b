import { describe, expect, it } from 'vitest';
import { readChatStreamData, SseParser } from '../../web/src/lib/sse.js';

/** Feeds `chunks` in order and returns every event's data. */
function feed(chunks: Array<string | Uint8Array>): { data: string[]; incomplete: boolean } {
  const parser = new SseParser();
  const data: string[] = [];
  for (const chunk of chunks) for (const event of parser.push(chunk)) data.push(event.data);
  return { data, incomplete: parser.end().incomplete };
}

const stream =
  'data: {"choices":[{"delta":{"content":"Hel"}}]}\n\n' +
  ': keep-alive\n\n' +
  'data: {"choices":[{"delta":{"content":"lo"}}]}\n\n' +
  'data: [DONE]\n\n';

describe('SseParser', () => {
  it('reads whole events', () => {
    expect(feed([stream])).toEqual({
      data: [
        '{"choices":[{"delta":{"content":"Hel"}}]}',
        '{"choices":[{"delta":{"content":"lo"}}]}',
        '[DONE]',
      ],
      incomplete: false,
    });
  });

  it('gives the same events whatever the chunk boundaries', () => {
    const whole = feed([stream]).data;
    for (let size = 1; size <= 7; size++) {
      const chunks: string[] = [];
      for (let at = 0; at < stream.length; at += size) chunks.push(stream.slice(at, at + size));
      expect(feed(chunks).data).toEqual(whole);
    }
    for (let cut = 0; cut <= stream.length; cut++) {
      expect(feed([stream.slice(0, cut), stream.slice(cut)]).data).toEqual(whole);
    }
  });

  it('accepts CRLF and CR line breaks, also split between chunks', () => {
    expect(feed(['data: a\r\n\r\ndata: b\r\rdata: c\n\n']).data).toEqual(['a', 'b', 'c']);
    expect(feed(['data: a\r', '\n\r', '\ndata: b\r\n', '\r\n']).data).toEqual(['a', 'b']);
    // A CR ending a chunk followed by a chunk that does not start with LF: two separate line breaks.
    expect(feed(['data: a\r', '\r']).data).toEqual(['a']);
  });

  it('skips comments and unknown fields, and keeps event names and ids', () => {
    const parser = new SseParser();
    const events = parser.push(':comment\nretry: 10\nfoo: bar\nevent: ping\nid: 7\ndata: x\n\ndata: y\n\n');
    expect(events).toEqual([
      { event: 'ping', id: '7', data: 'x' },
      { id: '7', data: 'y' },
    ]);
  });

  it('joins data lines with LF and strips only one leading space', () => {
    expect(feed(['data: one\ndata:two\ndata:  three\ndata\n\n']).data).toEqual(['one\ntwo\n three\n']);
  });

  it('dispatches nothing for a block without data', () => {
    expect(feed(['event: x\n\n: only a comment\n\n']).data).toEqual([]);
  });

  it('drops an event not closed by a blank line and says so', () => {
    expect(feed(['data: a\n\ndata: b\n'])).toEqual({ data: ['a'], incomplete: true });
    expect(feed(['data: a\n\ndata: b'])).toEqual({ data: ['a'], incomplete: true });
  });

  it('decodes UTF-8 split inside a character and drops a leading BOM', () => {
    const bytes = new TextEncoder().encode('\uFEFFdata: héllo 🌍\n\n');
    const chunks = Array.from(bytes, (byte) => Uint8Array.of(byte));
    expect(feed(chunks)).toEqual({ data: ['héllo 🌍'], incomplete: false });
  });
});

describe('readChatStreamData', () => {
  it('recognises the end of the stream', () => {
    expect(readChatStreamData('[DONE]')).toEqual({ kind: 'done' });
  });

  it('reads content, finish reason and usage', () => {
    expect(
      readChatStreamData('{"choices":[{"index":0,"delta":{"content":"Hi"},"finish_reason":null}]}'),
    ).toEqual({
      kind: 'chunk',
      content: 'Hi',
      reasoning: '',
      finishReason: null,
      usage: null,
    });
    expect(
      readChatStreamData('{"choices":[],"usage":{"prompt_tokens":5,"completion_tokens":2,"total_tokens":7}}'),
    ).toEqual({
      kind: 'chunk',
      content: '',
      reasoning: '',
      finishReason: null,
      usage: { promptTokens: 5, completionTokens: 2, totalTokens: 7 },
    });
  });

  it('reads a mid-stream error event', () => {
    expect(
      readChatStreamData(
        '{"error":{"message":"The upstream broke","type":"api_error","param":null,"code":"stream_interrupted"}}',
      ),
    ).toEqual({ kind: 'error', message: 'The upstream broke', code: 'stream_interrupted' });
  });

  it('reports data that is not JSON', () => {
    expect(readChatStreamData('<html>')).toEqual({ kind: 'invalid', data: '<html>' });
  });
});
