import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runAdapterConformance, runStream, sseEvents } from '../../../../test/support/adapter-conformance.js';
import type { AdapterTarget, ResponseContext } from '../adapter.js';
import { geminiAdapter } from './index.js';
import { decodeToolCallId, encodeToolCallId } from './parse-response.js';

const target: AdapterTarget = {
  providerId: 'gemini-test',
  upstreamModel: 'gemini-2.5-flash',
  region: null,
  basePath: '/v1beta',
  settings: {},
  capabilities: { streaming: true, tools: true, vision: true, jsonMode: true },
  dimension: null,
};

describe('gemini adapter conformance', () => {
  runAdapterConformance(geminiAdapter, { fixturesDir: dirname(fileURLToPath(import.meta.url)), target });
});

const context: ResponseContext = {
  requestedModel: 'gemini-flash',
  responseId: 'chatcmpl-unit',
  created: 1,
  includeUsage: false,
  target,
};

describe('tool call ids', () => {
  it('round-trips a thought signature through the id', () => {
    const id = encodeToolCallId({ name: 'f' }, 3, 'c2ln+/=');
    expect(id).toBe('call_3__thought__c2ln+/=');
    expect(decodeToolCallId(id)).toEqual({ id: 'call_3', signature: 'c2ln+/=' });
  });

  it("prefers the call's own id and leaves ids without a signature alone", () => {
    expect(encodeToolCallId({ id: 'abc', name: 'f' }, 0, undefined)).toBe('abc');
    expect(decodeToolCallId('call_x')).toEqual({ id: 'call_x', signature: undefined });
  });
});

describe('request building', () => {
  const build = (request: Record<string, unknown>) =>
    geminiAdapter.buildChat({
      request: { model: 'm', messages: [{ role: 'user', content: 'hi' }], ...request } as never,
      bodyText: '',
      target,
    });

  it('refuses an unknown reasoning effort', () => {
    const result = build({ reasoning_effort: 'extreme' });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error.param).toBe('reasoning_effort');
  });

  it('refuses tool call arguments that are not a JSON object', () => {
    const result = build({
      messages: [
        { role: 'user', content: 'hi' },
        {
          role: 'assistant',
          tool_calls: [{ id: 'a', type: 'function', function: { name: 'f', arguments: '[1]' } }],
        },
      ],
    });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error.code).toBe('invalid_request');
  });

  it('refuses non-function tools', () => {
    const result = build({ tools: [{ type: 'web_search' }] });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error).toMatchObject({ code: 'unsupported_parameter', param: 'tools[0]' });
  });

  it('sends a lone system prompt as the user turn, since Gemini needs contents', () => {
    const result = build({ messages: [{ role: 'system', content: 'Tell a joke' }] });
    expect(result.ok && JSON.parse(result.request.body)).toEqual({
      contents: [{ role: 'user', parts: [{ text: 'Tell a joke' }] }],
    });
  });

  it('merges consecutive user turns and skips empty assistant messages', () => {
    const result = build({
      messages: [
        { role: 'user', content: 'a' },
        { role: 'assistant', content: '' },
        { role: 'user', content: 'b' },
      ],
    });
    expect(result.ok).toBe(true);
    if (result.ok) {
      expect(JSON.parse(result.request.body).contents).toEqual([
        { role: 'user', parts: [{ text: 'a' }, { text: 'b' }] },
      ]);
    }
  });
});

describe('answers', () => {
  it('reports a body that is not JSON as a bad response', () => {
    const result = geminiAdapter.parseChat?.('<html>', context);
    expect(result?.ok).toBe(false);
    if (result && !result.ok) expect(result.error.code).toBe('upstream_bad_response');
  });

  it('reports an answer without candidates or block reason as a bad response', () => {
    const result = geminiAdapter.parseChat?.('{"usageMetadata":{"promptTokenCount":1}}', context);
    expect(result?.ok).toBe(false);
  });

  it('ignores events after the stream is complete and events that are empty', () => {
    const mapper = geminiAdapter.createStreamMapper?.(context);
    if (!mapper) throw new Error('no mapper');
    const events = sseEvents(
      'data: {"candidates":[{"content":{"parts":[{"text":"a"}]},"finishReason":"STOP"}]}\n\n' +
        'data: {"candidates":[{"content":{"parts":[{"text":"late"}]}}]}\n\n',
    );
    const outcome = runStream(mapper, events);
    expect(outcome.end).toBe('done');
    expect(mapper.push({ kind: 'sse', event: undefined, data: '' }).chunks).toEqual([]);
    expect(mapper.push(events[1]!).chunks).toEqual([]);
  });

  it('reads non-JSON error bodies as having no message', () => {
    expect(geminiAdapter.readError(502, 'Bad Gateway')).toEqual({
      message: undefined,
      providerCode: undefined,
    });
  });
});
