import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  runAdapterConformance,
  runStream,
  sseEvents,
  TEST_CREATED,
  TEST_RESPONSE_ID,
} from '../../../../test/support/adapter-conformance.js';
import type { ChatCompletionRequest } from '../../wire/openai.js';
import type { AdapterTarget, ResponseContext, UpstreamEvent } from '../adapter.js';
import { anthropicAdapter } from './index.js';

const target: AdapterTarget = {
  providerId: 'anthropic-test',
  upstreamModel: 'claude-sonnet-4-5',
  region: null,
  basePath: '/v1',
  settings: {},
  capabilities: { streaming: true, tools: true, vision: true, jsonMode: true },
  dimension: null,
};

describe('anthropic adapter conformance', () => {
  runAdapterConformance(anthropicAdapter, { fixturesDir: dirname(fileURLToPath(import.meta.url)), target });
});

function build(request: Partial<ChatCompletionRequest>) {
  const full = {
    model: 'claude-smart',
    messages: [{ role: 'user', content: 'Hi' }],
    ...request,
  } as ChatCompletionRequest;
  return anthropicAdapter.buildChat({ request: full, bodyText: JSON.stringify(full), target });
}

function sentBody(request: Partial<ChatCompletionRequest>): Record<string, unknown> {
  const result = build(request);
  if (!result.ok) throw new Error(result.error.message);
  return JSON.parse(result.request.body) as Record<string, unknown>;
}

const context = (includeUsage = false): ResponseContext => ({
  requestedModel: 'claude-smart',
  responseId: TEST_RESPONSE_ID,
  created: TEST_CREATED,
  includeUsage,
  target,
});

const sse = (type: string, data: Record<string, unknown>): UpstreamEvent => ({
  kind: 'sse',
  event: type,
  data: JSON.stringify({ type, ...data }),
});

describe('request details', () => {
  it('refuses image URLs that are neither https nor base64 data, naming the part', () => {
    const result = build({
      messages: [
        { role: 'user', content: [{ type: 'image_url', image_url: { url: 'ftp://host/cat.png' } }] },
      ],
    });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.code).toBe('unsupported_parameter');
    expect(result.error.param).toBe('messages[0].content[0]');
  });

  it('refuses tool arguments that are JSON but not an object', () => {
    const result = build({
      messages: [
        { role: 'user', content: 'Hi' },
        {
          role: 'assistant',
          tool_calls: [{ id: 't1', type: 'function', function: { name: 'f', arguments: '[1,2]' } }],
        },
      ],
    });
    expect(result.ok ? undefined : result.error.param).toBe('messages[1].tool_calls[0].function.arguments');
  });

  it('sends a no-argument tool call with an empty input object', () => {
    const body = sentBody({
      messages: [
        { role: 'user', content: 'Hi' },
        {
          role: 'assistant',
          tool_calls: [{ id: 't1', type: 'function', function: { name: 'f', arguments: '' } }],
        },
        { role: 'tool', tool_call_id: 't1', content: 'done' },
      ],
    });
    expect(body.messages).toEqual([
      { role: 'user', content: 'Hi' },
      { role: 'assistant', content: [{ type: 'tool_use', id: 't1', name: 'f', input: {} }] },
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: 't1', content: 'done' }] },
    ]);
  });

  it('keeps cache_control on user parts and sends system blocks when one carries it', () => {
    const body = sentBody({
      messages: [
        { role: 'system', content: 'Plain system.' },
        {
          role: 'user',
          content: [{ type: 'text', text: 'Long document', cache_control: { type: 'ephemeral', ttl: '1h' } }],
        },
      ],
    });
    expect(body.system).toBe('Plain system.');
    expect(body.messages).toEqual([
      {
        role: 'user',
        content: [{ type: 'text', text: 'Long document', cache_control: { type: 'ephemeral', ttl: '1h' } }],
      },
    ]);
  });

  it('refuses required or named tool_choice without tools, and drops auto', () => {
    expect(build({ tool_choice: 'required' }).ok).toBe(false);
    expect(sentBody({ tool_choice: 'auto' }).tool_choice).toBeUndefined();
  });

  it('puts disable_parallel_tool_use on an implicit auto choice', () => {
    const body = sentBody({
      tools: [{ type: 'function', function: { name: 'f' } }],
      parallel_tool_calls: false,
    });
    expect(body.tool_choice).toEqual({ type: 'auto', disable_parallel_tool_use: true });
    expect(body.tools).toEqual([{ name: 'f', input_schema: { type: 'object', properties: {} } }]);
  });

  it('refuses non-function tools and legacy functions', () => {
    expect(build({ tools: [{ type: 'web_search' }] }).ok).toBe(false);
    expect(build({ functions: [{ name: 'f' }] }).ok).toBe(false);
  });

  it('passes a thinking object through and reserves room above its budget', () => {
    const body = sentBody({ thinking: { type: 'enabled', budget_tokens: 3000 }, reasoning_effort: 'high' });
    expect(body.thinking).toEqual({ type: 'enabled', budget_tokens: 3000 });
    expect(body.max_tokens).toBe(3000 + 4096);
    expect(
      build({ thinking: { type: 'enabled', budget_tokens: 3000 }, reasoning_effort: 'high' }),
    ).toMatchObject({
      warnings: ['reasoning_effort was ignored because thinking was given'],
    });
  });

  it('keeps a top_p of at least 0.95 with thinking, and drops top_k', () => {
    const result = build({ reasoning_effort: 'low', top_p: 0.97, top_k: 40 });
    expect(result.ok && JSON.parse(result.request.body)).toMatchObject({ top_p: 0.97 });
    expect(result.ok && JSON.parse(result.request.body).top_k).toBeUndefined();
    expect(result.ok && result.warnings).toEqual([
      'top_k is not supported by anthropic with thinking and was ignored',
    ]);
  });

  it('sends no thinking for reasoning_effort none', () => {
    expect(sentBody({ reasoning_effort: 'none' }).thinking).toBeUndefined();
  });
});

