import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runAdapterConformance } from '../../../../test/support/adapter-conformance.js';
import type { AdapterTarget } from '../adapter.js';
import { azureOpenAIAdapter } from './index.js';

const target: AdapterTarget = {
  providerId: 'azure-sweden',
  upstreamModel: 'gpt4o-prod',
  region: null,
  basePath: '',
  settings: {},
  capabilities: { streaming: true, tools: true, vision: true, jsonMode: true },
  dimension: null,
};

describe('azure-openai adapter conformance', () => {
  runAdapterConformance(azureOpenAIAdapter, { fixturesDir: dirname(fileURLToPath(import.meta.url)), target });
});

describe('azure-openai adapter', () => {
  const bodyText =
    '{"model":"gpt-4o" ,"messages":[{"role":"user","content":"hi"}],"max_completion_tokens":9}';
  const request = JSON.parse(bodyText);

  it('leaves the client bytes untouched on deployment routes, where Azure ignores model', () => {
    const result = azureOpenAIAdapter.buildChat({ request, bodyText, target });
    if (!result.ok) throw result.error;
    expect(result.request.body).toBe(bodyText);
    expect(result.request.path).toBe(
      '/openai/deployments/gpt4o-prod/chat/completions?api-version=2024-10-21',
    );
  });

  it('patches only the model value on the v1 API', () => {
    const result = azureOpenAIAdapter.buildChat({
      request,
      bodyText,
      target: { ...target, settings: { apiVersion: 'v1' } },
    });
    if (!result.ok) throw result.error;
    expect(result.request.body).toBe(bodyText.replace('"gpt-4o"', '"gpt4o-prod"'));
  });

  it('passes an unrecognised version string through without adapting the body', () => {
    const result = azureOpenAIAdapter.buildChat({
      request,
      bodyText,
      target: { ...target, settings: { apiVersion: '2099-01-01-beta' } },
    });
    expect(result).toMatchObject({
      ok: true,
      warnings: [],
      request: {
        body: bodyText,
        path: '/openai/deployments/gpt4o-prod/chat/completions?api-version=2099-01-01-beta',
      },
    });
  });

  it('accepts what a preview version has, and drops what it lacks', () => {
    const preview = (apiVersion: string) =>
      azureOpenAIAdapter.buildChat({
        request: { ...request, store: true, prediction: { type: 'content', content: 'x' } },
        bodyText,
        target: { ...target, settings: { apiVersion } },
      });
    expect(preview('2024-10-01-preview')).toMatchObject({
      ok: true,
      warnings: [
        'prediction is not supported by azure-openai API version 2024-10-01-preview and was ignored',
      ],
    });
    expect(preview('2025-01-01-preview')).toMatchObject({ ok: true, warnings: [] });
  });

  it('asks for the stream usage chunk where the API version has stream_options, and not before', () => {
    const streamBody = '{"model":"gpt-4o","messages":[{"role":"user","content":"hi"}],"stream":true}';
    const build = (apiVersion: string) =>
      azureOpenAIAdapter.buildChat({
        request: JSON.parse(streamBody),
        bodyText: streamBody,
        target: { ...target, settings: { apiVersion } },
      });
    for (const apiVersion of ['2024-10-21', '2024-09-01-preview', 'v1']) {
      const result = build(apiVersion);
      if (!result.ok) throw result.error;
      expect(JSON.parse(result.request.body).stream_options).toEqual({ include_usage: true });
      expect(result.warnings).toEqual([]);
    }
    const old = build('2024-06-01');
    if (!old.ok) throw old.error;
    expect(old.request.body).toBe(streamBody);
  });
});
