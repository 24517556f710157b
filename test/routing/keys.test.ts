/**
 * API key controls through the admin API and the data plane: rotation with a grace period for the old secret,
 * allowed models, and residency (a key, or a request the key lets choose, bound to entries labelled with a
 * geography, fallback included, failing clearly rather than leaving it).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chat } from '../dataplane/helpers.js';
import { ok, startTestGateway, type TestGateway } from '../support/gateway.js';

const CHAT = '/v1/chat/completions';
let gateway: TestGateway;

beforeAll(async () => {
  gateway = await startTestGateway();
  const provider = (id: string, geography: string) =>
    ok(gateway.admin('POST', '/providers', { id, type: 'echo', displayName: id, labels: { geography } }));
  await provider('echo-eu', 'eu');
  await provider('echo-us', 'us');
  await ok(
    gateway.admin('POST', '/models', {
      id: 'chat',
      kind: 'chat',
      deployments: [
        { providerId: 'echo-us', upstreamModel: 'echo', weight: 1000 },
        { providerId: 'echo-eu', upstreamModel: 'echo', weight: 1 },
      ],
    }),
  );
  await ok(
    gateway.admin('POST', '/models', {
      id: 'us-only',
      kind: 'chat',
      deployments: [{ providerId: 'echo-us', upstreamModel: 'echo' }],
    }),
  );
});
afterAll(async () => {
  await gateway?.close();
});

describe('changing a key', () => {
  it('answers an empty change with the key as it is, and an unknown key with 404', async () => {
    const key = await gateway.createKey();
    const unchanged = await ok(
      gateway.admin<{ id: string; residency: null }>('PATCH', `/keys/${key.id}`, {}),
    );
    expect(unchanged).toMatchObject({ id: key.id, residency: null });
    expect((await gateway.admin('PATCH', '/keys/key_nope', {})).status).toBe(404);
    expect((await gateway.admin('PATCH', '/keys/key_nope', { residency: 'eu' })).status).toBe(404);
  });
});

describe('rotation', () => {
  it('issues a new secret and keeps the old one working for the grace period only', async () => {
    const key = await gateway.createKey();
    const rotated = await ok(
      gateway.admin<{ secret: string; key: { previousSecretExpiresAt: string } }>(
        'POST',
        `/keys/${key.id}/rotate`,
        {
          gracePeriodSeconds: 3600,
        },
      ),
    );
    expect(rotated.secret).not.toBe(key.secret);
    expect(Date.parse(rotated.key.previousSecretExpiresAt)).toBeGreaterThan(Date.now());
    expect((await gateway.call('POST', CHAT, chat('chat'), rotated.secret)).status).toBe(200);
    expect((await gateway.call('POST', CHAT, chat('chat'), key.secret)).status).toBe(200);

    const again = await ok(gateway.admin<{ secret: string }>('POST', `/keys/${key.id}/rotate`, {}));
    expect((await gateway.call('POST', CHAT, chat('chat'), again.secret)).status).toBe(200);
    expect((await gateway.call('POST', CHAT, chat('chat'), rotated.secret)).status).toBe(401);
    expect((await gateway.call('POST', CHAT, chat('chat'), key.secret)).status).toBe(401);
  });
});

describe('allowed models', () => {
  it('lets a key call only the model names it is allowed, others being unknown to it', async () => {
    const key = await gateway.createKey();
    await ok(gateway.admin('PATCH', `/keys/${key.id}`, { allowedModels: ['us-only'] }));
    expect((await gateway.call('POST', CHAT, chat('us-only'), key.secret)).status).toBe(200);
    const refused = await gateway.call<{ error: { code: string } }>('POST', CHAT, chat('chat'), key.secret);
    expect(refused.status).toBe(404);
    expect(refused.json.error.code).toBe('model_not_found');
  });
});

describe('residency', () => {
  it('keeps a key bound to eu on eu entries, even when the weights favour another', async () => {
    const key = await gateway.createKey();
    await ok(gateway.admin('PATCH', `/keys/${key.id}`, { residency: 'eu' }));
    for (let request = 0; request < 5; request++) {
      const result = await gateway.call('POST', CHAT, chat('chat'), key.secret);
      expect(result.headers['x-junction-backend']).toBe('echo-eu/echo');
    }
    const refused = await gateway.call<{ error: { code: string; message: string } }>(
      'POST',
      CHAT,
      chat('us-only'),
      key.secret,
    );
    expect(refused.status).toBe(503);
    expect(refused.json.error.message).toContain('geography=eu');
  });

  it('lets a request choose its geography only when the key allows the header', async () => {
    const allowing = await gateway.createKey();
    await ok(gateway.admin('PATCH', `/keys/${allowing.id}`, { residencyHeader: true }));
    const bound = await gateway.call('POST', CHAT, chat('chat'), allowing.secret, {
      'x-junction-residency': 'eu',
    });
    expect(bound.headers['x-junction-backend']).toBe('echo-eu/echo');
    const other = await gateway.createKey();
    const ignored = await gateway.call('POST', CHAT, chat('us-only'), other.secret, {
      'x-junction-residency': 'eu',
    });
    expect(ignored.status).toBe(200);
  });
});
