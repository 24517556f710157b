/**
 * Configuration as code: export round-trips with no changes, a document creates, changes and (with prune)
 * deletes entries through the admin API's services, all or nothing, and credentials never appear in plaintext.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import type { ConfigDocument, ConfigPlan } from '../../src/management/config/document.js';
import { type FakeUpstream, startFakeUpstream } from '../harness/fake-upstream.js';
import { ok, startTestGateway, TEST_ADMIN_TOKEN, type TestGateway } from '../support/gateway.js';
import { runJunction } from '../support/process.js';
import { storeKinds } from '../support/stores.js';

const kinds = await storeKinds();
const CANARY = `sk-canary-config-${Math.random().toString(36).slice(2)}abcd`;

const snapshotVersion = async (gateway: TestGateway) =>
  (await ok(gateway.admin<{ snapshotVersion: number }>('GET', '/status'))).snapshotVersion;

describe.each(kinds)('configuration as code (%s store)', (kind) => {
  let gateway: TestGateway;
  let upstream: FakeUpstream;

  beforeAll(async () => {
    upstream = await startFakeUpstream();
    gateway = await startTestGateway({ store: kind });
    await ok(gateway.admin('POST', '/providers', { id: 'echo-main', type: 'echo', displayName: 'Echo' }));
    await ok(
      gateway.admin('POST', '/providers', {
        id: 'fake-eu',
        type: 'openai-compatible',
        displayName: 'Fake EU',
        baseUrl: `${upstream.url}/v1`,
        apiKey: CANARY,
      }),
    );
    await ok(
      gateway.admin('POST', '/models', {
        id: 'chat',
        kind: 'chat',
        deployments: [{ providerId: 'echo-main', upstreamModel: 'echo' }],
      }),
    );
    await gateway.createKey({ team: 'platform' });
  });

  afterAll(async () => {
    await gateway?.close();
    await upstream?.close();
  });

  it('exports everything, credentials only as references, and re-applies with no change', async () => {
    const exported = await ok(gateway.admin<ConfigDocument>('GET', '/config'));
    const text = JSON.stringify(exported);
    expect(text).not.toContain(CANARY);
    expect(text).not.toContain(Buffer.from(CANARY).toString('base64'));
    expect(exported.providers?.find((provider) => provider.id === 'fake-eu')?.credential).toEqual({
      stored: true,
      hint: `****${CANARY.slice(-4)}`,
    });
    expect(exported.environments?.map((environment) => environment.id)).toEqual(['production', 'staging']);
    expect(exported.keys?.[0]).toMatchObject({
      name: 'test key',
      team: 'platform',
      environment: 'production',
      revoked: false,
    });
    // Through YAML and back, as the CLI does.
    const roundTrip = parse(stringify(exported)) as ConfigDocument;
    const before = await snapshotVersion(gateway);
    const plan = await ok(gateway.admin<ConfigPlan>('POST', '/config/apply', roundTrip));
    expect(plan.changes).toEqual([]);
    expect(plan.applied).toBe(true);
    expect(plan.unchanged).toBeGreaterThan(5);
    expect(await snapshotVersion(gateway)).toBe(before + 1);
  });

  it('plans, then applies creates and changes in one transaction, and the data plane serves them', async () => {
    const exported = await ok(gateway.admin<ConfigDocument>('GET', '/config'));
    const document: ConfigDocument = {
      ...exported,
      environments: [...(exported.environments ?? []), { id: 'qa', description: 'Quality assurance' }],
      providers: [
        ...(exported.providers ?? []),
        { id: 'echo-qa', type: 'echo', displayName: 'Echo QA', environments: ['qa', 'production'] },
      ],
      models: [
        ...(exported.models ?? []).map((model) =>
          model.id === 'chat' ? { ...model, contextWindow: 4096 } : model,
        ),
        { id: 'qa-chat', kind: 'chat', deployments: [{ providerId: 'echo-qa', upstreamModel: 'echo' }] },
      ],
      teams: [...(exported.teams ?? []), { name: 'search', description: 'Search team' }],
    };
    const before = await snapshotVersion(gateway);
    const plan = await ok(gateway.admin<ConfigPlan>('POST', '/config/plan', document));
    expect(plan.applied).toBe(false);
    expect(plan.changes).toEqual([
      { action: 'create', kind: 'environment', id: 'qa' },
      { action: 'create', kind: 'provider', id: 'echo-qa' },
      { action: 'create', kind: 'team', id: 'search' },
      { action: 'update', kind: 'model', id: 'chat', fields: ['contextWindow'] },
      { action: 'create', kind: 'model', id: 'qa-chat' },
    ]);
    expect(await snapshotVersion(gateway)).toBe(before);
    const applied = await ok(gateway.admin<ConfigPlan>('POST', '/config/apply', document));
    expect(applied.changes).toEqual(plan.changes);
    expect(await snapshotVersion(gateway)).toBe(before + 1);
    const key = await gateway.createKey();
    const chat = await gateway.call<{ choices: { message: { content: string } }[] }>(
      'POST',
      '/v1/chat/completions',
      { model: 'qa-chat', messages: [{ role: 'user', content: 'from config' }] },
      key.secret,
    );
    expect(chat.json.choices[0]?.message.content).toBe('You said: from config');
    expect((await ok(gateway.admin<ConfigPlan>('POST', '/config/plan', document))).changes).toEqual([]);
  });

  it('changes a model kind as the API does: with a dimension for embeddings, never under an alias', async () => {
    await ok(
      gateway.admin('POST', '/models', {
        id: 'kind-shift',
        kind: 'chat',
        deployments: [{ providerId: 'echo-main', upstreamModel: 'echo' }],
      }),
    );
    const exported = await ok(gateway.admin<ConfigDocument>('GET', '/config'));
    const withKind = (dimension?: number): ConfigDocument => ({
      ...exported,
      models: (exported.models ?? []).map((model) =>
        model.id === 'kind-shift'
          ? { ...model, kind: 'embedding', ...(dimension ? { dimension } : {}) }
          : model,
      ),
    });
    const noDimension = await gateway.admin<{ detail: string }>('POST', '/config/apply', withKind());
    expect(noDimension.status).toBe(400);
    expect(noDimension.text).toMatch(/dimension/);
    const plan = await ok(gateway.admin<ConfigPlan>('POST', '/config/apply', withKind(8)));
    expect(plan.changes).toEqual([
      { action: 'update', kind: 'model', id: 'kind-shift', fields: ['kind', 'dimension'] },
    ]);
    expect((await ok(gateway.admin<{ kind: string }>('GET', '/models/kind-shift'))).kind).toBe('embedding');

    await ok(gateway.admin('POST', '/aliases', { id: 'kind-alias', modelId: 'kind-shift' }));
    const underAlias = await gateway.admin('POST', '/config/apply', {
      ...(await ok(gateway.admin<ConfigDocument>('GET', '/config'))),
      models: (exported.models ?? []).map((model) =>
        model.id === 'kind-shift' ? { ...model, kind: 'chat' } : model,
      ),
    });
    expect(underAlias.status).toBe(400);
    expect(underAlias.text).toMatch(/alias kind-alias serves kind-shift/);
    expect((await ok(gateway.admin<{ kind: string }>('GET', '/models/kind-shift'))).kind).toBe('embedding');
    await ok(gateway.admin('DELETE', '/aliases/kind-alias'));
    await ok(gateway.admin('DELETE', '/models/kind-shift'));
  });

  it('applies nothing when any part of the document is invalid', async () => {
    const exported = await ok(gateway.admin<ConfigDocument>('GET', '/config'));
    const before = await snapshotVersion(gateway);
    const result = await gateway.admin('POST', '/config/apply', {
      ...exported,
      teams: [...(exported.teams ?? []), { name: 'never-created' }],
      models: [
        ...(exported.models ?? []),
        { id: 'broken', kind: 'chat', deployments: [{ providerId: 'missing', upstreamModel: 'x' }] },
      ],
    });
    expect(result.status).toBe(400);
    expect(result.text).toContain('provider missing does not exist');
    expect(await snapshotVersion(gateway)).toBe(before);
    const teams = await ok(gateway.admin<{ data: { name: string }[] }>('GET', '/teams'));
    expect(teams.data.map((team) => team.name)).not.toContain('never-created');
  });

  it('rotates a credential from the document, and refuses a new entry whose credential is only "stored"', async () => {
    const exported = await ok(gateway.admin<ConfigDocument>('GET', '/config'));
    const rotated = {
      ...exported,
      providers: exported.providers?.map((provider) =>
        provider.id === 'fake-eu'
          ? { ...provider, credential: undefined, apiKey: 'sk-rotated-by-config-9876' }
          : provider,
      ),
    };
    const plan = await ok(gateway.admin<ConfigPlan>('POST', '/config/apply', rotated));
    expect(plan.changes).toEqual([
      { action: 'update', kind: 'provider', id: 'fake-eu', fields: ['credential'] },
    ]);
    const provider = await ok(gateway.admin<{ credential: { hint: string } }>('GET', '/providers/fake-eu'));
    expect(provider.credential.hint).toBe('****9876');
    const refused = await gateway.admin('POST', '/config/plan', {
      version: 1,
      providers: [{ id: 'brand-new', type: 'openai', displayName: 'x', credential: { stored: true } }],
    });
    expect(refused.status).toBe(400);
    expect(refused.text).toContain('give credential.env');
  });

  it('creates a Bedrock entry whose AWS key comes as JSON text, and exports it only as a hint', async () => {
    const exported = await ok(gateway.admin<ConfigDocument>('GET', '/config'));
    const secret = 'aws-secret-from-config-000000000000';
    const document = {
      ...exported,
      providers: [
        ...(exported.providers ?? []),
        {
          id: 'bedrock-config-eu-west-1',
          type: 'bedrock' as const,
          displayName: 'Bedrock from config',
          region: 'eu-west-1',
          apiKey: JSON.stringify({ accessKeyId: 'AKIACONFIGTEST000042', secretAccessKey: secret }),
        },
      ],
    };
    const plan = await ok(gateway.admin<ConfigPlan>('POST', '/config/apply', document));
    expect(plan.changes).toEqual([{ action: 'create', kind: 'provider', id: 'bedrock-config-eu-west-1' }]);
    const provider = await ok(
      gateway.admin<{ authMethod: string; credential: { hint: string } }>(
        'GET',
        '/providers/bedrock-config-eu-west-1',
      ),
    );
    expect(provider.authMethod).toBe('aws-sigv4');
    expect(provider.credential.hint).toBe('AKIA****0042');
    const again = await gateway.admin('GET', '/config');
    expect(again.text).not.toContain(secret);
    expect(again.text).toContain('AKIA****0042');
  });

  it('prunes what the document leaves out only when asked', async () => {
    const exported = await ok(gateway.admin<ConfigDocument>('GET', '/config'));
    const smaller = { ...exported, models: exported.models?.filter((model) => model.id !== 'qa-chat') };
    expect((await ok(gateway.admin<ConfigPlan>('POST', '/config/plan', smaller))).changes).toEqual([]);
    const pruned = await ok(gateway.admin<ConfigPlan>('POST', '/config/apply?prune=true', smaller));
    expect(pruned.changes).toEqual([{ action: 'delete', kind: 'model', id: 'qa-chat' }]);
    expect((await gateway.admin('GET', '/models/qa-chat')).status).toBe(404);
  });

  it('exports the price book and creates, replaces and (with prune) deletes prices; a bad amount is refused', async () => {
    await ok(
      gateway.admin('POST', '/prices', { scope: 'model', target: 'chat', input: '2.50', output: '10.00' }),
    );
    const exported = await ok(gateway.admin<ConfigDocument>('GET', '/config'));
    expect(exported.prices).toEqual([
      {
        scope: 'model',
        target: 'chat',
        effectiveFrom: '1970-01-01T00:00:00.000Z',
        input: '2.50',
        cachedInput: null,
        cacheWrite: null,
        output: '10.00',
        reasoning: null,
        note: null,
      },
    ]);
    // Through YAML and back: nothing to change.
    const roundTrip = parse(stringify(exported)) as ConfigDocument;
    expect((await ok(gateway.admin<ConfigPlan>('POST', '/config/plan', roundTrip))).changes).toEqual([]);

    const from = '2026-01-01T00:00:00.000Z';
    const document: ConfigDocument = {
      ...exported,
      prices: [
        // The same amounts written differently are the same price; a new cached price replaces the row.
        { scope: 'model', target: 'chat', input: '2.5', cachedInput: '1.25', output: '10' },
        {
          scope: 'deployment',
          target: 'echo-main/echo',
          effectiveFrom: from,
          input: '3',
          cacheWrite: '3.75',
          output: '15',
          note: 'contract',
        },
      ],
    };
    const applied = await ok(gateway.admin<ConfigPlan>('POST', '/config/apply', document));
    expect(applied.changes).toEqual([
      { action: 'update', kind: 'price', id: 'model:chat@1970-01-01T00:00:00.000Z', fields: ['cachedInput'] },
      { action: 'create', kind: 'price', id: `deployment:echo-main/echo@${from}` },
    ]);
    const book = await ok(
      gateway.admin<{ data: Array<Record<string, unknown>> }>('GET', '/prices?scope=model&target=chat'),
    );
    expect(book.data).toHaveLength(1);
    expect(book.data[0]).toMatchObject({ input: '2.5', cachedInput: '1.25', output: '10' });
    // The round trip of what was applied is stable.
    const again = await ok(gateway.admin<ConfigDocument>('GET', '/config'));
    expect(again.prices).toHaveLength(2);
    expect((await ok(gateway.admin<ConfigPlan>('POST', '/config/plan', again))).changes).toEqual([]);
    expect(
      (await ok(gateway.admin<ConfigPlan>('POST', '/config/plan', parse(stringify(again))))).changes,
    ).toEqual([]);

    // Left out: kept, unless pruning.
    const smaller = { ...again, prices: again.prices?.filter((price) => price.scope === 'model') };
    expect((await ok(gateway.admin<ConfigPlan>('POST', '/config/plan', smaller))).changes).toEqual([]);
    const pruned = await ok(gateway.admin<ConfigPlan>('POST', '/config/apply?prune=true', smaller));
    expect(pruned.changes).toEqual([
      { action: 'delete', kind: 'price', id: `deployment:echo-main/echo@${from}` },
    ]);
    expect((await ok(gateway.admin<ConfigDocument>('GET', '/config'))).prices).toHaveLength(1);

    // A bad amount is refused with its path, and nothing changes.
    const before = await snapshotVersion(gateway);
    const refused = await gateway.admin<{ errors: Array<{ path: string }> }>('POST', '/config/apply', {
      ...smaller,
      prices: [{ scope: 'model', target: 'chat', input: '1e-6', output: '10' }],
    });
    expect(refused.status).toBe(400);
    expect(refused.json.errors.map((error) => error.path)).toContain('prices.0.input');
    expect(await snapshotVersion(gateway)).toBe(before);
  });
});

describe('junction config (CLI)', () => {
  let gateway: TestGateway;
  let folder: string;

  beforeAll(async () => {
    gateway = await startTestGateway();
    folder = await mkdtemp(join(tmpdir(), 'junction-config-'));
    await ok(gateway.admin('POST', '/providers', { id: 'echo-main', type: 'echo', displayName: 'Echo' }));
  });

  afterAll(async () => {
    await gateway?.close();
    await rm(folder, { recursive: true, force: true });
  });

  const run = async (args: string[], env: Record<string, string> = {}) => {
    const child = runJunction(['config', ...args, '--url', gateway.url], {
      JUNCTION_ADMIN_TOKEN: TEST_ADMIN_TOKEN,
      ...env,
    });
    const { code } = await child.exited;
    return { code, output: child.output() };
  };

  it('exports YAML, plans and applies a document whose credential comes from the environment', async () => {
    const file = join(folder, 'junction.yaml');
    const exported = await run(['export', '-o', file]);
    expect(exported.code).toBe(0);
    const document = parse(await readFile(file, 'utf8')) as ConfigDocument;
    expect(document.version).toBe(1);
    document.providers?.push({
      id: 'vllm-lab',
      type: 'openai-compatible',
      displayName: 'vLLM lab',
      baseUrl: 'http://127.0.0.1:9/v1',
      credential: { env: 'VLLM_LAB_KEY' },
    });
    await writeFile(file, stringify(document));
    const missing = await run(['apply', '-f', file, '--plan']);
    expect(missing.code).toBe(1);
    expect(missing.output).toContain('environment variable VLLM_LAB_KEY is not set');
    const plan = await run(['apply', '-f', file, '--plan'], { VLLM_LAB_KEY: 'sk-from-environment-4321' });
    expect(plan.code).toBe(0);
    expect(plan.output).toContain('+ create provider vllm-lab');
    expect(plan.output).toContain('1 to create, 0 to change, 0 to delete, 0 to revoke');
    expect(plan.output).toContain('plan only, nothing changed');
    expect((await gateway.admin('GET', '/providers/vllm-lab')).status).toBe(404);
    const applied = await run(['apply', '-f', file], { VLLM_LAB_KEY: 'sk-from-environment-4321' });
    expect(applied.code).toBe(0);
    expect(applied.output).toContain('(applied)');
    const provider = await ok(gateway.admin<{ credential: { hint: string } }>('GET', '/providers/vllm-lab'));
    expect(provider.credential.hint).toBe('****4321');
    expect(await readFile(file, 'utf8')).not.toContain('sk-from-environment');
  });

  it('reports a bad token and an unreachable server clearly', async () => {
    const badToken = await run(['export'], { JUNCTION_ADMIN_TOKEN: 'jat_wrong' });
    expect(badToken.code).toBe(1);
    expect(badToken.output).toContain('the admin API answered 401');
    const child = runJunction(['config', 'export', '--url', 'http://127.0.0.1:9'], {
      JUNCTION_ADMIN_TOKEN: 'x',
    });
    expect((await child.exited).code).toBe(1);
    expect(child.output()).toContain('cannot reach Junction at http://127.0.0.1:9');
  });
});
