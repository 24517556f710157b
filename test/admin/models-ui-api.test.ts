/**
 * The admin API additions the Models page uses: verification of each member of a pool on its own
 * (`eachDeployment`), changing a model's kind, and the history of an alias (`GET /aliases/{id}/history`, from
 * the audit log).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ok, startTestGateway, type TestGateway } from '../support/gateway.js';
import { storeKinds } from '../support/stores.js';
import { expectFieldError, expectProblem } from './admin-helpers.js';

const kinds = await storeKinds();

interface MemberResult {
  providerId: string;
  upstreamModel: string;
  skipped?: string;
  ok: boolean;
  status: number;
  answer?: string;
  dimension?: number;
  dimensionMatches?: boolean;
}
interface Verification {
  ok: boolean;
  backend: string | null;
  deployments?: MemberResult[];
}
interface HistoryEntry {
  at: string;
  action: string;
  actor: string | null;
  fromModelId: string | null;
  toModelId: string | null;
}

describe.each(kinds)('models page API (%s store)', (kind) => {
  let gateway: TestGateway;
  beforeAll(async () => {
    gateway = await startTestGateway({ store: kind });
    await ok(gateway.admin('POST', '/providers', { id: 'echo-eu', type: 'echo', displayName: 'Echo EU' }));
    await ok(gateway.admin('POST', '/providers', { id: 'echo-us', type: 'echo', displayName: 'Echo US' }));
    await ok(
      gateway.admin('POST', '/providers', {
        id: 'echo-off',
        type: 'echo',
        displayName: 'Echo off',
        enabled: false,
      }),
    );
    await ok(
      gateway.admin('POST', '/models', {
        id: 'pool-2026-01',
        kind: 'chat',
        deployments: [
          { providerId: 'echo-eu', upstreamModel: 'echo', weight: 3, priority: 0 },
          { providerId: 'echo-us', upstreamModel: 'echo', weight: 1, priority: 1 },
          { providerId: 'echo-off', upstreamModel: 'echo' },
        ],
      }),
    );
    await ok(
      gateway.admin('POST', '/models', {
        id: 'pool-2026-02',
        kind: 'chat',
        deployments: [{ providerId: 'echo-us', upstreamModel: 'echo' }],
      }),
    );
    await ok(
      gateway.admin('POST', '/models', {
        id: 'vectors-a',
        kind: 'embedding',
        dimension: 32,
        deployments: [{ providerId: 'echo-eu', upstreamModel: 'echo' }],
      }),
    );
  });
  afterAll(async () => {
    await gateway?.close();
  });

  describe('verify each deployment', () => {
    it('reports every member of the pool on its own, skipping a disabled entry', async () => {
      const result = await ok(
        gateway.admin<Verification>('POST', '/models/pool-2026-01/verify', { eachDeployment: true }),
      );
      expect(result.ok).toBe(true);
      expect(result.deployments).toHaveLength(3);
      const [eu, us, off] = result.deployments!;
      expect(eu).toMatchObject({ providerId: 'echo-eu', upstreamModel: 'echo', ok: true, status: 200 });
      expect(eu!.answer?.length).toBeGreaterThan(0);
      expect(us).toMatchObject({ providerId: 'echo-us', ok: true, status: 200 });
      expect(off).toMatchObject({ providerId: 'echo-off', ok: false });
      expect(off!.skipped).toContain('disabled');
    });

    it('reports a member not active in the environment as skipped', async () => {
      const result = await ok(
        gateway.admin<Verification>('POST', '/models/pool-2026-02/verify', {
          environment: 'nowhere',
          eachDeployment: true,
        }),
      );
      expect(result.ok).toBe(false);
      expect(result.deployments).toEqual([
        expect.objectContaining({
          providerId: 'echo-us',
          ok: false,
          skipped: expect.stringContaining('nowhere'),
        }),
      ]);
    });

    it('checks the dimension of each embedding member', async () => {
      const result = await ok(
        gateway.admin<Verification>('POST', '/models/vectors-a/verify', { eachDeployment: true }),
      );
      expect(result.deployments).toEqual([
        expect.objectContaining({ providerId: 'echo-eu', ok: true, dimension: 32, dimensionMatches: true }),
      ]);
    });

    it('leaves the answer as it was without the flag', async () => {
      const result = await ok(gateway.admin<Verification>('POST', '/models/pool-2026-02/verify', {}));
      expect(result.ok).toBe(true);
      expect(result.deployments).toBeUndefined();
    });
  });

  describe('changing the kind', () => {
    it('turns a chat model into an embedding model only with a dimension, and back (dropping it)', async () => {
      await ok(
        gateway.admin('POST', '/models', {
          id: 'shifty',
          kind: 'chat',
          deployments: [{ providerId: 'echo-eu', upstreamModel: 'echo' }],
        }),
      );
      expect(
        expectFieldError(await gateway.admin('PATCH', '/models/shifty', { kind: 'embedding' }), 'dimension'),
      ).toBe('an embedding model needs its vector dimension');
      const embedding = await ok(
        gateway.admin<{ kind: string; dimension: number | null }>('PATCH', '/models/shifty', {
          kind: 'embedding',
          dimension: 32,
        }),
      );
      expect(embedding).toMatchObject({ kind: 'embedding', dimension: 32 });
      const chat = await ok(
        gateway.admin<{ kind: string; dimension: number | null }>('PATCH', '/models/shifty', {
          kind: 'chat',
        }),
      );
      expect(chat).toMatchObject({ kind: 'chat', dimension: null });
    });

    it('refuses to change the kind of a model an alias serves', async () => {
      await ok(gateway.admin('POST', '/aliases', { id: 'vectors', modelId: 'vectors-a' }));
      expect(
        expectFieldError(await gateway.admin('PATCH', '/models/vectors-a', { kind: 'chat' }), 'kind'),
      ).toContain('vectors');
      const model = await ok(gateway.admin<{ kind: string }>('GET', '/models/vectors-a'));
      expect(model.kind).toBe('embedding');
    });
  });

  describe('alias history', () => {
    it('lists creation, moves and rollback newest first, with the versions before and after', async () => {
      await ok(gateway.admin('POST', '/aliases', { id: 'pool', modelId: 'pool-2026-01' }));
      await ok(gateway.admin('POST', '/aliases/pool/move', { modelId: 'pool-2026-02' }));
      await ok(gateway.admin('POST', '/aliases/pool/rollback'));
      const history = await ok(gateway.admin<{ data: HistoryEntry[] }>('GET', '/aliases/pool/history'));
      expect(history.data.map((entry) => [entry.action, entry.fromModelId, entry.toModelId])).toEqual([
        ['aliases.rollback', 'pool-2026-02', 'pool-2026-01'],
        ['aliases.move', 'pool-2026-01', 'pool-2026-02'],
        ['aliases.create', null, 'pool-2026-01'],
      ]);
      for (const entry of history.data) {
        expect(entry.actor).toEqual(expect.any(String));
        expect(Number.isNaN(Date.parse(entry.at))).toBe(false);
      }
    });

    it('answers 404 for an alias that does not exist', async () => {
      expectProblem(await gateway.admin('GET', '/aliases/no-such-alias/history'), 404, 'not_found');
    });
  });
});