describe('stream details', () => {
  it('closes a tool call that streamed no input with empty-object arguments', () => {
    const mapper = anthropicAdapter.createStreamMapper!(context());
    const outcome = runStream(mapper, [
      sse('message_start', { message: { usage: { input_tokens: 5, output_tokens: 1 } } }),
      sse('content_block_start', {
        index: 0,
        content_block: { type: 'tool_use', id: 'toolu_1', name: 'now', input: {} },
      }),
      sse('content_block_delta', { index: 0, delta: { type: 'input_json_delta', partial_json: '' } }),
      sse('content_block_stop', { index: 0 }),
      sse('message_delta', { delta: { stop_reason: 'tool_use' }, usage: { output_tokens: 7 } }),
      sse('message_stop', {}),
    ]);
    expect(outcome.end).toBe('done');
    const pieces = outcome.chunks.flatMap((chunk) =>
      chunk.choices.flatMap((choice) => choice.delta.tool_calls ?? []),
    );
    expect(pieces).toEqual([
      { index: 0, id: 'toolu_1', type: 'function', function: { name: 'now', arguments: '' } },
      { index: 0, function: { arguments: '{}' } },
    ]);
    expect(outcome.chunks.at(-1)?.choices[0]?.finish_reason).toBe('tool_calls');
    expect(outcome.usage).toEqual({ prompt_tokens: 5, completion_tokens: 7, total_tokens: 12 });
  });

  it('reports a non-JSON event as a bad upstream response', () => {
    const mapper = anthropicAdapter.createStreamMapper!(context());
    const outcome = runStream(mapper, [{ kind: 'sse', event: 'message_start', data: '{not json' }]);
    expect(outcome).toMatchObject({ end: 'error', error: { code: 'upstream_bad_response' } });
  });

  it('ends with a stop finish when message_stop comes without a stop reason', () => {
    const mapper = anthropicAdapter.createStreamMapper!(context(true));
    const outcome = runStream(mapper, sseEvents('event: message_stop\ndata: {"type":"message_stop"}\n\n'));
    expect(outcome.end).toBe('done');
    expect(outcome.chunks.map((chunk) => chunk.choices[0]?.finish_reason ?? null)).toEqual([null, 'stop']);
    expect(mapper.usage()).toBeUndefined();
  });

  it('ignores events of types it does not know', () => {
    const mapper = anthropicAdapter.createStreamMapper!(context());
    expect(mapper.push(sse('future_event', { anything: true })).chunks).toEqual([]);
    expect(
      mapper.push({ kind: 'aws', messageType: 'event', eventType: 'chunk', payload: '{}' }).chunks,
    ).toEqual([]);
  });
});

describe('readError', () => {
  it('reads Anthropic, Google-shaped and non-JSON bodies', () => {
    expect(
      anthropicAdapter.readError(
        401,
        '{"type":"error","error":{"type":"authentication_error","message":"invalid x-api-key"}}',
      ),
    ).toEqual({ message: 'invalid x-api-key', providerCode: 'authentication_error' });
    expect(
      anthropicAdapter.readError(404, '{"error":{"code":404,"message":"gone","status":"NOT_FOUND"}}'),
    ).toEqual({
      message: 'gone',
      providerCode: 'NOT_FOUND',
    });
    expect(anthropicAdapter.readError(502, 'Bad Gateway')).toEqual({
      message: undefined,
      providerCode: undefined,
    });
    expect(anthropicAdapter.readError(500, '"just a string"')).toEqual({
      message: undefined,
      providerCode: undefined,
    });
  });
});
