import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  requiredChatScenarios,
  runAdapterConformance,
} from '../../../../test/support/adapter-conformance.js';
import type { ChatCompletionRequest } from '../../wire/openai.js';
import type { AdapterTarget } from '../adapter.js';
import { buildVertexAnthropicChat, isVertexAnthropicModel, vertexAnthropicAdapter } from './vertex.js';

const target: AdapterTarget = {
  providerId: 'vertex-test',
  upstreamModel: 'claude-sonnet-4-5@20250929',
  region: 'us-east5',
  basePath: '/v1',
  settings: { projectId: 'junction-test' },
  capabilities: { streaming: true, tools: true, vision: true, jsonMode: true },
  dimension: null,
};

const covered = new Set(['stream-text']);
const notApplicable = Object.fromEntries(
  requiredChatScenarios
    .filter((name) => !covered.has(name))
    .map((name) => [name, 'same translators as the anthropic adapter, whose suite covers it']),
);

describe('claude on vertex conformance', () => {
  runAdapterConformance(vertexAnthropicAdapter, {
    fixturesDir: join(fileURLToPath(new URL('.', import.meta.url)), 'vertex-fixtures'),
    target,
    notApplicable,
  });
});

describe('claude on vertex', () => {
  const request = { model: 'm', messages: [{ role: 'user', content: 'Hi' }] } as ChatCompletionRequest;

  it('recognises Claude models by name', () => {
    expect(isVertexAnthropicModel('claude-opus-4-1@20250805')).toBe(true);
    expect(isVertexAnthropicModel('gemini-2.5-pro')).toBe(false);
  });

  it('uses /v1 when the entry has no base path, and sends anthropic-beta when set', () => {
    const result = buildVertexAnthropicChat({
      request,
      bodyText: JSON.stringify(request),
      target: {
        ...target,
        basePath: '',
        region: 'global',
        settings: { projectId: 'p', anthropicBeta: 'b1' },
      },
    });
    expect(result.ok && result.request.path).toBe(
      '/v1/projects/p/locations/global/publishers/anthropic/models/claude-sonnet-4-5@20250929:rawPredict',
    );
    expect(result.ok && result.request.headers).toEqual({
      'content-type': 'application/json',
      'anthropic-beta': 'b1',
    });
  });
});
