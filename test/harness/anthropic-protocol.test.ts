import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ResponseContext, UpstreamEvent } from '../../src/core/providers/adapter.js';
import {
  createAnthropicStreamMapper,
  parseAnthropicChat,
  readAnthropicError,
} from '../../src/core/providers/anthropic/index.js';
import { SseParser } from '../../src/core/sse/sse-parser.js';
import { runStream } from '../support/adapter-conformance.js';
import {
  anthropicErrorReply,
  anthropicEvents,
  anthropicMessage,
  anthropicRoute,
  anthropicSseReply,
  anthropicSseTextReply,
  anthropicStreamEvents,
  formatAnthropicEvent,
} from './anthropic-protocol.js';
import { type FakeUpstream, startFakeUpstream } from './fake-upstream.js';
import { agent, fetchText } from './fake-upstream-test-client.js';

const API_KEY = 'sk-ant-test-key';
const headers = { 'x-api-key': API_KEY, 'anthropic-version': '2023-06-01' };

let upstream: FakeUpstream;

beforeEach(async () => {
  upstream = await startFakeUpstream();
  upstream.on(anthropicRoute({ apiKey: API_KEY }));
});
afterEach(async () => {
  await upstream.close();
});
afterAll(async () => {
  await agent.destroy();
});

const context: ResponseContext = {
  requestedModel: 'claude-smart',
  responseId: 'chatcmpl-harness',
  created: 1,
  includeUsage: true,
  target: {
    providerId: 'anthropic-test',
    upstreamModel: 'claude-sonnet-4-5',
    region: null,
    basePath: '/v1',
    settings: {},
    capabilities: { streaming: true, tools: true, vision: true, jsonMode: true },
    dimension: null,
  },
};

/** Parses an SSE body with the project's parser, one byte at a time (the harshest split). */
function parseSse(text: string): UpstreamEvent[] {
  const parser = new SseParser();
  const bytes = new TextEncoder().encode(text);
  const events: UpstreamEvent[] = [];
  for (let offset = 0; offset < bytes.length; offset++) {
    for (const event of parser.push(bytes.subarray(offset, offset + 1))) {
      events.push({ kind: 'sse', event: event.event, data: event.data });
    }
  }
  expect(parser.end().pendingPartial).toBe(false);
  return events;
}

const body = (extra: Record<string, unknown> = {}) => ({
  model: 'claude-sonnet-4-5',
  max_tokens: 256,
  messages: [{ role: 'user', content: 'hello big world' }],
  ...extra,
});

describe('frames', () => {
  it('writes every event type as event + data frames the SSE parser reads back', () => {
    const events = [
      anthropicEvents.messageStart({ usage: { input_tokens: 3, output_tokens: 1 } }),
      anthropicEvents.contentBlockStart(0, { type: 'thinking', thinking: '' }),
      anthropicEvents.thinkingDelta(0, 'hmm ✓'),
      anthropicEvents.signatureDelta(0, 'sig'),
      anthropicEvents.contentBlockStop(0),
      anthropicEvents.ping(),
      anthropicEvents.contentBlockStart(1, { type: 'tool_use', id: 'toolu_1', name: 'f', input: {} }),
      anthropicEvents.inputJsonDelta(1, '{"a":'),
      anthropicEvents.inputJsonDelta(1, '1}'),
      anthropicEvents.contentBlockStop(1),
      anthropicEvents.contentBlockStart(2, { type: 'text', text: '' }),
      anthropicEvents.textDelta(2, 'line one\nline two'),
      anthropicEvents.contentBlockStop(2),
      anthropicEvents.messageDelta('tool_use', { output_tokens: 9 }),
      anthropicEvents.messageStop(),
      anthropicEvents.error('overloaded_error', 'Overloaded'),
    ];
    const text = events.map(formatAnthropicEvent).join('');
    expect(text.startsWith('event: message_start\ndata: {"type":"message_start"')).toBe(true);
    const parsed = parseSse(text);
    expect(parsed).toEqual(
      events.map((event) => ({ kind: 'sse', event: event.event, data: JSON.stringify(event.data) })),
    );
    for (const event of parsed) {
      if (event.kind === 'sse') expect(JSON.parse(event.data).type).toBe(event.event);
    }
  });

  it('streams a message that the adapter maps back to the same content', () => {
    const message = anthropicMessage({
      content: [
        { type: 'thinking', thinking: 'let me think', signature: 'sig-1' },
        { type: 'text', text: 'Two words' },
        { type: 'tool_use', id: 'toolu_9', name: 'lookup', input: { query: 'x', limit: 2 } },
      ],
      stopReason: 'tool_use',
      usage: { input_tokens: 7, output_tokens: 20 },
    });
    const outcome = runStream(
      createAnthropicStreamMapper(context),
      parseSse(anthropicStreamEvents(message).map(formatAnthropicEvent).join('')),
    );
    expect(outcome.end).toBe('done');
    const deltas = outcome.chunks.flatMap((chunk) => chunk.choices.map((choice) => choice.delta));
    expect(deltas.map((delta) => delta.content ?? '').join('')).toBe('Two words');
    expect(deltas.map((delta) => delta.reasoning_content ?? '').join('')).toBe('let me think');
    expect(deltas.flatMap((delta) => delta.thinking_blocks ?? [])).toEqual([
      { type: 'thinking', thinking: 'let me think', signature: 'sig-1' },
    ]);
    const args = deltas
      .flatMap((delta) => delta.tool_calls ?? [])
      .map((call) => call.function?.arguments ?? '');
    expect(JSON.parse(args.join(''))).toEqual({ query: 'x', limit: 2 });
    expect(outcome.usage).toEqual({ prompt_tokens: 7, completion_tokens: 20, total_tokens: 27 });
  });
});

