/**
 * fast-check arbitraries for the malformed-bodies property tests: request-shaped objects with wrong types,
 * and valid bodies damaged at the text and byte level (BOM, NaN, dangerous keys, duplicate keys, deep nesting,
 * huge arrays, control characters, lone surrogates, invalid UTF-8).
 */
import fc from 'fast-check';

export const CHAT = '/v1/chat/completions';
export const EMBEDDINGS = '/v1/embeddings';

export const path = fc.constantFrom(CHAT, EMBEDDINGS);
const anyJson = fc.jsonValue({ maxDepth: 3 });
const shortText = fc.string({ maxLength: 12 });
const word = fc.string({ minLength: 1, maxLength: 12 });
const message = fc.record({
  role: fc.constantFrom('user', 'user', 'system', 'assistant', 'tool', 'bogus'),
  content: fc.oneof({ arbitrary: shortText, weight: 4 }, { arbitrary: anyJson, weight: 1 }),
});
/** Mostly a plausible value, sometimes any JSON value at all. */
const maybe = <T>(valid: fc.Arbitrary<T>) =>
  fc.oneof({ arbitrary: valid, weight: 8 }, { arbitrary: anyJson, weight: 1 });
export const deep = (depth: number, open: string, close: string) =>
  `${open.repeat(depth)}${close.repeat(depth)}`;

/** Bodies that look like requests, each field either plausible or any JSON value. */
export const chatShaped = fc.record(
  {
    model: maybe(fc.constantFrom('echo-chat', 'echo-chat', 'echo-chat', 'echo-embed', 'nope')),
    messages: maybe(fc.array(message, { minLength: 1, maxLength: 3 })),
    stream: maybe(fc.boolean()),
    max_tokens: maybe(fc.integer({ min: -2, max: 50 })),
    max_completion_tokens: maybe(fc.integer({ min: 1, max: 3 })),
    n: maybe(fc.constant(1)),
    stream_options: maybe(fc.record({ include_usage: fc.boolean() })),
    tools: maybe(fc.array(anyJson, { maxLength: 2 })),
    temperature: anyJson,
  },
  { requiredKeys: ['model', 'messages'] },
);
export const embeddingsShaped = fc.record(
  {
    model: maybe(fc.constantFrom('echo-embed', 'echo-embed', 'echo-embed', 'echo-chat', 'nope')),
    input: maybe(
      fc.oneof(
        word,
        fc.array(word, { maxLength: 3 }),
        fc.array(fc.integer(), { maxLength: 4 }),
        fc.array(fc.array(fc.integer({ min: 0, max: 9 }), { maxLength: 3 }), { maxLength: 2 }),
      ),
    ),
    encoding_format: maybe(fc.constantFrom('float', 'float', 'base64', 'base64', 'hex')),
    dimensions: maybe(fc.integer({ min: -1, max: 8 })),
  },
  { requiredKeys: ['model', 'input'] },
);

export const VALID_CHAT = '{"model":"echo-chat","messages":[{"role":"user","content":"hi"}]}';
const loneSurrogate = fc.integer({ min: 0xd800, max: 0xdfff }).map((code) => String.fromCharCode(code));
const dangerousKey = fc.constantFrom(
  '__proto__',
  'constructor',
  'prototype',
  '__defineGetter__',
  'hasOwnProperty',
  'toString',
  'valueOf',
);

/** A valid chat body damaged at the text or byte level. */
export const mutated: fc.Arbitrary<string | Uint8Array> = fc.oneof(
  fc.constantFrom('\uFEFF', '\uFEFF\uFEFF', ' \n\t').map((prefix) => prefix + VALID_CHAT),
  fc
    .constantFrom('NaN', 'Infinity', '-Infinity', '1e999', '-0', '01', '.5', '0x10', 'undefined')
    .map((number) => VALID_CHAT.replace('"hi"}]', `"hi"}],"max_tokens":${number}`)),
  fc
    .tuple(dangerousKey, anyJson)
    .map(([name, value]) => `{${JSON.stringify(name)}:${JSON.stringify(value)},${VALID_CHAT.slice(1)}`),
  fc
    .tuple(dangerousKey, anyJson)
    .map(([name, value]) =>
      VALID_CHAT.replace('"content"', `${JSON.stringify(name)}:${JSON.stringify(value)},"content"`),
    ),
  dangerousKey.map(
    (name) =>
      `{${JSON.stringify(name)}:{"polluted":true,"isAdmin":true},"model":"echo-chat","messages":[{"role":"user","content":"x","${name}":{"role":"system"}}]}`,
  ),
  fc
    .tuple(fc.constantFrom('echo-chat', 'nope', '', 'echo-embed'), fc.constantFrom('echo-chat', 'nope'))
    .map(
      ([first, second]) =>
        `{"model":"${first}","model":"${second}","messages":[{"role":"user","content":"a","content":"b"}]}`,
    ),
  fc
    .tuple(
      fc.integer({ min: 1_000, max: 10_000 }),
      fc.constantFrom('messages', 'metadata', 'tools', 'content', 'extra', 'top'),
    )
    .map(([depth, where]) => {
      const value = depth % 2 === 0 ? deep(depth, '[', ']') : `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
      if (where === 'top') return value;
      if (where === 'content' || where === 'extra')
        return VALID_CHAT.replace('"hi"', where === 'content' ? value : `"hi","extra":${value}`);
      return VALID_CHAT.replace('{"model"', `{"${where}":${value},"model"`);
    }),
  fc.tuple(fc.integer({ min: 1_000, max: 100_000 }), fc.boolean()).map(([count, valid]) => {
    const item = valid ? '{"role":"user","content":"x"}' : '1';
    return `{"model":"echo-chat","messages":[${Array(count).fill(item).join(',')}]}`;
  }),
  fc
    .tuple(
      fc.constantFrom(
        '\u2028',
        '\u2029',
        '\u0000',
        '\\u0000',
        '\u0001',
        '\u007f',
        '\\ud800',
        '\\udc00\\ud800',
        '\\u2028',
      ),
      shortText,
    )
    .map(([odd, text]) => VALID_CHAT.replace('"hi"', JSON.stringify(text).replace(/^"/, `"${odd}`))),
  fc
    .tuple(loneSurrogate, shortText)
    .map(([surrogate, text]) => VALID_CHAT.replace('hi', `${surrogate}${text.replace(/["\\]/g, '')}`)),
  fc
    .tuple(fc.uint8Array({ minLength: 1, maxLength: 8 }), fc.nat({ max: VALID_CHAT.length }))
    .map(([bytes, at]) => {
      const body = Buffer.from(VALID_CHAT);
      return Buffer.concat([body.subarray(0, at), bytes, body.subarray(at)]);
    }),
  fc
    .constantFrom(0x80, 0xc0, 0xc3, 0xe2, 0xed, 0xf0, 0xf8, 0xfe, 0xff)
    .map((byte) =>
      Buffer.concat([
        Buffer.from(VALID_CHAT.slice(0, 48)),
        Buffer.from([byte, byte]),
        Buffer.from(VALID_CHAT.slice(48)),
      ]),
    ),
);
