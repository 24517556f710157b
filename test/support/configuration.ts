/** Builders of ConfigurationSource values for compiler and planner tests. */
import type { ConfigurationSource, ModelSource, ProviderSource } from '../../src/core/snapshot/source.js';

export function providerSource(overrides: Partial<ProviderSource> & { id: string }): ProviderSource {
  return {
    displayName: overrides.id,
    type: 'openai-compatible',
    baseUrl: 'http://127.0.0.1:9/v1',
    authMethod: 'none',
    credential: null,
    region: null,
    environments: ['production'],
    enabled: true,
    labels: {},
    config: {},
    ...overrides,
  };
}

export function modelSource(overrides: Partial<ModelSource> & { id: string }): ModelSource {
  return {
    kind: 'chat',
    contextWindow: null,
    dimension: null,
    capabilities: { streaming: true, tools: false, vision: false, jsonMode: false },
    description: null,
    enabled: true,
    created: 1_700_000_000,
    deployments: [],
    ...overrides,
  };
}

export function configurationSource(overrides: Partial<ConfigurationSource> = {}): ConfigurationSource {
  return { version: 1, providers: [], models: [], teams: [], apiKeys: [], ...overrides };
}

/** A seeded pseudo-random source (mulberry32) for reproducible plans. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
