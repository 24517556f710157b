import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  editFields,
  passthroughBody,
  relayedRequest,
  serialiseBody,
  withStreamUsage,
} from './build-passthrough.js';
import { readOpenAIError } from './read-openai-error.js';

describe('passthroughBody', () => {
  it('returns the very same string when the names are equal', () => {
    const bodyText = '{"model":"gpt-4o",  "messages":[], "n": 1.0}';
    expect(passthroughBody(bodyText, 'gpt-4o', 'gpt-4o')).toBe(bodyText);
  });

  it('replaces only the top-level model value, keeping every other byte', () => {
    const bodyText =
      '{\n\t"messages": [{"role": "user", "content": "\\"model\\": \\"gpt-4o\\"", "model": "gpt-4o"}],\n' +
      '\t"model"  :  "gpt-4o",\n\t"metadata": {"model": "gpt-4o"}, "temperature": 1.50\n}';
    expect(passthroughBody(bodyText, 'gpt-4o', 'gpt-4o-2024-08-06')).toBe(
      bodyText.replace('"model"  :  "gpt-4o"', '"model"  :  "gpt-4o-2024-08-06"'),
    );
  });

  it('encodes the new name as JSON', () => {
    expect(passthroughBody('{"model":"a"}', 'a', 'team "x"/\\model')).toBe(
      '{"model":"team \\"x\\"/\\\\model"}',
    );
  });

  it('changes nothing but the model value, whatever the body', () => {
    // Prefixed keys: integer-like keys would be ordered before `model` by JavaScript objects.
    const member = fc.dictionary(
      fc.string().map((key) => `k_${key}`),
      fc.jsonValue(),
    );
    fc.assert(
      fc.property(
        member,
        fc.string(),
        fc.string(),
        fc.integer({ min: 0, max: 4 }),
        (rest, from, to, indent) => {
          const bodyText = JSON.stringify({ model: from, ...rest }, null, indent);
          const result = passthroughBody(bodyText, from, to);
          // `model` is the first member, so the first colon is its own.
          const valueStart = bodyText.indexOf(':') + 1 + (indent > 0 ? 1 : 0);
          const valueEnd = valueStart + JSON.stringify(from).length;
          const expected =
            from === to
              ? bodyText
              : bodyText.slice(0, valueStart) + JSON.stringify(to) + bodyText.slice(valueEnd);
          expect(result).toBe(expected);
          expect(JSON.parse(result)).toEqual({ ...JSON.parse(bodyText), model: to });
        },
      ),
    );
  });
});

describe('editFields', () => {
  const plan = {
    label: 'acme',
    renamed: { max_completion_tokens: 'max_tokens', seed: 'random_seed' },
    ignored: ['stream_options'],
    unsupported: ['user'],
  };

  it('reports no change when no field is concerned', () => {
    expect(editFields({ model: 'm', messages: [], temperature: 1 }, plan)).toEqual({
      fields: undefined,
      warnings: [],
    });
  });

  it('renames in place, drops ignored fields silently and unsupported ones with a warning', () => {
    const edit = editFields(
      {
        model: 'm',
        seed: 3,
        stream_options: { include_usage: true },
        user: 'u',
        max_completion_tokens: 9,
        n: 1,
      },
      plan,
    );
    expect(edit.warnings).toEqual(['user is not supported by acme and was ignored']);
    expect(Object.entries(edit.fields ?? {})).toEqual([
      ['model', 'm'],
      ['random_seed', 3],
      ['max_tokens', 9],
      ['n', 1],
    ]);
  });

  it('keeps an explicitly set provider spelling over the renamed field', () => {
    expect(editFields({ model: 'm', max_tokens: 5, max_completion_tokens: 9 }, plan)).toEqual({
      fields: { model: 'm', max_tokens: 5 },
      warnings: ['max_completion_tokens was ignored because max_tokens is also set'],
    });
    expect(editFields({ model: 'm', max_completion_tokens: 9, max_tokens: null }, plan)).toEqual({
      fields: { model: 'm', max_tokens: 9 },
      warnings: [],
    });
  });

  it('drops null values without a warning, and everything outside an accepted list', () => {
    expect(editFields({ model: 'm', user: null }, plan)).toEqual({ fields: { model: 'm' }, warnings: [] });
    expect(editFields({ model: 'm', a: 1, b: 2 }, { label: 'acme', accepted: new Set(['a']) })).toEqual({
      fields: { model: 'm', a: 1 },
      warnings: ['b is not supported by acme and was ignored'],
    });
  });
});

