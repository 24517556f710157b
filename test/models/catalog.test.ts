/**
 * The model catalog through the admin API and the data plane, on both stores: versions behind an alias that
 * moves (seen by the very next request) and rolls back, guarded embedding alias moves, audiences that make a
 * model invisible and uncallable outside them, `/v1/models` listing exactly what a key may call, the serving
 * version on every answer, verification from the developer side, and configuration as code for all of it.
 */
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectFieldError, expectProblem } from '../admin/admin-helpers.js';
import { chat } from '../dataplane/helpers.js';
import { ok, startTestGateway, type TestGateway } from '../support/gateway.js';
import { storeKinds } from '../support/stores.js';

const kinds = await storeKinds();
const CHAT = '/v1/chat/completions';

interface ModelList {
  data: Array<{ id: string; kind: string; owned_by: string; dimension: number | null; version?: string }>;
}

describe.each(kinds)('model catalog (%s store)', (kind) => {
  let gateway: TestGateway;
  let everyone: { secret: string; id: string; teamId: string };
  let research: { secret: string; id: string; teamId: string };

  beforeAll(async () => {
    gateway = await startTestGateway({ store: kind });
    await ok(gateway.admin('POST', '/providers', { id: 'echo-eu', type: 'echo', displayName: 'Echo EU' }));
    const version = (id: string, upstreamModel: string) =>
      ok(
        gateway.admin('POST', '/models', {
          id,
          kind: 'chat',
          contextWindow: 32000,
          owner: 'platform',
          deployments: [{ providerId: 'echo-eu', upstreamModel }],
        }),
      );
    await version('acme-llm-2026-03', 'echo');
    await version('acme-llm-2026-04', 'echo');
    const embedding = (id: string, dimension: number) =>
      ok(
        gateway.admin('POST', '/models', {
          id,
          kind: 'embedding',
          dimension,
          deployments: [{ providerId: 'echo-eu', upstreamModel: 'echo' }],
        }),
      );
    await embedding('embed-v1', 16);
    await embedding('embed-v2', 16);
    await embedding('embed-large', 32);
    everyone = await gateway.createKey({ team: 'everyone' });
    research = await gateway.createKey({ team: 'research' });
  });
  afterAll(async () => {
    await gateway?.close();
  });

  describe('aliases', () => {
    it('serves the version it points at, says so in x-junction-model-version, and moves for the very next request', async () => {
      const created = await ok(
        gateway.admin<{ modelId: string; kind: string }>('POST', '/aliases', {
          id: 'acme-llm',
          modelId: 'acme-llm-2026-03',
        }),
      );
      expect(created).toMatchObject({ modelId: 'acme-llm-2026-03', kind: 'chat' });
      const before = await gateway.call('POST', CHAT, chat('acme-llm'), everyone.secret);
      expect(before.status, before.text).toBe(200);
      expect(before.headers['x-junction-model-version']).toBe('acme-llm-2026-03');

      const moved = await ok(
        gateway.admin<{ modelId: string; previousModelId: string }>('POST', '/aliases/acme-llm/move', {
          modelId: 'acme-llm-2026-04',
        }),
      );
      expect(moved).toMatchObject({ modelId: 'acme-llm-2026-04', previousModelId: 'acme-llm-2026-03' });
      const after = await gateway.call('POST', CHAT, chat('acme-llm'), everyone.secret);
      expect(after.headers['x-junction-model-version']).toBe('acme-llm-2026-04');
      // The previous version stays enabled and callable by its own name.
      const pinned = await gateway.call('POST', CHAT, chat('acme-llm-2026-03'), everyone.secret);
      expect(pinned.status).toBe(200);
      expect(pinned.headers['x-junction-model-version']).toBe('acme-llm-2026-03');

      await ok(gateway.admin('POST', '/aliases/acme-llm/rollback'));
      const rolledBack = await gateway.call('POST', CHAT, chat('acme-llm'), everyone.secret);
      expect(rolledBack.headers['x-junction-model-version']).toBe('acme-llm-2026-03');
    });

    it('refuses a name already used by a model, a move to another kind, and deleting a version an alias serves', async () => {
      expectFieldError(
        await gateway.admin('POST', '/aliases', { id: 'embed-v1', modelId: 'acme-llm-2026-03' }),
        'id',
      );
      expectFieldError(
        await gateway.admin('POST', '/aliases/acme-llm/move', { modelId: 'embed-v1' }),
        'modelId',
      );
      const refused = expectProblem(await gateway.admin('DELETE', '/models/acme-llm-2026-03'), 409, 'in_use');
      expect(refused.detail).toContain('acme-llm');
    });

    it('guards embedding aliases: another dimension is refused, another model needs the re-embedding acknowledgement', async () => {
      await ok(gateway.admin('POST', '/aliases', { id: 'embed', modelId: 'embed-v1' }));
      const resized = expectFieldError(
        await gateway.admin('POST', '/aliases/embed/move', {
          modelId: 'embed-large',
          acknowledgeReembedding: true,
        }),
        'modelId',
      );
      expect(resized).toContain('16');
      expect(resized).toContain('32');
      const unacknowledged = expectFieldError(
        await gateway.admin('POST', '/aliases/embed/move', { modelId: 'embed-v2' }),
        'acknowledgeReembedding',
      );
      expect(unacknowledged).toContain('re-embedded');
      await ok(
        gateway.admin('POST', '/aliases/embed/move', { modelId: 'embed-v2', acknowledgeReembedding: true }),
      );
      const embedded = await gateway.call(
        'POST',
        '/v1/embeddings',
        { model: 'embed', input: 'x' },
        everyone.secret,
      );
      expect(embedded.status, embedded.text).toBe(200);
      expect(embedded.headers['x-junction-model-version']).toBe('embed-v2');
    });

    it('lists aliases in /v1/models with kind, context window, owner and the version they serve', async () => {
      const list = await ok(gateway.call<ModelList>('GET', '/v1/models', undefined, everyone.secret));
      const alias = list.data.find((model) => model.id === 'acme-llm');
      expect(alias).toMatchObject({
        kind: 'chat',
        context_window: 32000,
        owned_by: 'platform',
        version: 'acme-llm-2026-03',
      });
    });
  });

  describe('audiences', () => {
    beforeAll(async () => {
      await ok(
        gateway.admin('POST', '/models', {
          id: 'research-only',
          kind: 'chat',
          audience: { teams: [research.teamId] },
          deployments: [{ providerId: 'echo-eu', upstreamModel: 'echo' }],
        }),
      );
      await ok(
        gateway.admin('POST', '/models', {
          id: 'one-key-only',
          kind: 'chat',
          audience: { keys: [everyone.id] },
          deployments: [{ providerId: 'echo-eu', upstreamModel: 'echo' }],
        }),
      );
    });

    it('hides a model from keys outside its audience: not listed, and the 404 of an unknown model', async () => {
      const visible = await ok(gateway.call<ModelList>('GET', '/v1/models', undefined, research.secret));
      expect(visible.data.map((model) => model.id)).toContain('research-only');
      expect(visible.data.map((model) => model.id)).not.toContain('one-key-only');
      const hidden = await ok(gateway.call<ModelList>('GET', '/v1/models', undefined, everyone.secret));
      expect(hidden.data.map((model) => model.id)).not.toContain('research-only');
      expect(hidden.data.map((model) => model.id)).toContain('one-key-only');

      const outside = await gateway.call<{ error: { message: string } }>(
        'POST',
        CHAT,
        chat('research-only'),
        everyone.secret,
      );
      const unknown = await gateway.call<{ error: { message: string } }>(
        'POST',
        CHAT,
        chat('no-such-model'),
        everyone.secret,
      );
      expect(outside.status).toBe(404);
      expect(outside.json.error.message.replace('research-only', 'X')).toBe(
        unknown.json.error.message.replace('no-such-model', 'X'),
      );
      expect((await gateway.call('POST', CHAT, chat('research-only'), research.secret)).status).toBe(200);
    });

    it('opens a model to everyone again with audience null', async () => {
      await ok(gateway.admin('PATCH', '/models/research-only', { audience: null }));
      expect((await gateway.call('POST', CHAT, chat('research-only'), everyone.secret)).status).toBe(200);
    });

    it('refuses an audience naming a team that does not exist', async () => {
      const result = await gateway.admin('PATCH', '/models/one-key-only', {
        audience: { teams: ['no-such-team'] },
      });
      expect(expectFieldError(result, 'audience.teams')).toContain('no-such-team');
    });
  });

  describe('verify from the developer side', () => {
    it('sends a chat through the data plane and reports the backend and latency', async () => {
      const result = await ok(
        gateway.admin<{ ok: boolean; backend: string; version: string; answer: string }>(
          'POST',
          '/models/acme-llm/verify',
          {},
        ),
      );
      expect(result).toMatchObject({ ok: true, backend: 'echo-eu/echo', version: 'acme-llm-2026-03' });
      expect(result.answer.length).toBeGreaterThan(0);
    });

    it('checks an embedding model returns its recorded dimension', async () => {
      const result = await ok(
        gateway.admin<{ ok: boolean; dimension: number; dimensionMatches: boolean }>(
          'POST',
          '/models/embed-large/verify',
          {
            environment: 'production',
          },
        ),
      );
      expect(result).toMatchObject({ ok: true, dimension: 32, dimensionMatches: true });
    });

    it('reports a model with no backend in the environment', async () => {
      const result = await ok(
        gateway.admin<{ ok: boolean; error: { code: string } }>('POST', '/models/acme-llm/verify', {
          environment: 'staging-nowhere',
        }),
      );
      expect(result).toMatchObject({ ok: false, error: { code: 'no_backend_available' } });
    });
  });

  describe('configuration as code', () => {
    it('exports aliases and audiences (by team name) and re-applies them with no change', async () => {
      const document = await ok(
        gateway.admin<{
          aliases: Array<{ id: string; modelId: string }>;
          models: Array<{ id: string; audience: unknown }>;
        }>('GET', '/config'),
      );
      expect(document.aliases).toEqual(
        expect.arrayContaining([expect.objectContaining({ id: 'acme-llm', modelId: 'acme-llm-2026-03' })]),
      );
      expect(document.models.find((model) => model.id === 'one-key-only')?.audience).toEqual({
        teams: [],
        keys: [everyone.id],
      });
      const plan = await ok(gateway.admin<{ changes: unknown[] }>('POST', '/config/plan', document));
      expect(plan.changes).toEqual([]);
    });

    it('moves an alias and sets an audience by team name from a document', async () => {
      const document = await ok(
        gateway.admin<{
          aliases: Array<{ id: string; modelId: string }>;
          models: Array<{ id: string; audience: unknown }>;
        }>('GET', '/config'),
      );
      const changed = {
        ...document,
        aliases: document.aliases.map((alias) =>
          alias.id === 'acme-llm' ? { ...alias, modelId: 'acme-llm-2026-04' } : alias,
        ),
        models: document.models.map((model) =>
          model.id === 'acme-llm-2026-04' ? { ...model, audience: { teams: ['research'] } } : model,
        ),
      };
      const applied = await ok(gateway.admin<{ changes: unknown[] }>('POST', '/config/apply', changed));
      expect(applied.changes).toEqual(
        expect.arrayContaining([
          { action: 'update', kind: 'alias', id: 'acme-llm', fields: ['modelId'] },
          { action: 'update', kind: 'model', id: 'acme-llm-2026-04', fields: ['audience'] },
        ]),
      );
      expect((await gateway.call('POST', CHAT, chat('acme-llm'), everyone.secret)).status).toBe(404);
      const served = await gateway.call('POST', CHAT, chat('acme-llm'), research.secret);
      expect(served.headers['x-junction-model-version']).toBe('acme-llm-2026-04');
    });
  });

  it('the openai SDK lists the models of its key and calls an alias', async () => {
    const client = new OpenAI({ apiKey: research.secret, baseURL: `${gateway.url}/v1`, maxRetries: 0 });
    const ids: string[] = [];
    for await (const model of client.models.list()) ids.push(model.id);
    expect(ids).toContain('acme-llm');
    expect(ids).toContain('research-only');
    const { data, response } = await client.chat.completions
      .create({ model: 'acme-llm', messages: [{ role: 'user', content: 'hello alias' }] })
      .withResponse();
    expect(data.choices[0]?.message.content).toContain('hello alias');
    expect(response.headers.get('x-junction-model-version')).toBe('acme-llm-2026-04');
  });
});
