import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type SseEvent, SseParser } from './sse-parser.js';
import { formatSseData, formatSseError, formatSseEvent, SSE_DONE } from './sse-writer.js';

const encoder = new TextEncoder();

function parseChunks(chunks: ReadonlyArray<Uint8Array | string>): {
  events: SseEvent[];
  pendingPartial: boolean;
} {
  const parser = new SseParser();
  const events: SseEvent[] = [];
  for (const chunk of chunks) events.push(...parser.push(chunk));
  return { events, ...parser.end() };
}

describe('SseParser (table)', () => {
  const cases: Array<{
    name: string;
    chunks: Array<string | number[]>;
    events: SseEvent[];
    partial?: boolean;
  }> = [
    { name: 'LF', chunks: ['data: a\n\ndata: b\n\n'], events: [{ data: 'a' }, { data: 'b' }] },
    { name: 'CRLF', chunks: ['data: a\r\n\r\ndata: b\r\n\r\n'], events: [{ data: 'a' }, { data: 'b' }] },
    { name: 'CR', chunks: ['data: a\r\rdata: b\r\r'], events: [{ data: 'a' }, { data: 'b' }] },
    {
      name: 'CR | LF across chunks is one break',
      chunks: ['data: a\r', '\ndata: b\r\n\r\n'],
      events: [{ data: 'a\nb' }],
    },
    {
      name: 'CR | empty | LF is still one break',
      chunks: ['data: a\r', '', '\ndata: b\n\n'],
      events: [{ data: 'a\nb' }],
    },
    {
      name: 'CR | CR is two breaks',
      chunks: ['data: a\r', '\rdata: b\n\n'],
      events: [{ data: 'a' }, { data: 'b' }],
    },
    { name: 'LF | CR', chunks: ['data: a\n', '\r'], events: [{ data: 'a' }] },
    { name: 'comments', chunks: [': hi\ndata: a\n:\n: more\n\n'], events: [{ data: 'a' }] },
    { name: 'only comments', chunks: [': keep-alive\n\n: x\n\n'], events: [] },
    { name: 'field without colon', chunks: ['data\n\n'], events: [{ data: '' }] },
    { name: 'empty data line dispatches', chunks: ['data:\n\n'], events: [{ data: '' }] },
    { name: 'data then bare data', chunks: ['data: a\ndata\n\n'], events: [{ data: 'a\n' }] },
    { name: 'one optional space', chunks: ['data:  two\ndata:none\n\n'], events: [{ data: ' two\nnone' }] },
    { name: 'colon in value', chunks: ['data: {"a":"b:c"}\n\n'], events: [{ data: '{"a":"b:c"}' }] },
    { name: 'multi-line data', chunks: ['data: a\ndata: b\ndata: c\n\n'], events: [{ data: 'a\nb\nc' }] },
    {
      name: 'no data is not dispatched',
      chunks: ['event: x\nid: 1\n\ndata: a\n\n'],
      events: [{ data: 'a', id: '1' }],
    },
    {
      name: 'event type',
      chunks: ['event: ping\ndata: a\n\ndata: b\n\n'],
      events: [{ event: 'ping', data: 'a' }, { data: 'b' }],
    },
    { name: 'empty event type', chunks: ['event:\ndata: a\n\n'], events: [{ data: 'a' }] },
    {
      name: 'id persists and resets',
      chunks: ['id: 7\ndata: a\n\ndata: b\n\nid\ndata: c\n\n'],
      events: [
        { data: 'a', id: '7' },
        { data: 'b', id: '7' },
        { data: 'c', id: '' },
      ],
    },
    {
      name: 'id with NUL is ignored',
      chunks: ['id: 1\n\nid: a\u0000b\ndata: x\n\n'],
      events: [{ data: 'x', id: '1' }],
    },
    {
      name: 'retry digits only, per block',
      chunks: ['retry: 1500\ndata: a\n\nretry: 1.5\ndata: b\n\nretry:\ndata: c\n\n'],
      events: [{ data: 'a', retry: 1500 }, { data: 'b' }, { data: 'c' }],
    },
    { name: 'unknown fields ignored', chunks: ['foo: bar\nDATA: x\ndata: a\n\n'], events: [{ data: 'a' }] },
    { name: 'BOM stripped', chunks: ['\uFEFFdata: a\n\n'], events: [{ data: 'a' }] },
    {
      name: 'BOM bytes split',
      chunks: [[0xef], [0xbb], [0xbf, 0x64], 'ata: a\n\n'],
      events: [{ data: 'a' }],
    },
    { name: 'only the first BOM', chunks: ['\uFEFF\uFEFFdata: a\n\n'], events: [] },
    { name: 'BOM later is data', chunks: ['data: \uFEFFa\n\n'], events: [{ data: '\uFEFFa' }] },
    {
      name: 'multi-byte split',
      chunks: [[0x64, 0x61, 0x74, 0x61, 0x3a, 0x20, 0xf0, 0x9f], [0x98], [0x80, 0x0a, 0x0a]],
      events: [{ data: '😀' }],
    },
    {
      name: 'invalid UTF-8 is replaced',
      chunks: [[0x64, 0x61, 0x74, 0x61, 0x3a, 0xff, 0x0a, 0x0a]],
      events: [{ data: '\uFFFD' }],
    },
    {
      name: 'unterminated event dropped',
      chunks: ['data: a\n\ndata: b\n'],
      events: [{ data: 'a' }],
      partial: true,
    },
    {
      name: 'unterminated line dropped',
      chunks: ['data: a\n\ndata: b'],
      events: [{ data: 'a' }],
      partial: true,
    },
    {
      name: 'dangling UTF-8 is partial',
      chunks: ['data: a\n\n', [0xf0]],
      events: [{ data: 'a' }],
      partial: true,
    },
    {
      name: 'trailing comment is not partial',
      chunks: ['data: a\n\n: bye\n'],
      events: [{ data: 'a' }],
      partial: false,
    },
    {
      name: 'OpenAI stream',
      chunks: ['data: {"id":"1"}\n\ndata: {"id":"2"}\n\n', 'data: [DONE]\n\n'],
      events: [{ data: '{"id":"1"}' }, { data: '{"id":"2"}' }, { data: '[DONE]' }],
    },
  ];
  it.each(cases)('$name', ({ chunks, events, partial }) => {
    const input = chunks.map((c) => (typeof c === 'string' ? c : new Uint8Array(c)));
    const result = parseChunks(input);
    expect(result.events).toEqual(events);
    expect(result.pendingPartial).toBe(partial ?? false);
  });

  it('reads a long line fed one character at a time', () => {
    const parser = new SseParser();
    const text = `data: ${'x'.repeat(10_000)}\n\n`;
    const events: SseEvent[] = [];
    for (const char of text) events.push(...parser.push(char));
    expect(events).toEqual([{ data: 'x'.repeat(10_000) }]);
  });

  it('resets after end()', () => {
    const parser = new SseParser();
    expect(parser.push('id: 1\ndata: a')).toEqual([]);
    expect(parser.end()).toEqual({ pendingPartial: true });
    expect(parser.push('\uFEFFdata: b\n\n')).toEqual([{ data: 'b' }]);
    expect(parser.end()).toEqual({ pendingPartial: false });
  });
});

