import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { runAdapterConformance } from '../../../../test/support/adapter-conformance.js';
import type { AdapterTarget } from '../adapter.js';
import { mistralAdapter, mistralToolCallId } from './index.js';

const target: AdapterTarget = {
  providerId: 'mistral',
  upstreamModel: 'mistral-large-latest',
  region: null,
  basePath: '/v1',
  settings: {},
  capabilities: { streaming: true, tools: true, vision: true, jsonMode: true },
  dimension: null,
};

describe('mistral adapter conformance', () => {
  runAdapterConformance(mistralAdapter, { fixturesDir: dirname(fileURLToPath(import.meta.url)), target });
});

describe('mistral adapter', () => {
  it('forwards the client bytes with only the model value replaced when nothing else must change', () => {
    const bodyText =
      '{\n  "messages": [{"role":"user","content":"hi"}],\n  "model": "mistral-large",\n  "temperature": 0.70\n}';
    const result = mistralAdapter.buildChat({ request: JSON.parse(bodyText), bodyText, target });
    if (!result.ok) throw result.error;
    expect(result.request.body).toBe(bodyText.replace('"mistral-large"', '"mistral-large-latest"'));
    expect(result.warnings).toEqual([]);
  });

  it('returns the very same string when the names match', () => {
    const bodyText = '{"model":"mistral-large-latest","messages":[{"role":"user","content":"hi"}]}';
    const result = mistralAdapter.buildChat({ request: JSON.parse(bodyText), bodyText, target });
    expect(result.ok && result.request.body).toBe(bodyText);
  });

  it('maps any tool call id to 9 alphanumerics, stably, and keeps valid ones', () => {
    expect(mistralToolCallId('aB3xK9mP2')).toBe('aB3xK9mP2');
    fc.assert(
      fc.property(fc.string(), (id) => {
        const mapped = mistralToolCallId(id);
        expect(mapped).toMatch(/^[A-Za-z0-9]{9}$/);
        expect(mistralToolCallId(id)).toBe(mapped);
        expect(mistralToolCallId(mapped)).toBe(mapped);
      }),
    );
    expect(mistralToolCallId('call_1')).not.toBe(mistralToolCallId('call_2'));
  });

  it('never sends stream_options, which Mistral rejects (it reports usage on its last chunk anyway)', () => {
    for (const extra of ['', ',"stream_options":{"include_usage":true}']) {
      const bodyText = `{"model":"m","messages":[{"role":"user","content":"hi"}],"stream":true${extra}}`;
      const result = mistralAdapter.buildChat({ request: JSON.parse(bodyText), bodyText, target });
      if (!result.ok) throw result.error;
      expect(JSON.parse(result.request.body)).not.toHaveProperty('stream_options');
      expect(result.warnings).toEqual([]);
    }
  });
});