describe('serialiseBody and relayedRequest', () => {
  it('uses the client bytes when nothing changed, and the edited fields otherwise', () => {
    const bodyText = '{"model":"a", "x":1}';
    expect(serialiseBody(bodyText, 'a', undefined, 'b')).toBe('{"model":"b", "x":1}');
    expect(serialiseBody(bodyText, 'a', undefined, undefined)).toBe(bodyText);
    expect(serialiseBody(bodyText, 'a', { x: 1, model: 'a' }, 'b')).toBe('{"x":1,"model":"b"}');
  });

  it('asks for an event stream only when streaming', () => {
    expect(relayedRequest('/p', '{}', true, [])).toMatchObject({
      request: {
        headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
        framing: 'openai',
      },
    });
    expect(relayedRequest('/p', '{}', false, [])).toMatchObject({
      request: { headers: { 'content-type': 'application/json' } },
    });
  });
});

describe('withStreamUsage', () => {
  const streamed = (extra: string) =>
    `{"model":"m", "messages":[{"role":"user","content":"\\"stream_options\\""}],"stream":true${extra}}`;
  const build = (bodyText: string) => withStreamUsage(bodyText, JSON.parse(bodyText));

  it('leaves a body that already asks for usage, or that does not stream, byte for byte', () => {
    for (const body of [
      streamed(',"stream_options":{"include_usage":true}'),
      streamed(', "stream_options" : { "include_usage" : true, "x": 1 }'),
      '{"model":"m","messages":[],"stream":false}',
      '{"model":"m","messages":[]}',
    ]) {
      expect(build(body)).toBe(body);
    }
  });

  it('adds stream_options when the client sent none, touching nothing else', () => {
    const body = streamed('');
    expect(build(body)).toBe(`{"stream_options":{"include_usage":true},${body.slice(1)}`);
  });

  it('sets include_usage in the client stream_options, keeping its other options', () => {
    expect(build(streamed(',"stream_options":{"include_usage":false,"include_obfuscation":false}'))).toBe(
      streamed(',"stream_options":{"include_usage":true,"include_obfuscation":false}'),
    );
    expect(build(streamed(',"stream_options":null'))).toBe(
      streamed(',"stream_options":{"include_usage":true}'),
    );
    expect(build(streamed(',"stream_options":{}'))).toBe(
      streamed(',"stream_options":{"include_usage":true}'),
    );
  });
});

describe('readOpenAIError', () => {
  it.each([
    [
      'OpenAI',
      {
        error: { message: 'Bad tools', type: 'invalid_request_error', param: 'tools', code: 'invalid_value' },
      },
      'Bad tools',
      'invalid_value',
    ],
    [
      'OpenAI without a code',
      { error: { message: 'Oops', type: 'server_error', code: null } },
      'Oops',
      'server_error',
    ],
    ['Azure numeric code', { error: { code: '429', message: 'Slow down' } }, 'Slow down', '429'],
    [
      'Mistral top level',
      { object: 'error', message: 'Bad', type: 'invalid_model', code: '1500' },
      'Bad',
      'invalid_model',
    ],
    [
      'Mistral serialised detail',
      {
        object: 'error',
        message: '{"detail":[{"loc":["body","x"],"msg":"Extra inputs are not permitted"}]}',
      },
      'body.x: Extra inputs are not permitted',
      undefined,
    ],
    [
      'vLLM',
      { object: 'error', message: 'Too long', type: 'BadRequestError', code: 400 },
      'Too long',
      'BadRequestError',
    ],
    ['Ollama', { error: 'model not found' }, 'model not found', undefined],
    [
      'TGI',
      { error: 'Input validation error', error_type: 'validation' },
      'Input validation error',
      'validation',
    ],
    ['FastAPI detail', { detail: 'Not Found' }, 'Not Found', undefined],
    [
      'FastAPI validation',
      { detail: [{ loc: ['body', 'messages'], msg: 'Field required' }, { msg: 'Second' }] },
      'body.messages: Field required; Second',
      undefined,
    ],
    ['nested detail', { error: { detail: 'Gone' } }, 'Gone', undefined],
  ])('%s', (_name, body, message, providerCode) => {
    expect(readOpenAIError(JSON.stringify(body))).toEqual({ message, providerCode });
  });

  it('adds Azure inner codes and the content filter categories that fired', () => {
    const body = {
      error: {
        message: 'Filtered',
        code: 'content_filter',
        innererror: {
          code: 'ResponsibleAIPolicyViolation',
          content_filter_result: { hate: { filtered: true, severity: 'high' }, sexual: { filtered: false } },
        },
      },
    };
    expect(readOpenAIError(JSON.stringify(body))).toEqual({
      message: 'Filtered',
      providerCode: 'content_filter:ResponsibleAIPolicyViolation:hate',
    });
  });

  it.each([
    '<html><body><h1>502 Bad Gateway</h1></body></html>',
    'upstream connect error or disconnect/reset before headers',
    '',
    '"just a string"',
    '[1,2]',
    '{"unrelated":true}',
    '{"error":{}}',
  ])('yields no message for %j', (text) => {
    expect(readOpenAIError(text).message).toBeUndefined();
  });
});
