import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runAdapterConformance } from '../../../../test/support/adapter-conformance.js';
import type { AdapterTarget } from '../adapter.js';
import { openaiCompatibleAdapter } from './index.js';

const target: AdapterTarget = {
  providerId: 'vllm-local',
  upstreamModel: 'meta-llama/Llama-3.1-8B-Instruct',
  region: null,
  basePath: '/v1',
  settings: {},
  capabilities: { streaming: true, tools: true, vision: false, jsonMode: true },
  dimension: null,
};

describe('openai-compatible adapter conformance', () => {
  runAdapterConformance(openaiCompatibleAdapter, {
    fixturesDir: dirname(fileURLToPath(import.meta.url)),
    target,
  });
});

describe('openai-compatible adapter', () => {
  it('sends the client bytes, model patched, to a server without a /v1 prefix', () => {
    const bodyText = '{"model":"llama","messages":[{"role":"user","content":"hi"}],"min_p":0.05}';
    const result = openaiCompatibleAdapter.buildChat({
      request: JSON.parse(bodyText),
      bodyText,
      target: { ...target, basePath: '' },
    });
    expect(result).toMatchObject({
      ok: true,
      warnings: [],
      request: {
        path: '/chat/completions',
        body: '{"model":"meta-llama/Llama-3.1-8B-Instruct","messages":[{"role":"user","content":"hi"}],"min_p":0.05}',
      },
    });
  });
});
