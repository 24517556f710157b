import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { configurationSource, modelSource, providerSource } from '../../../test/support/configuration.js';
import { compileSnapshot, parseBaseUrl } from './compile.js';

describe('compileSnapshot', () => {
  it('compiles providers, models, keys and per-environment model lists', () => {
    const result = compileSnapshot(
      configurationSource({
        version: 7,
        providers: [
          providerSource({
            id: 'prod',
            environments: ['production'],
            authMethod: 'api-key',
            credential: 'sk-secret-1234567890',
          }),
          providerSource({ id: 'stage', environments: ['staging'] }),
        ],
        models: [
          modelSource({
            id: 'everywhere',
            deployments: [
              { providerId: 'prod', upstreamModel: 'm', weight: 1 },
              { providerId: 'stage', upstreamModel: 'm', weight: 1 },
            ],
          }),
          modelSource({
            id: 'staging-only',
            deployments: [{ providerId: 'stage', upstreamModel: 'm', weight: 1 }],
          }),
        ],
        teams: [{ id: 't', name: 'team' }],
        apiKeys: [
          {
            id: 'k1',
            name: 'k',
            secretHash: 'h1',
            teamId: 't',
            environment: 'production',
            expiresAt: null,
            revokedAt: null,
          },
          {
            id: 'k2',
            name: 'k',
            secretHash: 'h2',
            teamId: 't',
            environment: 'production',
            expiresAt: null,
            revokedAt: 5,
          },
        ],
      }),
    );
    if (!result.ok) throw new Error(JSON.stringify(result.issues));
    const { snapshot } = result;
    expect(snapshot.version).toBe(7);
    expect([...snapshot.keysByHash.keys()]).toEqual(['h1']);
    const everywhere = snapshot.models.get('everywhere')!;
    expect([...everywhere.environments].sort()).toEqual(['production', 'staging']);
    expect(everywhere.deployments[0]!.provider.headers).toEqual({
      authorization: 'Bearer sk-secret-1234567890',
    });
    expect(everywhere.deployments[0]!.provider.secrets).toEqual(['sk-secret-1234567890']);
    expect(everywhere.deployments[0]!.id).toBe('prod/m');
    expect(everywhere.deployments[0]!.upstreamModelJson).toBe('"m"');
    const production = JSON.parse(snapshot.modelListJsonByEnvironment.get('production')!);
    expect(production.data.map((model: { id: string }) => model.id)).toEqual(['everywhere']);
    const staging = JSON.parse(snapshot.modelListJsonByEnvironment.get('staging')!);
    expect(staging.data.map((model: { id: string }) => model.id)).toEqual(['everywhere', 'staging-only']);
    expect(snapshot.counts).toEqual({ providers: 2, models: 2, keys: 1 });
  });

  it('leaves disabled models out and keeps a disabled provider from making a model visible', () => {
    const result = compileSnapshot(
      configurationSource({
        providers: [providerSource({ id: 'off', enabled: false })],
        models: [
          modelSource({
            id: 'on-disabled-provider',
            deployments: [{ providerId: 'off', upstreamModel: 'm', weight: 1 }],
          }),
          modelSource({
            id: 'disabled',
            enabled: false,
            deployments: [{ providerId: 'off', upstreamModel: 'm', weight: 1 }],
          }),
        ],
      }),
    );
    if (!result.ok) throw new Error('expected ok');
    expect(result.snapshot.models.has('disabled')).toBe(false);
    expect(result.snapshot.models.get('on-disabled-provider')!.environments.size).toBe(0);
    expect(result.snapshot.modelListJsonByEnvironment.size).toBe(0);
  });

  it('reports every issue with its path instead of compiling', () => {
    const result = compileSnapshot(
      configurationSource({
        providers: [
          providerSource({ id: 'nourl', type: 'openai-compatible', baseUrl: null }),
          providerSource({ id: 'nokey', authMethod: 'api-key', credential: null }),
        ],
        models: [
          modelSource({
            id: 'emb',
            kind: 'embedding',
            dimension: null,
            deployments: [{ providerId: 'ghost', upstreamModel: 'x', weight: 1 }],
          }),
        ],
        apiKeys: [
          {
            id: 'k',
            name: 'k',
            secretHash: 'h',
            teamId: 'missing',
            environment: 'production',
            expiresAt: null,
            revokedAt: null,
          },
        ],
      }),
    );
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.issues.map((issue) => issue.path)).toEqual([
      'providers/nourl',
      'providers/nokey',
      'models/emb',
      'models/emb/deployments/0',
      'keys/k',
    ]);
  });

  it('defaults the openai base URL and compiles echo providers without one', () => {
    const result = compileSnapshot(
      configurationSource({
        providers: [
          providerSource({
            id: 'oa',
            type: 'openai',
            baseUrl: null,
            authMethod: 'api-key',
            credential: 'sk-abcdefghijkl',
          }),
          providerSource({ id: 'echo', type: 'echo', baseUrl: null, config: { dimension: 12 } }),
        ],
        models: [
          modelSource({
            id: 'x',
            deployments: [
              { providerId: 'oa', upstreamModel: 'gpt', weight: 1 },
              { providerId: 'echo', upstreamModel: 'e', weight: 2 },
            ],
          }),
        ],
      }),
    );
    if (!result.ok) throw new Error('expected ok');
    const [openai, echo] = result.snapshot.models.get('x')!.deployments;
    expect(openai!.provider.origin).toBe('https://api.openai.com');
    expect(openai!.provider.basePath).toBe('/v1');
    expect(echo!.provider.origin).toBe('');
    expect(echo!.provider.echoDimension).toBe(12);
  });
});

