import { generateKeyPairSync } from 'node:crypto';
import { SignJWT } from 'jose';
import { request } from 'undici';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { AdapterTarget, ProviderAdapter, ResponseContext } from '../../src/core/providers/adapter.js';
import { geminiAdapter } from '../../src/core/providers/gemini/index.js';
import { vertexAdapter } from '../../src/core/providers/vertex/index.js';
import { runStream, sseEvents } from '../support/adapter-conformance.js';
import { type FakeUpstream, startFakeUpstream } from './fake-upstream.js';
import { agent, fetchText } from './fake-upstream-test-client.js';
import {
  batchEmbedContentsReply,
  geminiResponse,
  googleErrorReply,
  googleHandler,
  oauthTokenHandler,
  streamGenerateContentReply,
  vertexPredictReply,
} from './google-protocol.js';

const capabilities = { streaming: true, tools: true, vision: true, jsonMode: true };
const geminiTarget: AdapterTarget = {
  providerId: 'gemini-test',
  upstreamModel: 'gemini-2.5-flash',
  region: null,
  basePath: '/v1beta',
  settings: {},
  capabilities,
  dimension: null,
};
const vertexTarget: AdapterTarget = {
  ...geminiTarget,
  providerId: 'vertex-test',
  region: 'europe-west4',
  basePath: '',
  settings: { projectId: 'acme-prod' },
};

let upstream: FakeUpstream;

beforeAll(async () => {
  upstream = await startFakeUpstream({ defaultReplies: false });
});

afterAll(async () => {
  await upstream.close();
});

beforeEach(() => upstream.reset());

const contextFor = (target: AdapterTarget): ResponseContext => ({
  requestedModel: 'm',
  responseId: 'chatcmpl-h',
  created: 1,
  includeUsage: true,
  target,
});

/** Builds with the adapter, sends to the fake with the given auth header, and returns status and body. */
async function send(
  adapter: ProviderAdapter,
  target: AdapterTarget,
  request: Record<string, unknown>,
  headers: Record<string, string>,
  endpoint: 'chat' | 'embeddings' = 'chat',
) {
  const input = { request: request as never, bodyText: '', target };
  const build = endpoint === 'chat' ? adapter.buildChat(input) : adapter.buildEmbeddings?.(input);
  if (!build?.ok) throw new Error('build failed');
  const { path, body, framing } = build.request;
  const answer = await fetchText(upstream, path, { method: 'POST', body: JSON.parse(body), headers });
  return { ...answer, framing };
}

