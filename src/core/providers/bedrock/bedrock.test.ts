import { describe, expect, it } from 'vitest';
import {
  runAdapterConformance,
  runStream,
  TEST_CREATED,
  TEST_RESPONSE_ID,
} from '../../../../test/support/adapter-conformance.js';
import type { AdapterTarget, ResponseContext, UpstreamEvent } from '../adapter.js';
import { modelPath, runtimePrefix } from './build-request.js';
import { bedrockAdapter } from './index.js';

const target: AdapterTarget = {
  providerId: 'bedrock-test',
  upstreamModel: 'anthropic.claude-3-5-sonnet-20241022-v2:0',
  region: 'us-east-1',
  basePath: '/openai/v1',
  settings: {},
  capabilities: { streaming: true, tools: true, vision: true, jsonMode: true },
  dimension: null,
};

runAdapterConformance(bedrockAdapter, { fixturesDir: import.meta.dirname, target });

const context: ResponseContext = {
  requestedModel: 'claude',
  responseId: TEST_RESPONSE_ID,
  created: TEST_CREATED,
  includeUsage: true,
  target,
};

const event = (eventType: string, payload: unknown): UpstreamEvent => ({
  kind: 'aws',
  messageType: 'event',
  eventType,
  payload: typeof payload === 'string' ? payload : JSON.stringify(payload),
});

describe('paths', () => {
  it('drops the OpenAI-compatible base path for the runtime operations but keeps any other prefix', () => {
    expect(runtimePrefix('/openai/v1')).toBe('');
    expect(runtimePrefix('')).toBe('');
    expect(runtimePrefix('/proxy')).toBe('/proxy');
    expect(runtimePrefix('/proxy/openai/v1')).toBe('/proxy');
  });

  it('encodes a model id as one path segment, as the AWS SDK does', () => {
    expect(modelPath('', 'amazon.titan-embed-text-v2:0', 'invoke')).toBe(
      '/model/amazon.titan-embed-text-v2%3A0/invoke',
    );
    expect(modelPath('/openai/v1', "arn:aws:bedrock:us-east-1:1:inference-profile/x(y)!'*", 'converse')).toBe(
      '/model/arn%3Aaws%3Abedrock%3Aus-east-1%3A1%3Ainference-profile%2Fx%28y%29%21%27%2A/converse',
    );
  });
});

describe('parseChat', () => {
  it('reports a body that is not JSON, or has no message, as upstream_bad_response', () => {
    for (const text of ['<html>oops</html>', '[]', '{"output":{}}']) {
      const result = bedrockAdapter.parseChat!(text, context);
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.error.code).toBe('upstream_bad_response');
    }
  });
});

describe('parseEmbeddings', () => {
  it('reports a body without a vector as upstream_bad_response', () => {
    const result = bedrockAdapter.parseEmbeddings!('{"message":"nope"}', {
      ...context,
      target: { ...target, upstreamModel: 'amazon.titan-embed-text-v2:0' },
    });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error.code).toBe('upstream_bad_response');
  });
});

describe('stream mapper', () => {
  it('refuses metadata that arrives without a messageStop', () => {
    const outcome = runStream(bedrockAdapter.createStreamMapper!(context), [
      event('messageStart', { role: 'assistant' }),
      event('metadata', { usage: { inputTokens: 1, outputTokens: 1, totalTokens: 2 } }),
    ]);
    expect(outcome.end).toBe('error');
    expect(outcome.error?.code).toBe('upstream_bad_response');
  });

  it('refuses an unreadable payload and tool input for a block that never started', () => {
    expect(
      runStream(bedrockAdapter.createStreamMapper!(context), [event('contentBlockDelta', '{')]).error?.code,
    ).toBe('upstream_bad_response');
    const orphan = runStream(bedrockAdapter.createStreamMapper!(context), [
      event('messageStart', { role: 'assistant' }),
      event('contentBlockDelta', { contentBlockIndex: 3, delta: { toolUse: { input: '{}' } } }),
    ]);
    expect(orphan.error?.code).toBe('upstream_bad_response');
  });

  it('skips event types it does not know and reports a done stream without a usage chunk when not asked', () => {
    const outcome = runStream(bedrockAdapter.createStreamMapper!({ ...context, includeUsage: false }), [
      event('messageStart', { role: 'assistant' }),
      event('someFutureEvent', { anything: true }),
      event('contentBlockDelta', { contentBlockIndex: 0, delta: { text: 'ok' } }),
      event('messageStop', { stopReason: 'stop_sequence' }),
      event('metadata', { usage: { inputTokens: 2, outputTokens: 1, totalTokens: 3 } }),
    ]);
    expect(outcome.end).toBe('done');
    expect(
      outcome.chunks.map((chunk) => chunk.choices[0]?.delta.content ?? chunk.choices[0]?.finish_reason),
    ).toEqual(['', 'ok', 'stop']);
    expect(outcome.usage).toEqual({ prompt_tokens: 2, completion_tokens: 1, total_tokens: 3 });
  });

  it('turns an error message (":message-type" error) into upstream_error', () => {
    const outcome = runStream(bedrockAdapter.createStreamMapper!(context), [
      { kind: 'aws', messageType: 'error', eventType: 'InternalFailure', payload: '{"message":"boom"}' },
    ]);
    expect(outcome.error).toEqual({
      code: 'upstream_error',
      message: 'Bedrock stream failed with InternalFailure: boom',
    });
  });
});

