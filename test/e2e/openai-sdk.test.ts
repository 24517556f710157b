/**
 * The official `openai` package pointed at Junction: chat (plain and streamed), embeddings and models, from a
 * fake OpenAI upstream and from the built-in echo provider; bad keys get the SDK's authentication error.
 */
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeUpstream, startFakeUpstream } from '../harness/fake-upstream.js';
import { ok, startTestGateway, type TestGateway } from '../support/gateway.js';

let gateway: TestGateway;
let upstream: FakeUpstream;
let key: { secret: string; id: string };

const client = (apiKey: string) => new OpenAI({ apiKey, baseURL: `${gateway.url}/v1`, maxRetries: 0 });

beforeAll(async () => {
  upstream = await startFakeUpstream();
  gateway = await startTestGateway();
  await ok(
    gateway.admin('POST', '/providers', {
      id: 'fake-openai',
      type: 'openai-compatible',
      displayName: 'Fake OpenAI',
      baseUrl: `${upstream.url}/v1`,
      apiKey: 'sk-fake-upstream-credential-1234',
    }),
  );
  await ok(gateway.admin('POST', '/providers', { id: 'echo', type: 'echo', displayName: 'Echo' }));
  await ok(
    gateway.admin('POST', '/models', {
      id: 'fake-chat',
      kind: 'chat',
      deployments: [{ providerId: 'fake-openai', upstreamModel: 'gpt-upstream' }],
    }),
  );
  await ok(
    gateway.admin('POST', '/models', {
      id: 'fake-embed',
      kind: 'embedding',
      dimension: 8,
      deployments: [{ providerId: 'fake-openai', upstreamModel: 'embed-upstream' }],
    }),
  );
  await ok(
    gateway.admin('POST', '/models', {
      id: 'echo-chat',
      kind: 'chat',
      deployments: [{ providerId: 'echo', upstreamModel: 'echo' }],
    }),
  );
  await ok(
    gateway.admin('POST', '/models', {
      id: 'echo-embed',
      kind: 'embedding',
      dimension: 32,
      deployments: [{ providerId: 'echo', upstreamModel: 'echo' }],
    }),
  );
  key = await gateway.createKey();
});

afterAll(async () => {
  await gateway?.close();
  await upstream?.close();
});

describe('openai SDK through Junction', () => {
  it('chats with the fake upstream, which receives the upstream model name and the provider credential', async () => {
    const completion = await client(key.secret).chat.completions.create({
      model: 'fake-chat',
      messages: [{ role: 'user', content: 'hello there' }],
    });
    expect(completion.choices[0]?.message.content).toBe('fake:hello there');
    const received = upstream.requests.at(-1)!;
    expect(received.path).toBe('/v1/chat/completions');
    expect(received.headers.authorization).toBe('Bearer sk-fake-upstream-credential-1234');
    expect((received.json as { model: string }).model).toBe('gpt-upstream');
  });

  it('streams from the fake upstream chunk by chunk', async () => {
    const stream = await client(key.secret).chat.completions.create({
      model: 'fake-chat',
      stream: true,
      stream_options: { include_usage: true },
      messages: [{ role: 'user', content: 'stream me please' }],
    });
    let text = '';
    let usageSeen = false;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? '';
      if (chunk.usage) usageSeen = true;
    }
    expect(text).toBe('fake:stream me please');
    expect(usageSeen).toBe(true);
  });

  it('embeds through the fake upstream (the SDK asks for base64 and decodes it)', async () => {
    const result = await client(key.secret).embeddings.create({ model: 'fake-embed', input: ['one', 'two'] });
    expect(result.data).toHaveLength(2);
    expect(result.data[0]?.embedding).toHaveLength(8);
  });

  it('chats and streams with the echo provider', async () => {
    const completion = await client(key.secret).chat.completions.create({
      model: 'echo-chat',
      messages: [{ role: 'user', content: 'ping' }],
    });
    expect(completion.choices[0]?.message.content).toBe('You said: ping');
    const stream = await client(key.secret).chat.completions.create({
      model: 'echo-chat',
      stream: true,
      messages: [{ role: 'user', content: 'one two three' }],
    });
    const pieces: string[] = [];
    for await (const chunk of stream) pieces.push(chunk.choices[0]?.delta.content ?? '');
    expect(pieces.join('')).toBe('You said: one two three');
    expect(pieces.filter((piece) => piece.length > 0).length).toBeGreaterThan(3);
  });

  it('embeds with the echo provider at the recorded dimension', async () => {
    const result = await client(key.secret).embeddings.create({ model: 'echo-embed', input: 'hello' });
    expect(result.data[0]?.embedding).toHaveLength(32);
  });

  it('lists exactly the models of the key', async () => {
    const models = [];
    for await (const model of client(key.secret).models.list()) models.push(model.id);
    expect(models.sort()).toEqual(['echo-chat', 'echo-embed', 'fake-chat', 'fake-embed']);
  });

  it('answers an unknown key and a revoked key with 401 in OpenAI format', async () => {
    await expect(client('jk_unknown-key-000000000000000000000').models.list()).rejects.toBeInstanceOf(
      OpenAI.AuthenticationError,
    );
    const revoked = await gateway.createKey();
    await client(revoked.secret).chat.completions.create({
      model: 'echo-chat',
      messages: [{ role: 'user', content: 'x' }],
    });
    await ok(gateway.admin('POST', `/keys/${revoked.id}/revoke`));
    const error = await client(revoked.secret)
      .chat.completions.create({ model: 'echo-chat', messages: [{ role: 'user', content: 'x' }] })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OpenAI.AuthenticationError);
    expect((error as InstanceType<typeof OpenAI.AuthenticationError>).code).toBe('invalid_api_key');
  });

  it('answers an unknown model with the SDK not-found error', async () => {
    const error = await client(key.secret)
      .chat.completions.create({ model: 'no-such-model', messages: [{ role: 'user', content: 'x' }] })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OpenAI.NotFoundError);
  });
});
