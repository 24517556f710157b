import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { approximatePromptTokens, approximateTokens } from '../../text/approximate-tokens.js';
import type { ChatCompletionRequest, ChatMessage } from '../../wire/openai.js';
import { type EchoBehaviour, parseEchoBehaviour } from './behaviour.js';
import {
  ECHO_GREETING,
  echoChatCompletion,
  echoEmbedding,
  echoEmbeddings,
  echoReplyText,
  echoStreamChunks,
  echoStreamPrefix,
  echoWords,
  float32Base64,
  lastUserText,
} from './generate.js';

const ids = { id: 'chatcmpl-echo-1', created: 1_700_000_000, model: 'echo-1' };

function request(messages: ChatMessage[], extra: Partial<ChatCompletionRequest> = {}): ChatCompletionRequest {
  return { model: 'echo', messages, ...extra };
}

describe('parseEchoBehaviour', () => {
  it.each<[string, EchoBehaviour]>([
    ['echo-1', { kind: 'ok' }],
    ['', { kind: 'ok' }],
    ['error-500', { kind: 'error', status: 500 }],
    ['error-429', { kind: 'error', status: 429 }],
    ['error-400', { kind: 'error', status: 400 }],
    ['error-599', { kind: 'error', status: 599 }],
    ['acme/error-503', { kind: 'error', status: 503 }],
    ['a/b/error-502', { kind: 'error', status: 502 }],
    ['error-500/x', { kind: 'ok' }],
    ['demo-error-429', { kind: 'ok' }],
    ['error-200', { kind: 'ok' }],
    ['error-399', { kind: 'ok' }],
    ['error-600', { kind: 'ok' }],
    ['error-abc', { kind: 'ok' }],
    ['error-5000', { kind: 'ok' }],
    ['error-50', { kind: 'ok' }],
    ['error-', { kind: 'ok' }],
    ['ERROR-500', { kind: 'ok' }],
    ['slow-250', { kind: 'slow', delayMs: 250 }],
    ['slow-0', { kind: 'slow', delayMs: 0 }],
    ['x/slow-1000', { kind: 'slow', delayMs: 1000 }],
    ['slow-', { kind: 'ok' }],
    ['slow-1.5', { kind: 'ok' }],
    ['slow--1', { kind: 'ok' }],
    ['slow-99999999999', { kind: 'ok' }],
    ['stall-after-3', { kind: 'stall-after', chunks: 3 }],
    ['stall-after-0', { kind: 'stall-after', chunks: 0 }],
    ['stall-after-', { kind: 'ok' }],
    ['stall-after-x', { kind: 'ok' }],
    ['cut-after-2', { kind: 'cut-after', chunks: 2 }],
    ['echo/cut-after-10', { kind: 'cut-after', chunks: 10 }],
    ['cut-after-', { kind: 'ok' }],
    ['cut-after-2 ', { kind: 'ok' }],
  ])('%s', (model, expected) => {
    expect(parseEchoBehaviour(model)).toEqual(expected);
  });
});

describe('reply text', () => {
  it('uses the last user message', () => {
    const messages: ChatMessage[] = [
      { role: 'system', content: 'be nice' },
      { role: 'user', content: 'first' },
      { role: 'assistant', content: 'ok' },
      { role: 'user', content: 'second' },
      { role: 'assistant', content: 'later' },
    ];
    expect(lastUserText(messages)).toBe('second');
    expect(echoReplyText(request(messages))).toBe('You said: second');
  });

  it('joins text parts and skips other parts', () => {
    const messages: ChatMessage[] = [
      {
        role: 'user',
        content: [
          { type: 'text', text: 'look' },
          { type: 'image_url', image_url: { url: 'data:,' } },
          { type: 'text', text: 'here' },
        ],
      },
    ];
    expect(lastUserText(messages)).toBe('look\nhere');
  });

  it('greets when there is no user text', () => {
    expect(lastUserText([])).toBe('');
    expect(lastUserText([{ role: 'user', content: null }])).toBe('');
    expect(lastUserText([{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'x' } }] }])).toBe(
      '',
    );
    expect(echoReplyText(request([{ role: 'system', content: 'hi' }]))).toBe(ECHO_GREETING);
    expect(echoReplyText(request([{ role: 'user', content: '' }]))).toBe(ECHO_GREETING);
  });
});