describe('googleHandler', () => {
  it('answers a Gemini API chat with the last user text when the API key matches', async () => {
    upstream.on({ reply: googleHandler({ apiKey: 'k-1' }) });
    const request = { model: 'm', messages: [{ role: 'user', content: 'hello there' }] };
    const answer = await send(geminiAdapter, geminiTarget, request, { 'x-goog-api-key': 'k-1' });
    expect(answer.status).toBe(200);
    const parsed = geminiAdapter.parseChat?.(answer.text, contextFor(geminiTarget));
    expect(parsed?.ok && parsed.body.choices[0]?.message.content).toBe('fake:hello there');
    expect(parsed?.ok && parsed.usage).toMatchObject({ prompt_tokens: 2, completion_tokens: 2 });
  });

  it('refuses a wrong or missing API key the way Google does', async () => {
    upstream.on({ reply: googleHandler({ apiKey: 'k-1' }) });
    const request = { model: 'm', messages: [{ role: 'user', content: 'hi' }] };
    const wrong = await send(geminiAdapter, geminiTarget, request, { 'x-goog-api-key': 'nope' });
    expect(wrong.status).toBe(400);
    expect(geminiAdapter.readError(400, wrong.text)).toEqual({
      message: 'API key not valid. Please pass a valid API key.',
      providerCode: 'INVALID_ARGUMENT',
    });
    const missing = await send(geminiAdapter, geminiTarget, request, {});
    expect(missing.status).toBe(403);
  });

  it('streams a Vertex chat word by word behind a bearer token', async () => {
    upstream.on({ reply: googleHandler({ bearerToken: () => 'tok-1' }) });
    const request = { model: 'm', stream: true, messages: [{ role: 'user', content: 'one two three' }] };
    const denied = await send(vertexAdapter, vertexTarget, request, { authorization: 'Bearer tok-0' });
    expect(denied.status).toBe(401);
    const answer = await send(vertexAdapter, vertexTarget, request, { authorization: 'Bearer tok-1' });
    expect(answer.framing).toBe('sse');
    expect(answer.headers['content-type']).toBe('text/event-stream');
    const mapper = vertexAdapter.createStreamMapper?.(contextFor(vertexTarget));
    if (!mapper) throw new Error('no stream mapper');
    const outcome = runStream(mapper, sseEvents(answer.text));
    expect(outcome.end).toBe('done');
    const text = outcome.chunks.map((chunk) => chunk.choices[0]?.delta.content ?? '').join('');
    expect(text).toBe('fake:one two three');
    expect(outcome.chunks.filter((chunk) => chunk.choices[0]?.delta.content).length).toBe(3);
    expect(outcome.usage).toMatchObject({ prompt_tokens: 3, completion_tokens: 3 });
  });

  it('answers with a function call when the tool config demands one', async () => {
    upstream.on({ reply: googleHandler() });
    const request = {
      model: 'm',
      messages: [{ role: 'user', content: 'time?' }],
      tools: [
        { type: 'function', function: { name: 'get_weather', parameters: { type: 'object' } } },
        { type: 'function', function: { name: 'get_time', parameters: { type: 'object' } } },
      ],
      tool_choice: { type: 'function', function: { name: 'get_time' } },
    };
    const answer = await send(geminiAdapter, geminiTarget, request, {});
    const parsed = geminiAdapter.parseChat?.(answer.text, contextFor(geminiTarget));
    expect(parsed?.ok && parsed.body.choices[0]).toMatchObject({
      finish_reason: 'tool_calls',
      message: { tool_calls: [{ id: 'call_0', function: { name: 'get_time', arguments: '{}' } }] },
    });
  });

  it('embeds through batchEmbedContents and predict with the requested size', async () => {
    upstream.on({ reply: googleHandler() });
    const request = { model: 'e', input: ['a b', 'c'], dimensions: 3 };
    const gemini = await send(geminiAdapter, geminiTarget, request, {}, 'embeddings');
    const geminiParsed = geminiAdapter.parseEmbeddings?.(gemini.text, contextFor(geminiTarget));
    expect(
      geminiParsed?.ok && geminiParsed.body.data.map((item) => (item.embedding as number[]).length),
    ).toEqual([3, 3]);
    const vertex = await send(vertexAdapter, vertexTarget, request, {}, 'embeddings');
    const vertexParsed = vertexAdapter.parseEmbeddings?.(vertex.text, contextFor(vertexTarget));
    expect(vertexParsed?.ok && vertexParsed.body.usage).toEqual({ prompt_tokens: 3, total_tokens: 3 });
  });

  it('answers unknown paths with a Google 404 and non-SSE streams with a JSON array', async () => {
    upstream.on({ reply: googleHandler() });
    const missing = await fetchText(upstream, '/v1beta/models', { method: 'GET' });
    expect(missing.status).toBe(404);
    expect(JSON.parse(missing.text).error.status).toBe('NOT_FOUND');
    const array = await fetchText(upstream, '/v1beta/models/x:streamGenerateContent', {
      body: { contents: [{ role: 'user', parts: [{ text: 'hi' }] }] },
    });
    expect(Array.isArray(JSON.parse(array.text))).toBe(true);
  });
});

