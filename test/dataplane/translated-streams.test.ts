/**
 * Test plan S1 and S2 for translated streams: an Anthropic, Bedrock or Gemini stream that is reset, stalls, or
 * ends without its terminal event reaches the client as an error event with no `[DONE]`; a complete one ends
 * with `[DONE]`. Also: ignored parameters are named in `x-junction-warnings`, a request needing a capability the
 * model lacks is refused before any upstream is called, and a member that cannot serve a request is skipped.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  anthropicMessage,
  anthropicRoute,
  anthropicSseReply,
  anthropicStreamEvents,
} from '../harness/anthropic-protocol.js';
import { bedrockHandler, converseStreamMessages, converseStreamReply } from '../harness/bedrock-protocol.js';
import { type FakeUpstream, startFakeUpstream } from '../harness/fake-upstream.js';
import { geminiResponse, googleHandler, streamGenerateContentReply } from '../harness/google-protocol.js';
import { ok, startTestGateway, type TestGateway } from '../support/gateway.js';
import { chat, expectOpenAIError, sseData, streamRequest } from './helpers.js';

const IDLE_MS = 300;
const capable = { streaming: true, tools: true, vision: true, jsonMode: true };
const AWS = { accessKeyId: 'AKIASTREAMTEST000001', secretAccessKey: 'stream-test-secret-key-0000000' };

let gateway: TestGateway;
let fake: FakeUpstream;
let key: string;

beforeAll(async () => {
  fake = await startFakeUpstream({ defaultReplies: false });
  fake.on(anthropicRoute({ apiKey: 'sk-ant-stream-test-000000000' }));
  fake.on({ path: /\/model\//, reply: bedrockHandler({ credentials: AWS, region: 'us-east-1' }) });
  fake.on({ path: /\/v1beta\//, reply: googleHandler({ apiKey: 'AIza-stream-test-0000000000' }) });
  gateway = await startTestGateway({ config: { streamIdleTimeoutMs: IDLE_MS, firstByteTimeoutMs: 2_000 } });
  const providers = [
    {
      id: 'anthropic-s',
      type: 'anthropic',
      baseUrl: `${fake.url}/v1`,
      apiKey: 'sk-ant-stream-test-000000000',
    },
    { id: 'bedrock-s', type: 'bedrock', region: 'us-east-1', baseUrl: fake.url, awsCredentials: AWS },
    { id: 'gemini-s', type: 'gemini', baseUrl: `${fake.url}/v1beta`, apiKey: 'AIza-stream-test-0000000000' },
  ];
  for (const provider of providers) {
    await ok(gateway.admin('POST', '/providers', { displayName: provider.id, ...provider }));
  }
  const models: Array<[string, string, string]> = [
    ['claude', 'anthropic-s', 'claude-sonnet-4-5'],
    ['claude-bedrock', 'bedrock-s', 'anthropic.claude-3-haiku'],
    ['gemini', 'gemini-s', 'gemini-2.5-flash'],
  ];
  for (const [id, providerId, upstreamModel] of models) {
    await ok(
      gateway.admin('POST', '/models', {
        id,
        kind: 'chat',
        capabilities: capable,
        deployments: [{ providerId, upstreamModel }],
      }),
    );
  }
  await ok(
    gateway.admin('POST', '/models', {
      id: 'plain-chat',
      kind: 'chat',
      deployments: [{ providerId: 'anthropic-s', upstreamModel: 'claude-sonnet-4-5' }],
    }),
  );
  await ok(
    gateway.admin('POST', '/models', {
      id: 'bedrock-then-claude',
      kind: 'chat',
      capabilities: capable,
      deployments: [
        { providerId: 'bedrock-s', upstreamModel: 'anthropic.claude-3-haiku', weight: 1000 },
        { providerId: 'anthropic-s', upstreamModel: 'claude-sonnet-4-5', weight: 1 },
      ],
    }),
  );
  key = (await gateway.createKey()).secret;
});
afterAll(async () => {
  await gateway?.close();
  await fake?.close();
});

const streamOf = (model: string) =>
  streamRequest(gateway.url, { key, body: chat(model, 'one two three four five', { stream: true }) });

/** Asserts the client saw some content, then an error event, and no [DONE]. */
function expectCutWithError(text: string, code: string) {
  const data = sseData(text);
  expect(data).not.toContain('[DONE]');
  const last = JSON.parse(data.at(-1)!) as { error?: { code: string } };
  expect(last.error?.code, text).toBe(code);
  expect(data.length).toBeGreaterThan(1);
}

const message = anthropicMessage({ content: [{ type: 'text', text: 'one two three four five' }] });