describe('readError', () => {
  it('ignores JSON that is not an object and reads the __type after a colon too', () => {
    expect(bedrockAdapter.readError(502, '"bad gateway"')).toEqual({
      message: undefined,
      providerCode: undefined,
    });
    expect(
      bedrockAdapter.readError(
        400,
        '{"__type":"ValidationException:http://internal.amazon.com/","message":"m"}',
      ),
    ).toEqual({ message: 'm', providerCode: 'ValidationException' });
  });

  it('takes the error type from x-amzn-errortype when the body does not name it', () => {
    const headers = {
      'x-amzn-errortype': 'ThrottlingException:http://internal.amazon.com/coral/com.amazon.bedrock/',
    };
    expect(bedrockAdapter.readError(429, '{"message":"Too many requests"}', headers)).toEqual({
      message: 'Too many requests',
      providerCode: 'ThrottlingException',
    });
    expect(bedrockAdapter.readError(503, '<html>busy</html>', headers)).toEqual({
      message: undefined,
      providerCode: 'ThrottlingException',
    });
  });
});

describe('buildChat', () => {
  const build = (request: Record<string, unknown>, overrides: Partial<AdapterTarget> = {}) =>
    bedrockAdapter.buildChat({
      request: { model: 'claude', messages: [{ role: 'user', content: 'hi' }], ...request } as never,
      bodyText: JSON.stringify(request),
      target: { ...target, ...overrides },
    });
  const body = (result: ReturnType<typeof build>) =>
    result.ok ? JSON.parse(result.request.body) : undefined;
  const refusal = (result: ReturnType<typeof build>) =>
    result.ok
      ? undefined
      : { code: result.error.code, param: result.error.param, message: result.error.message };

  it('keeps the thinking budget below max_tokens, as Claude requires', () => {
    const result = build({ reasoning_effort: 'high', max_tokens: 3000 });
    expect(body(result).additionalModelRequestFields).toEqual({
      thinking: { type: 'enabled', budget_tokens: 2999 },
    });
    expect(body(build({ reasoning_effort: 'none' })).additionalModelRequestFields).toBeUndefined();
  });

  it('warns about a thinking object for a model that is not Claude', () => {
    const result = build(
      { thinking: { type: 'enabled', budget_tokens: 1024 } },
      { upstreamModel: 'meta.llama3-70b' },
    );
    expect(result.ok && result.warnings).toEqual([
      'thinking is only translated for Anthropic Claude models on bedrock and was ignored',
    ]);
  });

  it('treats an unknown api setting as auto', () => {
    const result = build({}, { settings: { api: 'something' }, upstreamModel: 'openai.gpt-oss-20b-1:0' });
    expect(result.ok && result.request.framing).toBe('openai');
  });

  it('refuses what Converse cannot carry, naming the parameter', () => {
    const image = (url: string) => ({
      messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url } }] }],
    });
    expect(refusal(build(image('data:image/png,%89PNG')))).toMatchObject({
      param: 'messages[0].content[0]',
      message: 'Image data: URLs must be base64-encoded',
    });
    expect(refusal(build(image('data:image/bmp;base64,Qk0=')))).toMatchObject({
      code: 'unsupported_parameter',
      message: expect.stringContaining("'image/bmp'"),
    });
    expect(
      refusal(build({ messages: [{ role: 'user', content: [{ type: 'input_audio', input_audio: {} }] }] })),
    ).toMatchObject({ param: 'messages[0].content[0]' });
    expect(refusal(build({ messages: [{ role: 'tool', content: 'x' }] }))).toMatchObject({
      param: 'messages[0].tool_call_id',
    });
    expect(
      refusal(
        build({
          messages: [
            {
              role: 'assistant',
              tool_calls: [{ id: 'a', type: 'function', function: { name: 'f', arguments: '[1,2]' } }],
            },
          ],
        }),
      ),
    ).toMatchObject({ param: 'messages[0].tool_calls[0].function.arguments' });
    expect(refusal(build({ tools: [{ type: 'web_search' }] }))).toMatchObject({ param: 'tools[0]' });
  });

  it('drops empty text so Bedrock never sees a blank block, and sends empty tool arguments as {}', () => {
    const result = build({
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: '' },
            { type: 'text', text: 'hi' },
          ],
        },
        {
          role: 'assistant',
          content: '',
          tool_calls: [{ id: 'a', type: 'function', function: { name: 'f', arguments: '' } }],
        },
      ],
    });
    expect(body(result).messages).toEqual([
      { role: 'user', content: [{ text: 'hi' }] },
      { role: 'assistant', content: [{ toolUse: { toolUseId: 'a', name: 'f', input: {} } }] },
    ]);
  });
});