describe('default handler', () => {
  it('answers a JSON request from its body', async () => {
    const response = await fetchText(upstream, '/v1/messages', { body: body(), headers });
    expect(response.status).toBe(200);
    const parsed = parseAnthropicChat(response.text, context);
    expect(parsed.ok && parsed.body.choices[0]?.message.content).toBe('fake:hello big world');
    expect(parsed.ok && parsed.usage).toEqual({ prompt_tokens: 3, completion_tokens: 3, total_tokens: 6 });
  });

  it('checks the key and the version header, answering in Anthropic error shape', async () => {
    const wrongKey = await fetchText(upstream, '/v1/messages', {
      body: body(),
      headers: { ...headers, 'x-api-key': 'nope' },
    });
    expect(wrongKey.status).toBe(401);
    expect(readAnthropicError(401, wrongKey.text)).toEqual({
      message: 'invalid x-api-key',
      providerCode: 'authentication_error',
    });
    const noVersion = await fetchText(upstream, '/v1/messages', {
      body: body(),
      headers: { 'x-api-key': API_KEY },
    });
    expect(noVersion.status).toBe(400);
    expect(readAnthropicError(400, noVersion.text).message).toBe('anthropic-version: header is required');
    const noMax = await fetchText(upstream, '/v1/messages', {
      body: body({ max_tokens: undefined }),
      headers,
    });
    expect(noMax.status).toBe(400);
  });

  it('answers with a tool_use block when tool_choice forces one', async () => {
    const tools = [
      {
        name: 'get_weather',
        input_schema: {
          type: 'object',
          properties: { city: { type: 'string' }, unit: { type: 'string', enum: ['celsius', 'fahrenheit'] } },
          required: ['city', 'unit'],
        },
      },
    ];
    const response = await fetchText(upstream, '/v1/messages', {
      body: body({ tools, tool_choice: { type: 'tool', name: 'get_weather' } }),
      headers,
    });
    const parsed = parseAnthropicChat(response.text, context);
    expect(parsed.ok && parsed.body.choices[0]).toMatchObject({
      finish_reason: 'tool_calls',
      message: {
        tool_calls: [{ function: { name: 'get_weather', arguments: '{"city":"fake","unit":"celsius"}' } }],
      },
    });
    const auto = await fetchText(upstream, '/v1/messages', { body: body({ tools }), headers });
    expect(JSON.parse(auto.text).content[0].type).toBe('text');
  });

  it('streams when asked, and stops at max_tokens like Anthropic', async () => {
    const response = await fetchText(upstream, '/v1/messages', {
      body: body({ stream: true, max_tokens: 2 }),
      headers,
    });
    expect(response.headers['content-type']).toBe('text/event-stream');
    const events = parseSse(response.text);
    expect(events.map((event) => (event.kind === 'sse' ? event.event : ''))).toContain('ping');
    const outcome = runStream(createAnthropicStreamMapper(context), events);
    expect(outcome.end).toBe('done');
    const text = outcome.chunks.map((chunk) => chunk.choices[0]?.delta.content ?? '').join('');
    expect(text).toBe('fake:hello big');
    expect(outcome.chunks.at(-2)?.choices[0]?.finish_reason).toBe('length');
  });
});

describe('scripted replies', () => {
  it('cuts a paced stream short, and reports error events', async () => {
    const events = anthropicStreamEvents(anthropicMessage({ content: 'one two three' }));
    upstream.enqueue(
      'POST',
      '/v1/messages',
      anthropicSseReply(events, { afterEvents: 4, intervalMs: 1 }),
      anthropicSseTextReply([...events.slice(0, 3), anthropicEvents.error('overloaded_error', 'Overloaded')]),
      anthropicErrorReply(529, 'overloaded_error', 'Overloaded'),
    );
    const cut = await fetchText(upstream, '/v1/messages', { body: body({ stream: true }), headers });
    expect(runStream(createAnthropicStreamMapper(context), parseSse(cut.text)).end).toBe('incomplete');
    const failed = await fetchText(upstream, '/v1/messages', { body: body({ stream: true }), headers });
    expect(runStream(createAnthropicStreamMapper(context), parseSse(failed.text))).toMatchObject({
      end: 'error',
      error: {
        code: 'upstream_error',
        message: 'anthropic failed mid-stream with overloaded_error: Overloaded',
      },
    });
    const overloaded = await fetchText(upstream, '/v1/messages', { body: body(), headers });
    expect(overloaded.status).toBe(529);
    expect(readAnthropicError(529, overloaded.text).providerCode).toBe('overloaded_error');
  });
});