describe('sse-writer', () => {
  it('formats data, DONE and errors', () => {
    expect(formatSseData('{"a":1}')).toBe('data: {"a":1}\n\n');
    expect(SSE_DONE).toBe('data: [DONE]\n\n');
    const body = { error: { message: 'boom', type: 'api_error', param: null, code: 'stream_interrupted' } };
    expect(formatSseError(body)).toBe(`data: ${JSON.stringify(body)}\n\n`);
    expect(parseChunks([formatSseError(body), SSE_DONE]).events).toEqual([
      { data: JSON.stringify(body) },
      { data: '[DONE]' },
    ]);
  });

  it('splits multi-line payloads into data lines', () => {
    expect(formatSseData('{\n"a":\r\n1\r}')).toBe('data: {\ndata: "a":\ndata: 1\ndata: }\n\n');
    expect(parseChunks([formatSseData('{\n"a":1}')]).events).toEqual([{ data: '{\n"a":1}' }]);
  });

  it('formats whole events', () => {
    const event: SseEvent = { event: 'x', id: '9', retry: 10, data: 'a\n\nb' };
    expect(formatSseEvent(event)).toBe('event: x\nid: 9\nretry: 10\ndata: a\ndata: \ndata: b\n\n');
    expect(parseChunks([formatSseEvent(event)]).events).toEqual([event]);
  });
});

// ---- Property F1-f: any split of a valid stream parses like the whole stream and like what was written.

const specialUnit = fc.constantFrom(' ', ':', 'a', 'é', '€', '😀', '\uFEFF', '\u0000', '\t', '\r', '\n');
const anyUnit = fc.oneof(specialUnit, fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }));
/** Text that fits on one line. */
const lineText = fc.string({ unit: anyUnit, maxLength: 12 }).map((s) => s.replace(/[\r\n]/g, ''));
const idText = lineText.map((s) => s.replaceAll('\u0000', ''));

type Block =
  | { kind: 'event'; event?: string; id?: string; retry?: number; dataLines: string[]; fieldsFirst: boolean }
  | { kind: 'no-data'; event?: string; id?: string };

const blockArb: fc.Arbitrary<Block> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.record(
      {
        kind: fc.constant('event' as const),
        event: lineText,
        id: idText,
        retry: fc.nat(),
        dataLines: fc.array(lineText, { minLength: 1, maxLength: 4 }),
        fieldsFirst: fc.boolean(),
      },
      { requiredKeys: ['kind', 'dataLines', 'fieldsFirst'] },
    ),
  },
  {
    weight: 1,
    arbitrary: fc.record(
      { kind: fc.constant('no-data' as const), event: lineText, id: idText },
      { requiredKeys: ['kind'] },
    ),
  },
);

const noiseArb = fc.oneof(
  lineText.map((s) => `:${s}`),
  fc.constantFrom('foo: bar', 'Data: x', 'retry: 1x', 'retry: -1', 'id: a\u0000b', 'datum'),
);