describe('echoWords', () => {
  it.each<[string, string[]]>([
    ['You said: hello  world', ['You', ' said:', ' hello', '  world']],
    ['', []],
    ['   ', ['   ']],
    [' lead', [' lead']],
    ['trail \n', ['trail \n']],
    ['a\nb\tc', ['a', '\nb', '\tc']],
    ['😀 é', ['😀', ' é']],
  ])('%j', (text, pieces) => {
    expect(echoWords(text)).toEqual(pieces);
  });

  it('rejoins to the text', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom('a', ' ', '\n', '\t', 'é', '😀', '\u00a0') }), (text) => {
        const pieces = echoWords(text);
        expect(pieces.join('')).toBe(text);
        for (const piece of pieces) expect(piece.length).toBeGreaterThan(0);
      }),
      { numRuns: 500 },
    );
  });
});

describe('echoChatCompletion', () => {
  const messages: ChatMessage[] = [{ role: 'user', content: 'one two three' }];

  it('answers with the echoed text', () => {
    const content = 'You said: one two three';
    const prompt = approximatePromptTokens(messages);
    const completion = approximateTokens(content);
    expect(echoChatCompletion(request(messages), ids)).toEqual({
      id: ids.id,
      object: 'chat.completion',
      created: ids.created,
      model: ids.model,
      choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop', logprobs: null }],
      usage: { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion },
    });
  });

  it.each<[Partial<ChatCompletionRequest>, string, string]>([
    [{ max_tokens: 2 }, 'You said:', 'length'],
    [{ max_completion_tokens: 3 }, 'You said: one', 'length'],
    [{ max_tokens: 1, max_completion_tokens: 4 }, 'You said: one two', 'length'],
    [{ max_tokens: 5 }, 'You said: one two three', 'stop'],
    [{ max_tokens: 50 }, 'You said: one two three', 'stop'],
    [{ max_tokens: null }, 'You said: one two three', 'stop'],
  ])('%j truncates words', (extra, content, finish) => {
    const out = echoChatCompletion(request(messages, extra), ids);
    expect(out.choices[0]?.message.content).toBe(content);
    expect(out.choices[0]?.finish_reason).toBe(finish);
    expect(out.usage?.completion_tokens).toBe(approximateTokens(content));
  });
});

describe('echoStreamChunks', () => {
  const messages: ChatMessage[] = [{ role: 'user', content: 'hi there' }];
  const base = { id: ids.id, object: 'chat.completion.chunk', created: ids.created, model: ids.model };
  const choice = (delta: object, finish: string | null) => [
    { index: 0, delta, finish_reason: finish, logprobs: null },
  ];

  it('has OpenAI shape without usage', () => {
    expect(echoStreamChunks(request(messages, { stream: true }), ids)).toEqual([
      { ...base, choices: choice({ role: 'assistant', content: '' }, null) },
      { ...base, choices: choice({ content: 'You' }, null) },
      { ...base, choices: choice({ content: ' said:' }, null) },
      { ...base, choices: choice({ content: ' hi' }, null) },
      { ...base, choices: choice({ content: ' there' }, null) },
      { ...base, choices: choice({}, 'stop') },
    ]);
  });

  it('adds usage: null everywhere and a final usage chunk with include_usage', () => {
    const chunks = echoStreamChunks(
      request(messages, { stream: true, stream_options: { include_usage: true }, max_tokens: 2 }),
      ids,
    );
    const prompt = approximatePromptTokens(messages);
    const completion = approximateTokens('You said:');
    expect(chunks).toEqual([
      { ...base, choices: choice({ role: 'assistant', content: '' }, null), usage: null },
      { ...base, choices: choice({ content: 'You' }, null), usage: null },
      { ...base, choices: choice({ content: ' said:' }, null), usage: null },
      { ...base, choices: choice({}, 'length'), usage: null },
      {
        ...base,
        choices: [],
        usage: { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion },
      },
    ]);
  });

  it('ignores include_usage false or null stream_options', () => {
    for (const stream_options of [{ include_usage: false }, {}, null]) {
      const chunks = echoStreamChunks(request(messages, { stream: true, stream_options }), ids);
      expect(chunks).toHaveLength(6);
      for (const chunk of chunks) expect(chunk).not.toHaveProperty('usage');
    }
  });

  it('concatenates to the non-streamed answer', () => {
    const req = request(messages, { max_tokens: 3 });
    const text = echoStreamChunks(req, ids)
      .map((chunk) => chunk.choices[0]?.delta.content ?? '')
      .join('');
    expect(text).toBe(echoChatCompletion(req, ids).choices[0]?.message.content);
  });

  it('cuts a prefix of role and content chunks for stall/cut behaviours', () => {
    const chunks = echoStreamChunks(request(messages, { stream_options: { include_usage: true } }), ids);
    expect(echoStreamPrefix(chunks, 0)).toEqual(chunks.slice(0, 1));
    expect(echoStreamPrefix(chunks, 2)).toEqual(chunks.slice(0, 3));
    expect(echoStreamPrefix(chunks, 4)).toEqual(chunks.slice(0, 5));
    expect(echoStreamPrefix(chunks, 100)).toEqual(chunks.slice(0, 5));
  });
});

