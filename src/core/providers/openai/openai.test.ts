import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runAdapterConformance } from '../../../../test/support/adapter-conformance.js';
import type { AdapterTarget } from '../adapter.js';
import { openaiAdapter } from './index.js';

const target: AdapterTarget = {
  providerId: 'openai-main',
  upstreamModel: 'gpt-4o-2024-08-06',
  region: null,
  basePath: '/v1',
  settings: {},
  capabilities: { streaming: true, tools: true, vision: true, jsonMode: true },
  dimension: null,
};

describe('openai adapter conformance', () => {
  runAdapterConformance(openaiAdapter, { fixturesDir: dirname(fileURLToPath(import.meta.url)), target });
});

describe('openai adapter', () => {
  it('forwards the client bytes with only the model value replaced', () => {
    const bodyText =
      '{ "model" : "gpt-4o",\n  "messages":[{"role":"user","content":"model: gpt-4o"}], "temperature": 1.0 }';
    const result = openaiAdapter.buildChat({
      request: JSON.parse(bodyText),
      bodyText,
      target,
    });
    if (!result.ok) throw result.error;
    expect(result.request.body).toBe(
      '{ "model" : "gpt-4o-2024-08-06",\n  "messages":[{"role":"user","content":"model: gpt-4o"}], "temperature": 1.0 }',
    );
  });

  it('returns the very same string when the client names the upstream model', () => {
    const bodyText =
      '{"model":"gpt-4o-2024-08-06","messages":[{"role":"user","content":"hi"}],"seed":12345678901234567890}';
    const result = openaiAdapter.buildChat({ request: JSON.parse(bodyText), bodyText, target });
    if (!result.ok) throw result.error;
    expect(result.request.body).toBe(bodyText);
  });

  it('keeps a base path such as a regional or proxied address', () => {
    const bodyText = '{"model":"e","input":"x"}';
    const result = openaiAdapter.buildEmbeddings?.({
      request: JSON.parse(bodyText),
      bodyText,
      target: { ...target, basePath: '/proxy/openai/v1', upstreamModel: 'e' },
    });
    expect(result).toMatchObject({
      ok: true,
      request: { path: '/proxy/openai/v1/embeddings', body: bodyText },
    });
  });
});