/** One field line in one of the equivalent spellings the spec allows. */
function fieldLine(name: string, value: string, spelling: number): string {
  if (value === '' && spelling % 3 === 0) return name;
  if (!value.startsWith(' ') && spelling % 3 === 1) return `${name}:${value}`;
  return `${name}: ${value}`;
}

const streamArb = fc
  .record({
    blocks: fc.array(blockArb, { maxLength: 6 }),
    noise: fc.array(fc.tuple(fc.nat(), noiseArb), { maxLength: 6 }),
    spellings: fc.array(fc.nat(), { minLength: 1, maxLength: 32 }),
    endings: fc.array(fc.constantFrom('\n', '\r', '\r\n'), { minLength: 1, maxLength: 32 }),
    bom: fc.boolean(),
    partialTail: fc.option(fc.constantFrom('data: tail', 'data: tail\n', 'event: x\r', ': c'), {
      nil: undefined,
    }),
  })
  .map(({ blocks, noise, spellings, endings, bom, partialTail }) => {
    const lines: string[] = [];
    const expected: SseEvent[] = [];
    let lastId: string | undefined;
    let n = 0;
    const spell = () => spellings[n++ % spellings.length] ?? 0;
    for (const block of blocks) {
      const fields: string[] = [];
      if (block.event !== undefined) fields.push(fieldLine('event', block.event, spell()));
      if (block.id !== undefined) {
        fields.push(fieldLine('id', block.id, spell()));
        lastId = block.id;
      }
      if (block.kind === 'event') {
        if (block.retry !== undefined) fields.push(fieldLine('retry', String(block.retry), spell()));
        const data = block.dataLines.map((line) => fieldLine('data', line, spell()));
        lines.push(...(block.fieldsFirst ? [...fields, ...data] : [...data, ...fields]));
        const event: SseEvent = { data: block.dataLines.join('\n') };
        if (block.event) event.event = block.event;
        if (lastId !== undefined) event.id = lastId;
        if (block.retry !== undefined) event.retry = block.retry;
        expected.push(event);
      } else {
        lines.push(...fields);
      }
      lines.push('');
    }
    for (const [at, line] of noise) lines.splice(at % (lines.length + 1), 0, line);
    // Noise after the last blank line would leave a block open at the end of the stream.
    if (lines.length > 0 && lines[lines.length - 1] !== '') lines.push('');
    let text = bom ? '\uFEFF' : '';
    let previousEnding = '';
    lines.forEach((line, i) => {
      let ending = endings[i % endings.length] ?? '\n';
      // A CR followed by an empty LF-terminated line would read as one CRLF break.
      if (previousEnding === '\r' && line === '' && ending === '\n') ending = '\r\n';
      text += line + ending;
      previousEnding = ending;
    });
    if (partialTail !== undefined) text += partialTail;
    return { text, expected, partial: partialTail !== undefined };
  });

/** Cuts bytes at the given positions (taken modulo the length), or into 1-byte chunks. */
function split(bytes: Uint8Array, cuts: number[] | 'bytes'): Uint8Array[] {
  if (cuts === 'bytes') return Array.from(bytes, (_, i) => bytes.subarray(i, i + 1));
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  const chunks: Uint8Array[] = [];
  let start = 0;
  for (const point of points) {
    chunks.push(bytes.subarray(start, point));
    start = point;
  }
  chunks.push(bytes.subarray(start));
  return chunks;
}

describe('SseParser (property F1-f)', () => {
  it('parses any chunking of a valid stream like the whole stream and like what was serialised', () => {
    fc.assert(
      fc.property(
        streamArb,
        fc.oneof(fc.constant('bytes' as const), fc.array(fc.nat(), { maxLength: 20 })),
        ({ text, expected, partial }, cuts) => {
          const bytes = encoder.encode(text);
          const whole = parseChunks([bytes]);
          const chunked = parseChunks(split(bytes, cuts));
          expect(whole.events).toEqual(expected);
          expect(chunked.events).toEqual(whole.events);
          expect(chunked.pendingPartial).toBe(partial);
          expect(whole.pendingPartial).toBe(partial);
        },
      ),
      { numRuns: 1500 },
    );
  });

  it('round-trips events through formatSseEvent', () => {
    const eventArb = fc.record(
      {
        event: lineText.filter((s) => s.length > 0),
        id: idText,
        retry: fc.nat(),
        data: fc.string({ unit: anyUnit }),
      },
      { requiredKeys: ['data'] },
    );
    fc.assert(
      fc.property(fc.array(eventArb, { maxLength: 5 }), (events) => {
        const text = events.map(formatSseEvent).join('');
        let lastId: string | undefined;
        const expected = events.map((event) => {
          lastId = event.id ?? lastId;
          const out: SseEvent = { ...event, data: event.data.replace(/\r\n?/g, '\n') };
          if (lastId !== undefined) out.id = lastId;
          return out;
        });
        expect(parseChunks(split(encoder.encode(text), 'bytes')).events).toEqual(expected);
      }),
      { numRuns: 500 },
    );
  });
});
