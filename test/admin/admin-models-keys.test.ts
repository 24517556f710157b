/**
 * The admin API on both stores: models and their pools, teams and API keys (secret shown once, revocation
 * effective on the very next data-plane request), and the snapshot version every change bumps by exactly one.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashSecret } from '../../src/secrets/hash.js';
import { ok, startTestGateway, type TestGateway } from '../support/gateway.js';
import { storeKinds } from '../support/stores.js';
import {
  chat,
  expectFieldError,
  expectProblem,
  type KeyCreated,
  type KeyView,
  type ModelView,
  snapshotVersion,
  type TeamView,
  unique,
} from './admin-helpers.js';

const kinds = await storeKinds();

describe.each(kinds)('admin API resources (%s store)', (kind) => {
  let gateway: TestGateway;
  beforeAll(async () => {
    gateway = await startTestGateway({ store: kind });
    await ok(gateway.admin('POST', '/providers', { id: 'echo-1', type: 'echo', displayName: 'Echo 1' }));
    await ok(gateway.admin('POST', '/providers', { id: 'echo-2', type: 'echo', displayName: 'Echo 2' }));
  });
  afterAll(async () => {
    await gateway?.close();
  });

  describe('models', () => {
    it('creates a chat model with default capabilities and weight', async () => {
      const created = await gateway.admin<ModelView>('POST', '/models', {
        id: 'chat-a',
        kind: 'chat',
        contextWindow: 8192,
        description: 'first',
        deployments: [{ providerId: 'echo-1', upstreamModel: 'echo' }],
      });
      expect(created.status).toBe(201);
      expect(created.json).toMatchObject({
        id: 'chat-a',
        kind: 'chat',
        contextWindow: 8192,
        dimension: null,
        description: 'first',
        enabled: true,
        capabilities: { streaming: true, tools: false, vision: false, jsonMode: false },
        deployments: [{ providerId: 'echo-1', upstreamModel: 'echo', weight: 1 }],
      });
    });

    it('creates an embedding model only with a dimension', async () => {
      const without = await gateway.admin('POST', '/models', {
        id: 'embed-a',
        kind: 'embedding',
        deployments: [{ providerId: 'echo-1', upstreamModel: 'echo' }],
      });
      expect(expectFieldError(without, 'dimension')).toBe('an embedding model needs its vector dimension');
      expectProblem(await gateway.admin('GET', '/models/embed-a'), 404, 'not_found');
      const created = await ok(
        gateway.admin<ModelView>('POST', '/models', {
          id: 'embed-a',
          kind: 'embedding',
          dimension: 64,
          deployments: [{ providerId: 'echo-1', upstreamModel: 'echo' }],
        }),
      );
      expect(created).toMatchObject({ kind: 'embedding', dimension: 64, capabilities: { streaming: false } });
    });

    it('refuses deployments on an unknown provider, naming it', async () => {
      const result = await gateway.admin('POST', '/models', {
        id: 'chat-ghost',
        kind: 'chat',
        deployments: [
          { providerId: 'echo-1', upstreamModel: 'echo' },
          { providerId: 'ghost-provider', upstreamModel: 'x' },
        ],
      });
      expect(expectFieldError(result, 'deployments[1].providerId')).toBe(
        'provider ghost-provider does not exist',
      );
      expect((result.json as { detail: string }).detail).toBe('provider ghost-provider does not exist');
      expectProblem(await gateway.admin('GET', '/models/chat-ghost'), 404, 'not_found');
    });

    it('lists and reads models', async () => {
      const list = await ok(gateway.admin<{ data: ModelView[] }>('GET', '/models'));
      expect(list.data.map((model) => model.id)).toEqual(['chat-a', 'embed-a']);
      const read = await ok(gateway.admin<ModelView>('GET', '/models/chat-a'));
      expect(read).toEqual(list.data[0]);
    });

    it('replaces the pool when deployments are patched, and keeps it otherwise', async () => {
      const patched = await ok(
        gateway.admin<ModelView>('PATCH', '/models/chat-a', {
          deployments: [
            { providerId: 'echo-2', upstreamModel: 'echo-two', weight: 3 },
            { providerId: 'echo-1', upstreamModel: 'echo-one', weight: 0 },
          ],
        }),
      );
      expect(patched.deployments).toEqual([
        { providerId: 'echo-2', upstreamModel: 'echo-two', weight: 3, priority: 0 },
        { providerId: 'echo-1', upstreamModel: 'echo-one', weight: 0, priority: 0 },
      ]);
      const described = await ok(
        gateway.admin<ModelView>('PATCH', '/models/chat-a', {
          description: null,
          capabilities: { tools: true },
        }),
      );
      expect(described.description).toBeNull();
      expect(described.capabilities).toEqual({
        streaming: true,
        tools: true,
        vision: false,
        jsonMode: false,
      });
      expect(described.deployments).toEqual(patched.deployments);
      const bad = await gateway.admin('PATCH', '/models/chat-a', {
        deployments: [{ providerId: 'nope', upstreamModel: 'x' }],
      });
      expectFieldError(bad, 'deployments[0].providerId');
      expect((await ok(gateway.admin<ModelView>('GET', '/models/chat-a'))).deployments).toEqual(
        patched.deployments,
      );
      expectProblem(await gateway.admin('PATCH', '/models/nope', { enabled: false }), 404, 'not_found');
    });

    it('refuses a duplicate model with 409', async () => {
      const duplicate = await gateway.admin('POST', '/models', {
        id: 'chat-a',
        kind: 'chat',
        deployments: [{ providerId: 'echo-1', upstreamModel: 'echo' }],
      });
      expect(expectProblem(duplicate, 409, 'conflict').detail).toBe('A model named chat-a already exists');
    });

    it('deletes a model, then answers 404 for it', async () => {
      const deleted = await gateway.admin('DELETE', '/models/embed-a');
      expect(deleted.status).toBe(204);
      expectProblem(await gateway.admin('GET', '/models/embed-a'), 404, 'not_found');
      expectProblem(await gateway.admin('DELETE', '/models/embed-a'), 404, 'not_found');
    });
  });

  describe('teams and keys', () => {
    let team: TeamView;

    it('creates a team and refuses a duplicate name', async () => {
      const name = `team-${unique()}`;
      const created = await gateway.admin<TeamView>('POST', '/teams', { name, description: 'builders' });
      expect(created.status).toBe(201);
      team = created.json;
      expect(team).toMatchObject({ name, description: 'builders' });
      expect(team.id).toMatch(/^team_/);
      expect(await ok(gateway.admin<TeamView>('GET', `/teams/${team.id}`))).toEqual(team);
      const duplicate = await gateway.admin('POST', '/teams', { name });
      expect(expectProblem(duplicate, 409, 'conflict').detail).toBe(`A team named ${name} already exists`);
    });

    it('issues a key whose secret appears once, never with its hash', async () => {
      const created = await gateway.admin<KeyCreated>('POST', '/keys', {
        name: 'ci',
        teamId: team.id,
        consumer: 'pipeline',
      });
      expect(created.status).toBe(201);
      const { key, secret } = created.json;
      expect(secret).toMatch(/^jk_[A-Za-z0-9_-]{43}$/);
      expect(key).toMatchObject({
        name: 'ci',
        teamId: team.id,
        environment: 'production',
        consumer: 'pipeline',
        expiresAt: null,
        revokedAt: null,
        prefix: secret.slice(0, 9),
      });
      const hash = hashSecret(secret);
      expect(created.text).not.toContain(hash);
      const list = await gateway.admin<{ data: KeyView[] }>('GET', '/keys');
      const read = await gateway.admin<KeyView>('GET', `/keys/${key.id}`);
      expect(read.json).toEqual(key);
      expect(list.json.data).toContainEqual(key);
      for (const text of [list.text, read.text]) {
        expect(text).not.toContain(secret);
        expect(text).not.toContain(secret.slice(9));
        expect(text).not.toContain(hash);
      }
      expect(Object.keys(read.json).sort()).toEqual(
        [
          'consumer',
          'createdAt',
          'environment',
          'expiresAt',
          'id',
          'metadata',
          'name',
          'prefix',
          'revokedAt',
          'routing',
          'teamId',
          'allowedModels',
          'residency',
          'residencyHeader',
          'requestsPerMinute',
          'tokensPerMinute',
          'captureBodies',
          'previousSecretExpiresAt',
        ].sort(),
      );
    });

    it('refuses a key for an unknown team or with a past expiry', async () => {
      const unknownTeam = await gateway.admin('POST', '/keys', { name: 'x', teamId: 'team_nope' });
      expect(expectFieldError(unknownTeam, 'teamId')).toBe('team team_nope does not exist');
      const past = await gateway.admin('POST', '/keys', {
        name: 'x',
        teamId: team.id,
        expiresAt: new Date(Date.now() - 60_000).toISOString(),
      });
      expect(expectFieldError(past, 'expiresAt')).toBe('expiresAt must be in the future');
      const future = new Date(Date.now() + 3_600_000).toISOString();
      const expiring = await ok(
        gateway.admin<KeyCreated>('POST', '/keys', { name: 'x', teamId: team.id, expiresAt: future }),
      );
      expect(expiring.key.expiresAt).toBe(future);
    });

    it('revokes a key so that the very next data-plane request is refused', async () => {
      const { key, secret } = await ok(
        gateway.admin<KeyCreated>('POST', '/keys', { name: 'rev', teamId: team.id }),
      );
      expect((await chat(gateway, secret, 'chat-a')).status).toBe(200);
      const revoked = await gateway.admin<KeyView>('POST', `/keys/${key.id}/revoke`);
      expect(revoked.status).toBe(200);
      expect(revoked.json.revokedAt).not.toBeNull();
      expect(Date.parse(revoked.json.revokedAt!)).toBeGreaterThanOrEqual(Date.parse(key.createdAt));
      const refused = await chat(gateway, secret, 'chat-a');
      expect(refused.status).toBe(401);
      expect((refused.json as { error: { code: string } }).error.code).toBe('invalid_api_key');
      expect((await ok(gateway.admin<KeyView>('GET', `/keys/${key.id}`))).revokedAt).toBe(
        revoked.json.revokedAt,
      );
      const again = await ok(gateway.admin<KeyView>('POST', `/keys/${key.id}/revoke`));
      expect(again.revokedAt).toBe(revoked.json.revokedAt);
      expectProblem(await gateway.admin('POST', '/keys/key_nope/revoke'), 404, 'not_found');
      expectProblem(await gateway.admin('GET', '/keys/key_nope'), 404, 'not_found');
    });

    it('refuses to delete a team that has keys, and deletes an empty one', async () => {
      const refused = expectProblem(await gateway.admin('DELETE', `/teams/${team.id}`), 409, 'in_use');
      expect(refused.detail).toBe(
        `Team ${team.id} has issued API keys and is kept for their history; revoke its keys instead of deleting it`,
      );
      const empty = await ok(gateway.admin<TeamView>('POST', '/teams', { name: `empty-${unique()}` }));
      expect((await gateway.admin('DELETE', `/teams/${empty.id}`)).status).toBe(204);
      expectProblem(await gateway.admin('GET', `/teams/${empty.id}`), 404, 'not_found');
      expectProblem(await gateway.admin('DELETE', `/teams/${empty.id}`), 404, 'not_found');
      const teams = await ok(gateway.admin<{ data: TeamView[] }>('GET', '/teams'));
      expect(teams.data.map((entry) => entry.id)).toContain(team.id);
      expect(teams.data.map((entry) => entry.id)).not.toContain(empty.id);
    });
  });

  describe('snapshot version', () => {
    it('rises by exactly one per successful change, not at all for a rejected one, and reaches the data plane', async () => {
      const { secret } = await gateway.createKey();
      let expected = await snapshotVersion(gateway);
      const dataPlaneVersion = async () => {
        const answer = await chat(gateway, secret, 'chat-a');
        expect(answer.status).toBe(200);
        return Number(answer.headers['x-junction-snapshot-version']);
      };
      expect(await dataPlaneVersion()).toBe(expected);
      const teamName = `snap-${unique()}`;
      const steps: Array<[string, () => Promise<{ status: number }>, boolean]> = [
        [
          'create provider',
          () => gateway.admin('POST', '/providers', { id: 'snap-p', type: 'echo', displayName: 'S' }),
          true,
        ],
        [
          'duplicate provider',
          () => gateway.admin('POST', '/providers', { id: 'snap-p', type: 'echo', displayName: 'S' }),
          false,
        ],
        ['patch provider', () => gateway.admin('PATCH', '/providers/snap-p', { displayName: 'S2' }), true],
        [
          'patch missing provider',
          () => gateway.admin('PATCH', '/providers/none', { displayName: 'x' }),
          false,
        ],
        [
          'invalid provider',
          () => gateway.admin('POST', '/providers', { id: 'Bad', type: 'echo', displayName: 'x' }),
          false,
        ],
        [
          'create model',
          () =>
            gateway.admin('POST', '/models', {
              id: 'snap-m',
              kind: 'chat',
              deployments: [{ providerId: 'snap-p', upstreamModel: 'e' }],
            }),
          true,
        ],
        [
          'model on unknown provider',
          () =>
            gateway.admin('POST', '/models', {
              id: 'snap-x',
              kind: 'chat',
              deployments: [{ providerId: 'nope', upstreamModel: 'e' }],
            }),
          false,
        ],
        ['patch model', () => gateway.admin('PATCH', '/models/snap-m', { enabled: false }), true],
        ['delete used provider', () => gateway.admin('DELETE', '/providers/snap-p'), false],
        ['delete model', () => gateway.admin('DELETE', '/models/snap-m'), true],
        ['delete provider', () => gateway.admin('DELETE', '/providers/snap-p'), true],
        ['delete missing provider', () => gateway.admin('DELETE', '/providers/snap-p'), false],
        ['create team', () => gateway.admin('POST', '/teams', { name: teamName }), true],
        ['duplicate team', () => gateway.admin('POST', '/teams', { name: teamName }), false],
        [
          'key for unknown team',
          () => gateway.admin('POST', '/keys', { name: 'k', teamId: 'team_none' }),
          false,
        ],
        ['revoke missing key', () => gateway.admin('POST', '/keys/key_none/revoke'), false],
        ['read status', () => gateway.admin('GET', '/status'), false],
      ];
      for (const [label, step, succeeds] of steps) {
        const result = await step();
        expect(result.status < 300, label).toBe(succeeds || label === 'read status');
        if (succeeds) expected += 1;
        expect(await snapshotVersion(gateway), label).toBe(expected);
        expect(await dataPlaneVersion(), label).toBe(expected);
      }
    });
  });
});
