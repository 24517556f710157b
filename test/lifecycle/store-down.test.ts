/**
 * The request path never awaits the store: with the store closed under it, the data plane keeps serving
 * chat, streams, embeddings and models from the snapshot in memory, while the admin API reports the failure.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addEchoChatModel, ok, startTestGateway, type TestGateway } from '../support/gateway.js';
import { storeKinds } from '../support/stores.js';

const kinds = await storeKinds();

describe.each(kinds)('with the %s store stopped', (kind) => {
  let gateway: TestGateway;
  let key: string;

  beforeAll(async () => {
    gateway = await startTestGateway({ store: kind });
    await addEchoChatModel(gateway);
    await ok(
      gateway.admin('POST', '/models', {
        id: 'embed',
        kind: 'embedding',
        dimension: 16,
        deployments: [{ providerId: 'echo', upstreamModel: 'echo' }],
      }),
    );
    key = (await gateway.createKey()).secret;
    await gateway.store.close();
  });

  afterAll(async () => {
    await gateway.close();
  });

  it('keeps serving chat, streams, embeddings and models', async () => {
    const chat = await gateway.call<{ choices: { message: { content: string } }[] }>(
      'POST',
      '/v1/chat/completions',
      { model: 'chat', messages: [{ role: 'user', content: 'still here?' }] },
      key,
    );
    expect(chat.status).toBe(200);
    expect(chat.json.choices[0]?.message.content).toBe('You said: still here?');
    const stream = await gateway.call(
      'POST',
      '/v1/chat/completions',
      { model: 'chat', stream: true, messages: [{ role: 'user', content: 'a b' }] },
      key,
    );
    expect(stream.status).toBe(200);
    expect(stream.text.trim().endsWith('data: [DONE]')).toBe(true);
    const embed = await gateway.call<{ data: { embedding: number[] }[] }>(
      'POST',
      '/v1/embeddings',
      { model: 'embed', input: 'x' },
      key,
    );
    expect(embed.json.data[0]?.embedding).toHaveLength(16);
    const models = await gateway.call<{ data: { id: string }[] }>('GET', '/v1/models', undefined, key);
    expect(models.json.data.map((model) => model.id)).toEqual(['chat', 'embed']);
    const unknown = await gateway.call('GET', '/v1/models', undefined, 'jk_not-a-key');
    expect(unknown.status).toBe(401);
  });

  it('keeps its health and readiness, and the admin API answers a problem instead of hanging', async () => {
    expect((await gateway.call('GET', '/healthz', undefined, undefined)).status).toBe(200);
    expect((await gateway.call('GET', '/readyz', undefined, undefined)).status).toBe(200);
    const admin = await gateway.admin('GET', '/providers');
    expect(admin.status).toBe(500);
    expect(admin.headers['content-type']).toContain('application/problem+json');
  });
});