describe('embeddings', () => {
  const length = (v: number[]) => Math.hypot(...v);

  it('is deterministic, unit length and of the asked dimension', () => {
    const a = echoEmbedding('hello', 64);
    expect(a).toHaveLength(64);
    expect(echoEmbedding('hello', 64)).toEqual(a);
    expect(length(a)).toBeCloseTo(1, 12);
    expect(echoEmbedding('hellp', 64)).not.toEqual(a);
    expect(echoEmbedding('', 8)).toHaveLength(8);
    expect(length(echoEmbedding('', 8))).toBeCloseTo(1, 12);
    expect(echoEmbedding('x', 0)).toEqual([]);
  });

  it('differs for different texts', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), (x, y) => {
        fc.pre(x !== y);
        expect(echoEmbedding(x, 4)).not.toEqual(echoEmbedding(y, 4));
      }),
      { numRuns: 500 },
    );
  });

  it('embeds strings, string arrays and token arrays', () => {
    const one = echoEmbeddings({ model: 'e', input: 'abcdefgh' }, 16, 'echo-embed');
    expect(one).toEqual({
      object: 'list',
      data: [{ object: 'embedding', index: 0, embedding: echoEmbedding('abcdefgh', 16) }],
      model: 'echo-embed',
      usage: { prompt_tokens: 2, total_tokens: 2 },
    });
    const many = echoEmbeddings({ model: 'e', input: ['a', 'b'] }, 4, 'm');
    expect(many.data.map((d) => d.index)).toEqual([0, 1]);
    expect(many.data[1]?.embedding).toEqual(echoEmbedding('b', 4));
    const tokens = echoEmbeddings({ model: 'e', input: [1, 22, 333] }, 4, 'm');
    expect(tokens.data).toEqual([{ object: 'embedding', index: 0, embedding: echoEmbedding('1 22 333', 4) }]);
    expect(tokens.usage).toEqual({ prompt_tokens: 3, total_tokens: 3 });
    const tokenLists = echoEmbeddings({ model: 'e', input: [[1], [2, 3]] }, 4, 'm');
    expect(tokenLists.data.map((d) => d.embedding)).toEqual([echoEmbedding('1', 4), echoEmbedding('2 3', 4)]);
    expect(tokenLists.usage.prompt_tokens).toBe(3);
  });

  it('truncates and re-normalises to `dimensions`', () => {
    const full = echoEmbedding('text', 32);
    const short = echoEmbeddings({ model: 'e', input: 'text', dimensions: 8 }, 32, 'm').data[0]
      ?.embedding as number[];
    expect(short).toHaveLength(8);
    expect(length(short)).toBeCloseTo(1, 12);
    const scale = length(full.slice(0, 8));
    short.forEach((value, i) => {
      expect(value * scale).toBeCloseTo(full[i] ?? Number.NaN, 12);
    });
    for (const dimensions of [32, 64, 0, -1, 2.5]) {
      const out = echoEmbeddings({ model: 'e', input: 'text', dimensions }, 32, 'm');
      expect(out.data[0]?.embedding).toEqual(full);
    }
  });

  it('answers base64 as little-endian float32, as the openai SDK expects by default', () => {
    const out = echoEmbeddings({ model: 'e', input: 'text', encoding_format: 'base64' }, 5, 'm');
    const encoded = out.data[0]?.embedding as string;
    const bytes = Uint8Array.from(atob(encoded), (c) => c.charCodeAt(0));
    const floats = Array.from(new Float32Array(bytes.buffer));
    expect(floats).toEqual(echoEmbedding('text', 5).map(Math.fround));
    expect(float32Base64([])).toBe('');
    for (const n of [1, 2, 3, 4]) {
      const values = Array.from({ length: n }, (_, i) => i + 0.5);
      const decoded = Uint8Array.from(atob(float32Base64(values)), (c) => c.charCodeAt(0));
      expect(Array.from(new Float32Array(decoded.buffer))).toEqual(values);
    }
  });
});
