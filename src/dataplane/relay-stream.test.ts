import { EventEmitter } from 'node:events';
import type { ServerResponse } from 'node:http';
import { PassThrough } from 'node:stream';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createAnthropicStreamMapper } from '../core/providers/anthropic/stream-mapper.js';
import {
  generatedCharsOf,
  openaiStreamTranslator,
  relayStream,
  sseEventDecoder,
  translatedStreamTranslator,
} from './relay-stream.js';

const usage = { prompt_tokens: 9, completion_tokens: 3, total_tokens: 12 };
const chunk = (choices: unknown[], extra: Record<string, unknown> = {}) =>
  JSON.stringify({ id: 'c', object: 'chat.completion.chunk', created: 1, model: 'm', choices, ...extra });
const delta = (value: Record<string, unknown>, finish: string | null = null) => [
  { index: 0, delta: value, finish_reason: finish },
];

/** A stream as OpenAI sends it with include_usage: `usage: null` on every chunk, then the usage-only chunk. */
const withUsage = [
  chunk(delta({ role: 'assistant', content: '' }), { usage: null }),
  chunk(delta({ content: 'Hel' }), { usage: null }),
  chunk(delta({ content: 'lo' }), { usage: null }),
  chunk(delta({}, 'stop'), { usage: null }),
  chunk([], { usage }),
];
const sse = (events: string[]) => `${events.map((data) => `data: ${data}\n\n`).join('')}data: [DONE]\n\n`;

/** Feeds the text a few bytes at a time, as a network may deliver it. */
function run(translator: ReturnType<typeof openaiStreamTranslator>, text: string) {
  const bytes = Buffer.from(text);
  let out = '';
  let done = false;
  for (let at = 0; at < bytes.length && !done; at += 5) {
    const piece = translator.push(bytes.subarray(at, at + 5));
    out += piece.out;
    done = piece.done;
  }
  return { out, done };
}

describe('openaiStreamTranslator', () => {
  it('relays every byte to a client that asked for usage, and reads the usage', () => {
    const translator = openaiStreamTranslator({ clientAskedUsage: true });
    const text = sse(withUsage);
    expect(run(translator, text)).toEqual({ out: text, done: true });
    expect(translator.usage()).toEqual(usage);
    expect(translator.generatedChars()).toBe(5);
  });

  it('reads the usage but strips it from a client that did not ask: no usage chunk, no usage: null', () => {
    const translator = openaiStreamTranslator({ clientAskedUsage: false });
    const { out, done } = run(translator, sse(withUsage));
    expect(done).toBe(true);
    expect(out).toBe(
      sse([
        chunk(delta({ role: 'assistant', content: '' })),
        chunk(delta({ content: 'Hel' })),
        chunk(delta({ content: 'lo' })),
        chunk(delta({}, 'stop')),
      ]),
    );
    expect(translator.usage()).toEqual(usage);
  });

  it('keeps usage on a chunk that also has choices (Mistral reports it on its last content chunk)', () => {
    const translator = openaiStreamTranslator({ clientAskedUsage: false });
    const events = [chunk(delta({ content: 'a' })), chunk(delta({}, 'stop'), { usage })];
    expect(run(translator, sse(events)).out).toBe(sse(events));
    expect(translator.usage()).toEqual(usage);
  });

  it('takes out usage: null wherever it sits, and leaves a stream without it untouched', () => {
    const translator = openaiStreamTranslator({ clientAskedUsage: false });
    const plain = [
      '{"usage":null,"choices":[]}',
      '{"choices":[] , "usage" : null , "obfuscation":"x"}',
      chunk(delta({ content: 'x' })),
    ];
    expect(run(translator, sse(plain)).out).toBe(
      sse(['{"choices":[]}', '{"choices":[] , "obfuscation":"x"}', chunk(delta({ content: 'x' }))]),
    );
  });
});