describe('translated streams end with an error and no [DONE] when the upstream fails them', () => {
  it('complete Anthropic stream: chunks, then [DONE]', async () => {
    const result = await streamOf('claude');
    const data = sseData(result.text);
    expect(data.at(-1)).toBe('[DONE]');
    expect(JSON.parse(data[0]!).object).toBe('chat.completion.chunk');
  });

  it('Anthropic: reset mid-stream', async () => {
    fake.enqueue(
      'POST',
      /\/messages$/,
      anthropicSseReply(anthropicStreamEvents(message), { afterEvents: 4, end: 'reset' }),
    );
    expectCutWithError((await streamOf('claude')).text, 'stream_interrupted');
  });

  it('Anthropic: stalls mid-stream past the idle timeout', async () => {
    fake.enqueue(
      'POST',
      /\/messages$/,
      anthropicSseReply(anthropicStreamEvents(message), { afterEvents: 4, end: 'stall' }),
    );
    const result = await streamOf('claude');
    expectCutWithError(result.text, 'upstream_timeout');
    expect(result.endedAt - result.startedAt).toBeGreaterThanOrEqual(IDLE_MS - 20);
  });

  it('Anthropic: closes cleanly without message_stop', async () => {
    const events = anthropicStreamEvents(message).filter((event) => event.event !== 'message_stop');
    fake.enqueue('POST', /\/messages$/, anthropicSseReply(events));
    expectCutWithError((await streamOf('claude')).text, 'stream_interrupted');
  });

  it('Bedrock: ConverseStream ends without messageStop and metadata', async () => {
    const messages = converseStreamMessages({ pieces: ['one ', 'two ', 'three'] });
    fake.enqueue('POST', /\/converse-stream$/, converseStreamReply(messages, { omitTerminal: true }));
    expectCutWithError((await streamOf('claude-bedrock')).text, 'stream_interrupted');
  });

  it('Bedrock: an exception message mid-stream becomes the error event', async () => {
    const messages = converseStreamMessages({ pieces: ['one ', 'two ', 'three'] });
    fake.enqueue(
      'POST',
      /\/converse-stream$/,
      converseStreamReply(messages, {
        exception: { type: 'throttlingException', message: 'Too many tokens', afterMessages: 2 },
      }),
    );
    const text = (await streamOf('claude-bedrock')).text;
    expectCutWithError(text, 'upstream_error');
    expect(text).toContain('Too many tokens');
  });

  it('Gemini: the stream ends without a finishReason', async () => {
    const events = ['one ', 'two'].map((piece) =>
      geminiResponse([{ text: piece }], { finishReason: 'STOP' }),
    );
    fake.enqueue(
      'POST',
      /:streamGenerateContent/,
      streamGenerateContentReply(events, { withoutFinishReason: true }),
    );
    expectCutWithError((await streamOf('gemini')).text, 'stream_interrupted');
  });
});

describe('parameters and capabilities', () => {
  it('names ignored parameters in x-junction-warnings', async () => {
    const result = await gateway.call(
      'POST',
      '/v1/chat/completions',
      chat('claude', 'hi', { frequency_penalty: 0.5, logit_bias: { '50256': -100 } }),
      key,
    );
    expect(result.status, result.text).toBe(200);
    const warnings = String(result.headers['x-junction-warnings']);
    expect(warnings).toContain('frequency_penalty');
    expect(warnings).toContain('logit_bias');
  });

  it('refuses tools for a model not declared with them, before calling any upstream', async () => {
    const before = fake.requests.length;
    const result = await gateway.call(
      'POST',
      '/v1/chat/completions',
      chat('plain-chat', 'hi', {
        tools: [{ type: 'function', function: { name: 'f', parameters: { type: 'object' } } }],
      }),
      key,
    );
    const error = expectOpenAIError(result, 400, 'unsupported_parameter');
    expect(error.param).toBe('tools');
    expect(fake.requests.length).toBe(before);
  });

  it('skips a member that cannot serve the request and serves from the next', async () => {
    // Converse needs image bytes; an image URL is for Anthropic, which fetches it.
    const body = chat('bedrock-then-claude', 'x');
    body.messages = [
      {
        role: 'user',
        content: [
          { type: 'text', text: 'what is this?' },
          { type: 'image_url', image_url: { url: 'https://example.com/cat.png' } },
        ],
      },
    ];
    const result = await gateway.call('POST', '/v1/chat/completions', body, key);
    expect(result.status, result.text).toBe(200);
    expect(result.headers['x-junction-backend']).toBe('anthropic-s/claude-sonnet-4-5');
    expect(result.headers['x-junction-attempts']).toBe('2');
  });
});
