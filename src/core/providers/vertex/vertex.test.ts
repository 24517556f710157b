import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  runAdapterConformance,
  TEST_CREATED,
  TEST_RESPONSE_ID,
} from '../../../../test/support/adapter-conformance.js';
import { GatewayError } from '../../errors/gateway-error.js';
import type { AdapterTarget, ProviderAdapter, ResponseContext } from '../adapter.js';
import { createVertexAdapter, vertexAdapter } from './index.js';

const target: AdapterTarget = {
  providerId: 'vertex-test',
  upstreamModel: 'gemini-2.5-flash',
  region: 'europe-west4',
  basePath: '',
  settings: { projectId: 'acme-prod' },
  capabilities: { streaming: true, tools: true, vision: true, jsonMode: true },
  dimension: null,
};

const sameTranslator = 'same translator as gemini, covered there';

describe('vertex adapter conformance', () => {
  runAdapterConformance(vertexAdapter, {
    fixturesDir: dirname(fileURLToPath(import.meta.url)),
    target,
    notApplicable: {
      'system-prompt': sameTranslator,
      'multi-part-image': sameTranslator,
      'tool-choice-required': sameTranslator,
      'tool-choice-none': sameTranslator,
      'tool-choice-named': sameTranslator,
      'parallel-tool-calls': sameTranslator,
      'tool-results': sameTranslator,
      'json-schema': sameTranslator,
      'finish-length': sameTranslator,
      'stream-cut': sameTranslator,
    },
  });
});

/** A stand-in for the Anthropic translator, recording which calls reach it. */
function fakeClaude(calls: string[]): ProviderAdapter {
  return {
    buildChat: (input) => {
      calls.push(`build ${input.target.upstreamModel}`);
      return {
        ok: true,
        request: { method: 'POST', path: '/claude', headers: {}, body: '{}', framing: 'sse' },
        warnings: [],
      };
    },
    parseChat: () => {
      calls.push('parse');
      return { ok: false, error: new GatewayError('upstream_bad_response', 'claude parser') };
    },
    createStreamMapper: () => {
      calls.push('stream');
      return { push: () => ({ chunks: [] }), usage: () => undefined };
    },
    readError: () => {
      calls.push('readError');
      return { message: 'overloaded', providerCode: 'overloaded_error' };
    },
  };
}

const contextFor = (upstreamModel: string): ResponseContext => ({
  requestedModel: 'm',
  responseId: TEST_RESPONSE_ID,
  created: TEST_CREATED,
  includeUsage: false,
  target: { ...target, upstreamModel },
});

describe('Claude on Vertex dispatch', () => {
  const request = { model: 'm', messages: [{ role: 'user' as const, content: 'hi' }] };

  it('hands every step of a Claude request to the Claude adapter', () => {
    const calls: string[] = [];
    const adapter = createVertexAdapter(fakeClaude(calls));
    const claudeTarget = { ...target, upstreamModel: 'claude-sonnet-4-5@20250929' };
    const build = adapter.buildChat({ request, bodyText: '', target: claudeTarget });
    expect(build.ok && build.request.path).toBe('/claude');
    const parsed = adapter.parseChat?.('{}', contextFor(claudeTarget.upstreamModel));
    expect(parsed?.ok).toBe(false);
    adapter.createStreamMapper?.(contextFor(claudeTarget.upstreamModel));
    expect(calls).toEqual(['build claude-sonnet-4-5@20250929', 'parse', 'stream']);
  });

  it('keeps Gemini requests on the Gemini translators', () => {
    const calls: string[] = [];
    const adapter = createVertexAdapter(fakeClaude(calls));
    const build = adapter.buildChat({ request, bodyText: '', target });
    expect(build.ok && build.request.path).toBe(
      '/v1/projects/acme-prod/locations/europe-west4/publishers/google/models/gemini-2.5-flash:generateContent',
    );
    const parsed = adapter.parseChat?.(
      '{"candidates":[{"content":{"parts":[{"text":"hi"}]},"finishReason":"STOP"}]}',
      contextFor('gemini-2.5-flash'),
    );
    expect(parsed?.ok).toBe(true);
    expect(calls).toEqual([]);
  });

  it("reads Google's error shape first and Anthropic's otherwise", () => {
    const calls: string[] = [];
    const adapter = createVertexAdapter(fakeClaude(calls));
    expect(
      adapter.readError(400, '{"error":{"code":400,"message":"bad","status":"INVALID_ARGUMENT"}}'),
    ).toEqual({
      message: 'bad',
      providerCode: 'INVALID_ARGUMENT',
    });
    expect(adapter.readError(529, '{"type":"error","error":{"type":"overloaded_error"}}')).toEqual({
      message: 'overloaded',
      providerCode: 'overloaded_error',
    });
  });
});