describe('generatedCharsOf', () => {
  it('measures the decoded text of content, refusal, reasoning and tool-call arguments', () => {
    expect(generatedCharsOf(chunk(delta({ content: 'a "quoted"\nline é 😀' })))).toBe(
      'a "quoted"\nline é 😀'.length,
    );
    expect(generatedCharsOf(chunk(delta({ content: 'x' }), { x: '\\u00e9' }))).toBe(1);
    expect(generatedCharsOf('{"choices":[{"delta":{"content":"\\u00e9\\\\"}}]}')).toBe(2);
    expect(generatedCharsOf(chunk(delta({ reasoning_content: 'abc', refusal: 'no' })))).toBe(5);
    expect(generatedCharsOf(chunk(delta({ reasoning: 'abcd' })))).toBe(4);
    expect(
      generatedCharsOf(
        chunk(
          delta({
            tool_calls: [
              { index: 0, id: 'i', type: 'function', function: { name: 'get', arguments: '{"c' } },
            ],
          }),
        ),
      ),
    ).toBe(3);
  });

  it('skips nulls, arrays, spaced keys done right, and keys that only appear inside text', () => {
    expect(generatedCharsOf(chunk(delta({ content: null, refusal: null })))).toBe(0);
    expect(
      generatedCharsOf(
        chunk([
          {
            index: 0,
            delta: { content: 'ab' },
            logprobs: { content: [{ token: 'ab' }] },
            finish_reason: null,
          },
        ]),
      ),
    ).toBe(2);
    expect(generatedCharsOf('{"delta": {"content" : "abc"}}')).toBe(3);
    expect(generatedCharsOf(chunk(delta({ content: '"content":"xyz"' })))).toBe('"content":"xyz"'.length);
  });

  it('counts what a walk of the parsed JSON counts: every string member of the five keys, at any depth', () => {
    const keys = ['content', 'refusal', 'reasoning_content', 'reasoning', 'arguments', 'usage', 'delta'];
    const text = fc.oneof(
      fc.string({ unit: 'binary' }),
      fc.constantFrom('"content":"x"', '\\u00e9', '\\', '"', '\n', '😀'),
    );
    const { value } = fc.letrec((tie) => ({
      value: fc.oneof(
        { depthSize: 'small' },
        text,
        fc.constant(null),
        fc.integer(),
        fc.array(tie('value'), { maxLength: 3 }),
        fc.dictionary(fc.constantFrom(...keys), tie('value'), { maxKeys: 4 }),
      ),
    }));
    const walk = (node: unknown): number => {
      if (Array.isArray(node)) return node.reduce((sum: number, item) => sum + walk(item), 0);
      if (node === null || typeof node !== 'object') return 0;
      let sum = 0;
      for (const [key, item] of Object.entries(node)) {
        sum += typeof item === 'string' && keys.slice(0, 5).includes(key) ? item.length : walk(item);
      }
      return sum;
    };
    fc.assert(
      fc.property(value, fc.boolean(), (node, spaced) => {
        expect(generatedCharsOf(JSON.stringify(node, null, spaced ? 1 : undefined))).toBe(walk(node));
      }),
    );
  });
});

describe('translatedStreamTranslator', () => {
  const event = (data: Record<string, unknown>) => `event: ${data.type}\ndata: ${JSON.stringify(data)}\n\n`;
  const start = event({
    type: 'message_start',
    message: { id: 'msg', role: 'assistant', content: [], usage: { input_tokens: 12, output_tokens: 1 } },
  });
  const text = (piece: string) =>
    event({ type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: piece } });
  const context = {
    requestedModel: 'm',
    responseId: 'chatcmpl-x',
    created: 1,
    includeUsage: false,
    target: {
      providerId: 'p',
      upstreamModel: 'claude',
      region: null,
      basePath: '',
      settings: {},
      capabilities: { streaming: true, tools: true, vision: true, jsonMode: true },
      dimension: null,
    },
  };

  it('counts the generated text it translated, and says when the usage is only an opening count', () => {
    const translator = translatedStreamTranslator(sseEventDecoder(), createAnthropicStreamMapper(context));
    translator.push(
      Buffer.from(
        start +
          event({ type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } }) +
          text('Once upon') +
          text(' a time'),
      ),
    );
    expect(translator.generatedChars()).toBe(16);
    expect(translator.usage()).toMatchObject({ prompt_tokens: 12, completion_tokens: 1 });
    expect(translator.usageCoversCompletion()).toBe(false);
    translator.push(
      Buffer.from(
        event({ type: 'message_delta', delta: { stop_reason: 'end_turn' }, usage: { output_tokens: 5 } }),
      ),
    );
    expect(translator.usageCoversCompletion()).toBe(true);
    expect(translator.usage()).toMatchObject({ prompt_tokens: 12, completion_tokens: 5 });
  });
});

describe('relayStream: the piece that completes the stream', () => {
  /** A response that records what was written, and when `beforeDone` ran among the writes. */
  function fakeResponse(log: string[]) {
    const response = new EventEmitter() as EventEmitter & Record<string, unknown>;
    Object.assign(response, {
      writableEnded: false,
      writableFinished: false,
      write: (text: string) => {
        log.push(`write ${text}`);
        return true;
      },
      end: () => {
        response.writableEnded = true;
        response.writableFinished = true;
        log.push('end');
      },
    });
    return response as unknown as ServerResponse;
  }

  const relay = async (opening: string, rest: string[]) => {
    const log: string[] = [];
    const body = new PassThrough();
    const translator = openaiStreamTranslator();
    const first = translator.push(Buffer.from(opening));
    const result = relayStream(fakeResponse(log), body, first, 5_000, translator, () =>
      log.push(`beforeDone usage=${translator.usage()?.completion_tokens}`),
    );
    for (const piece of rest) body.write(piece);
    await expect(result).resolves.toMatchObject({ end: 'complete' });
    return log;
  };

  it('writes the content before the usage record is taken, and [DONE] only after it', async () => {
    const text = sse(withUsage);
    const log = await relay(text, []);
    expect(log).toEqual([
      `write ${text.slice(0, -'data: [DONE]\n\n'.length)}`,
      'beforeDone usage=3',
      'write data: [DONE]\n\n',
      'end',
    ]);
  });

  it('in a later chunk too, and with [DONE] alone in its chunk', async () => {
    const events = sse(withUsage);
    const split = events.indexOf('data: ', 10);
    const log = await relay(events.slice(0, split), [events.slice(split, -14), events.slice(-14)]);
    expect(log.slice(-3)).toEqual(['beforeDone usage=3', 'write data: [DONE]\n\n', 'end']);
    expect(
      log
        .filter((line) => line.startsWith('write'))
        .join('')
        .replaceAll('write ', ''),
    ).toBe(events);
  });
});