describe('reply builders', () => {
  const events = [
    geminiResponse([{ text: 'Hel' }]),
    geminiResponse([{ text: 'lo' }], { finishReason: 'STOP' }),
  ];

  it('streams events without [DONE], and can cut or drop the finish reason', async () => {
    const path = '/v1beta/models/m:streamGenerateContent';
    const outcomeOf = async () => {
      const answer = await fetchText(upstream, `${path}?alt=sse`, { body: {} }).catch(() => undefined);
      const mapper = geminiAdapter.createStreamMapper?.(contextFor(geminiTarget));
      if (!mapper) throw new Error('no stream mapper');
      return { answer, outcome: runStream(mapper, sseEvents(answer?.text ?? '')) };
    };
    upstream.enqueue('POST', path, streamGenerateContentReply(events));
    const whole = await outcomeOf();
    expect(whole.answer?.text).not.toContain('[DONE]');
    expect(whole.outcome.end).toBe('done');
    upstream.enqueue('POST', path, streamGenerateContentReply(events, { withoutFinishReason: true }));
    expect((await outcomeOf()).outcome.end).toBe('incomplete');
    upstream.enqueue('POST', path, streamGenerateContentReply(events, { cutAfter: 1, cut: 'close' }));
    expect((await outcomeOf()).outcome).toMatchObject({
      end: 'incomplete',
      chunks: [{}, { choices: [{ delta: { content: 'Hel' } }] }],
    });
  });

  it('writes Google error bodies and embedding answers', async () => {
    upstream.enqueue(
      'POST',
      '/e',
      googleErrorReply(429, 'quota'),
      batchEmbedContentsReply([[1, 2]]),
      vertexPredictReply([[3]], [7]),
    );
    const error = await fetchText(upstream, '/e', { body: {} });
    expect(error.status).toBe(429);
    expect(JSON.parse(error.text)).toEqual({
      error: { code: 429, message: 'quota', status: 'RESOURCE_EXHAUSTED' },
    });
    expect(JSON.parse((await fetchText(upstream, '/e', { body: {} })).text)).toEqual({
      embeddings: [{ values: [1, 2] }],
    });
    expect(
      JSON.parse((await fetchText(upstream, '/e', { body: {} })).text).predictions[0].embeddings,
    ).toEqual({
      values: [3],
      statistics: { truncated: false, token_count: 7 },
    });
  });
});

describe('oauthTokenHandler', () => {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const audience = 'https://oauth2.googleapis.com/token';
  const assertion = (key = privateKey, lifetime = 3600) => {
    const now = Math.floor(Date.now() / 1000);
    return new SignJWT({ scope: 'https://www.googleapis.com/auth/cloud-platform' })
      .setProtectedHeader({ alg: 'RS256', typ: 'JWT' })
      .setIssuer('sa@p.iam.gserviceaccount.com')
      .setAudience(audience)
      .setIssuedAt(now)
      .setExpirationTime(now + lifetime)
      .sign(key);
  };
  const grant = async (form: Record<string, string>) => {
    const response = await request(`${upstream.url}/token`, {
      dispatcher: agent,
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(form).toString(),
    });
    return { status: response.statusCode, body: (await response.body.json()) as Record<string, unknown> };
  };

  it('grants a token for a valid assertion and refuses everything else', async () => {
    upstream.on({
      path: '/token',
      reply: oauthTokenHandler({
        publicKey,
        audience,
        clientEmail: 'sa@p.iam.gserviceaccount.com',
        expiresIn: 120,
      }),
    });
    const jwtBearer = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
    expect(await grant({ grant_type: jwtBearer, assertion: await assertion() })).toEqual({
      status: 200,
      body: { access_token: 'fake-access-token-1', expires_in: 120, token_type: 'Bearer' },
    });
    const other = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
    expect(await grant({ grant_type: jwtBearer, assertion: await assertion(other) })).toEqual({
      status: 400,
      body: { error: 'invalid_grant', error_description: 'Invalid JWT Signature.' },
    });
    expect(
      (await grant({ grant_type: jwtBearer, assertion: await assertion(privateKey, 7200) })).body.error,
    ).toBe('invalid_grant');
    expect((await grant({ grant_type: 'client_credentials' })).body.error).toBe('unsupported_grant_type');
  });
});