describe('parseBaseUrl', () => {
  it.each([
    ['https://api.example.com/v1', { origin: 'https://api.example.com', basePath: '/v1' }],
    ['https://api.example.com/v1/', { origin: 'https://api.example.com', basePath: '/v1' }],
    ['http://10.0.0.1:8000', { origin: 'http://10.0.0.1:8000', basePath: '' }],
  ])('splits %s', (input, expected) => {
    expect(parseBaseUrl(input)).toEqual(expected);
  });

  it.each([
    ['not a url', /not a valid URL/],
    ['ftp://host/v1', /http:\/\/ or https:\/\//],
    ['https://user:pass@host/v1', /credentials/],
    ['https://host/v1?x=1', /query/],
    ['https://host/v1/chat/completions', /use https:\/\/host\/v1$/],
    ['https://host/v1/embeddings', /route Junction appends/],
  ])('rejects %s', (input, message) => {
    const result = parseBaseUrl(input);
    expect(typeof result).toBe('string');
    expect(result as string).toMatch(message);
  });
});

describe('compileSnapshot at scale', () => {
  // 100,000 keys read from the store carry 100,000 copies of each team id and empty metadata, and entries
  // built by spreading a shared part each got a hidden class of their own: the snapshot holds one of each.
  it('shares empty records and sets between keys and entries', () => {
    const result = compileSnapshot(
      configurationSource({
        providers: Array.from({ length: 3 }, (_, i) =>
          providerSource({ id: `p${i}`, environments: ['production', 'staging'], labels: {} }),
        ),
        teams: [{ id: 't', name: 'team' }],
        apiKeys: Array.from({ length: 3 }, (_, i) => ({
          id: `k${i}`,
          name: 'ci',
          secretHash: `h${i}`,
          teamId: 't',
          environment: 'production',
          expiresAt: null,
          revokedAt: null,
          metadata: {},
        })),
      }),
    );
    if (!result.ok) throw new Error(JSON.stringify(result.issues));
    const keys = [...result.snapshot.keysByHash.values()];
    expect(keys[0]?.metadata).toBe(keys[2]?.metadata);
    expect(keys[0]?.metadata).toEqual({});
    expect(Object.isFrozen(keys[0]?.metadata)).toBe(true);
    const providers = [...result.snapshot.providers.values()];
    expect(providers[0]?.environments).toBe(providers[2]?.environments);
    expect([...(providers[0]?.environments ?? [])]).toEqual(['production', 'staging']);
    expect(providers[0]?.labels).toBe(providers[1]?.labels);
    expect(providers[0]?.headers).toBe(providers[1]?.headers);
  });

  it('gives every compiled provider entry one hidden class', () => {
    const compile = fileURLToPath(new URL('./compile.ts', import.meta.url));
    const script = `
      const { compileSnapshot } = await import(${JSON.stringify(compile)});
      const providers = Array.from({ length: 300 }, (_, i) => ({
        id: 'p' + i, displayName: 'p' + i, type: 'openai-compatible', baseUrl: 'http://127.0.0.1:9/v1',
        authMethod: i % 2 ? 'none' : 'bearer', credential: i % 2 ? null : 'sk-' + i, region: null,
        environments: ['production'], enabled: true, config: {}, labels: {},
      }));
      const result = compileSnapshot({ version: 1, providers, models: [], teams: [], apiKeys: [] });
      const list = [...result.snapshot.providers.values()];
      let classes = 1;
      for (let i = 1; i < list.length; i++) if (!%HaveSameMap(list[i - 1], list[i])) classes++;
      console.log(JSON.stringify({ ok: result.ok, classes }));
    `;
    const output = execFileSync(
      process.execPath,
      ['--allow-natives-syntax', '--import', 'tsx', '--input-type=module', '-e', script],
      { encoding: 'utf8' },
    );
    expect(JSON.parse(output.trim().split('\n').at(-1) ?? '{}')).toEqual({ ok: true, classes: 1 });
  });
});
