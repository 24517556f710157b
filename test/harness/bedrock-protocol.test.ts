import { Agent, request } from 'undici';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { AdapterTarget, ResponseContext, UpstreamEvent } from '../../src/core/providers/adapter.js';
import { bedrockAdapter } from '../../src/core/providers/bedrock/index.js';
import type { ChatCompletionRequest, EmbeddingsRequest } from '../../src/core/wire/openai.js';
import { createAwsSigner } from '../../src/dataplane/auth/aws-sigv4.js';
import {
  AwsEventStreamDecoder,
  loadAwsEventStreamCodec,
} from '../../src/dataplane/upstream/aws-event-stream.js';
import { runStream } from '../support/adapter-conformance.js';
import {
  bedrockError,
  bedrockHandler,
  converseStreamMessages,
  converseStreamReply,
  type StreamReplyOptions,
  verifySigV4,
} from './bedrock-protocol.js';
import { type FakeUpstream, startFakeUpstream } from './fake-upstream.js';

const credentials = { accessKeyId: 'AKIAFAKEBEDROCK', secretAccessKey: 'fake/secret' };
const region = 'us-west-2';
const agent = new Agent({ keepAliveTimeout: 1_000 });

describe('verifySigV4 on AWS test-suite requests', () => {
  const suite = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' };
  const now = new Date('2015-08-30T12:36:00Z');
  const getVanilla: { method: string; path: string; body: string; headers: Record<string, string> } = {
    method: 'GET',
    path: '/',
    body: '',
    headers: {
      host: 'example.amazonaws.com',
      'x-amz-date': '20150830T123600Z',
      authorization:
        'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31',
    },
  };

  it('accepts the published get-vanilla signature', () => {
    expect(verifySigV4(getVanilla, suite, 'us-east-1', 'service', { now })).toEqual({ ok: true });
  });

  it('rejects a changed request, a wrong scope, a stale date and an unexpected session token', () => {
    const verdict = (changes: Partial<typeof getVanilla>, scope = 'us-east-1', at = now) =>
      verifySigV4({ ...getVanilla, ...changes }, suite, scope, 'service', { now: at });
    expect(verdict({ path: '/other' })).toMatchObject({ ok: false, errorType: 'InvalidSignatureException' });
    expect(verdict({ method: 'POST' })).toMatchObject({ ok: false, errorType: 'InvalidSignatureException' });
    expect(verdict({}, 'eu-west-1')).toMatchObject({ ok: false, errorType: 'InvalidSignatureException' });
    expect(verdict({}, 'us-east-1', new Date('2015-08-30T13:00:00Z'))).toMatchObject({
      ok: false,
      message: 'Signature expired',
    });
    expect(verdict({ headers: { ...getVanilla.headers, 'x-amz-security-token': 't' } })).toMatchObject({
      ok: false,
      errorType: 'UnrecognizedClientException',
    });
    expect(verdict({ headers: { host: 'example.amazonaws.com' } })).toMatchObject({
      ok: false,
      errorType: 'UnrecognizedClientException',
    });
  });
});

describe('the fake Bedrock runtime', () => {
  beforeAll(() => loadAwsEventStreamCodec());
  let upstream: FakeUpstream;
  const target: AdapterTarget = {
    providerId: 'bedrock-fake',
    upstreamModel: 'anthropic.claude-3-haiku-20240307-v1:0',
    region,
    basePath: '/openai/v1',
    settings: {},
    capabilities: { streaming: true, tools: true, vision: true, jsonMode: true },
    dimension: null,
  };
  const context = (overrides: Partial<AdapterTarget> = {}): ResponseContext => ({
    requestedModel: 'claude',
    responseId: 'chatcmpl-fake',
    created: 1,
    includeUsage: true,
    target: { ...target, ...overrides },
  });

  beforeEach(async () => {
    upstream = await startFakeUpstream({ defaultReplies: false });
    upstream.on({ reply: bedrockHandler({ credentials, region, apiKey: 'bedrock-api-key-123' }) });
  });
  afterEach(async () => {
    await upstream.close();
  });
  afterAll(async () => {
    await agent.close();
  });

  /** Builds with the adapter, signs with Junction's signer, sends, and returns status, headers and bytes. */
  async function call(endpoint: 'chat' | 'embeddings', body: object, overrides: Partial<AdapterTarget> = {}) {
    const input = {
      request: body as never,
      bodyText: JSON.stringify(body),
      target: { ...target, ...overrides },
    };
    const built =
      endpoint === 'chat' ? bedrockAdapter.buildChat(input) : bedrockAdapter.buildEmbeddings!(input);
    if (!built.ok) throw built.error;
    const signer = createAwsSigner(credentials, region);
    const headers = await signer.sign({ origin: upstream.url, ...built.request });
    const response = await request(`${upstream.url}${built.request.path}`, {
      dispatcher: agent,
      method: 'POST',
      headers,
      body: built.request.body,
    });
    const bytes = new Uint8Array(await response.body.arrayBuffer());
    return {
      status: response.statusCode,
      headers: response.headers,
      bytes,
      text: new TextDecoder().decode(bytes),
    };
  }

  const chat = (extra: Partial<ChatCompletionRequest> = {}): ChatCompletionRequest => ({
    model: 'claude',
    messages: [{ role: 'user', content: 'hello there' }],
    ...extra,
  });

  function decode(bytes: Uint8Array): UpstreamEvent[] {
    const decoder = new AwsEventStreamDecoder();
    const events: UpstreamEvent[] = [];
    // Odd-sized pieces, so messages straddle chunk boundaries as they do on a network.
    for (let offset = 0; offset < bytes.length; offset += 13)
      events.push(...decoder.push(bytes.subarray(offset, offset + 13)));
    return events;
  }

  it('answers Converse from the request, in a shape the adapter parses', async () => {
    const answer = await call('chat', chat());
    expect(answer.status).toBe(200);
    const parsed = bedrockAdapter.parseChat!(answer.text, context());
    expect(parsed.ok && parsed.body.choices[0]?.message.content).toBe('fake:hello there');
    expect(parsed.ok && parsed.usage).toEqual({ prompt_tokens: 2, completion_tokens: 2, total_tokens: 4 });
  });

  it('streams ConverseStream as binary event-stream messages the decoder and mapper turn into chunks', async () => {
    const answer = await call('chat', chat({ stream: true }));
    expect(answer.headers['content-type']).toBe('application/vnd.amazon.eventstream');
    const outcome = runStream(bedrockAdapter.createStreamMapper!(context()), decode(answer.bytes));
    expect(outcome.end).toBe('done');
    expect(outcome.chunks.map((chunk) => chunk.choices[0]?.delta.content ?? '').join('')).toBe(
      'fake:hello there',
    );
    expect(outcome.usage?.completion_tokens).toBe(2);
  });

  it('answers a forced tool choice with a call to that tool', async () => {
    const tools = [{ type: 'function', function: { name: 'lookup', parameters: { type: 'object' } } }];
    const answer = await call('chat', chat({ tools, tool_choice: 'required' }));
    const parsed = bedrockAdapter.parseChat!(answer.text, context());
    expect(parsed.ok && parsed.body.choices[0]).toMatchObject({
      finish_reason: 'tool_calls',
      message: { tool_calls: [{ function: { name: 'lookup', arguments: '{}' } }] },
    });
  });

  it('answers Titan and Cohere InvokeModel embeddings', async () => {
    const titan = { upstreamModel: 'amazon.titan-embed-text-v2:0' };
    const titanAnswer = await call(
      'embeddings',
      { model: 'e', input: 'one two', dimensions: 256 } as EmbeddingsRequest,
      titan,
    );
    const titanParsed = bedrockAdapter.parseEmbeddings!(titanAnswer.text, context(titan));
    expect(titanParsed.ok && titanParsed.body.data[0]?.embedding).toHaveLength(256);
    expect(titanParsed.ok && titanParsed.body.usage).toEqual({ prompt_tokens: 2, total_tokens: 2 });

    const cohere = { upstreamModel: 'cohere.embed-multilingual-v3' };
    const cohereAnswer = await call('embeddings', { model: 'e', input: ['a', 'b', 'c'] }, cohere);
    const cohereParsed = bedrockAdapter.parseEmbeddings!(cohereAnswer.text, context(cohere));
    expect(cohereParsed.ok && cohereParsed.body.data.map((item) => item.index)).toEqual([0, 1, 2]);
  });

  it('serves the OpenAI-compatible endpoint for gpt-oss', async () => {
    const answer = await call('chat', chat(), { upstreamModel: 'openai.gpt-oss-120b-1:0' });
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.text)).toMatchObject({
      model: 'openai.gpt-oss-120b-1:0',
      choices: [{ message: { content: 'fake:hello there' } }],
    });
  });

  it('accepts its Bedrock API key as a bearer token, and answers unknown paths in Bedrock error shape', async () => {
    const send = (path: string, authorization: string) =>
      request(`${upstream.url}${path}`, {
        dispatcher: agent,
        method: 'POST',
        headers: { authorization, 'content-type': 'application/json' },
        body: JSON.stringify({ messages: [{ role: 'user', content: [{ text: 'x' }] }] }),
      });
    const good = await send('/model/m/converse', 'Bearer bedrock-api-key-123');
    expect(good.statusCode).toBe(200);
    await good.body.dump();
    const bad = await send('/model/m/converse', 'Bearer wrong');
    expect(bad.statusCode).toBe(403);
    expect(bad.headers['x-amzn-errortype']).toMatch(/^UnrecognizedClientException:/);
    await bad.body.dump();
    const unknown = await send('/model/m/nothing', 'Bearer bedrock-api-key-123');
    expect(unknown.statusCode).toBe(404);
    expect(await unknown.body.json()).toEqual({ message: 'No operation at POST /model/m/nothing' });
  });

  describe('stream reply options', () => {
    async function streamWith(options: StreamReplyOptions) {
      upstream.on({
        path: /converse-stream$/,
        reply: converseStreamReply(converseStreamMessages({ pieces: ['a', 'b', 'c'] }), options),
      });
      return call('chat', chat({ stream: true }));
    }

    it('sends an exception message in place of the rest of the stream', async () => {
      const answer = await streamWith({
        exception: { type: 'throttlingException', message: 'Slow down', afterMessages: 2 },
      });
      const events = decode(answer.bytes);
      expect(events.at(-1)).toMatchObject({ messageType: 'exception', eventType: 'throttlingException' });
      const outcome = runStream(bedrockAdapter.createStreamMapper!(context()), events);
      expect(outcome.error).toEqual({
        code: 'upstream_error',
        message: 'Bedrock stream failed with throttlingException: Slow down',
      });
    });

    it('can end cleanly without messageStop and metadata', async () => {
      const outcome = runStream(
        bedrockAdapter.createStreamMapper!(context()),
        decode((await streamWith({ omitTerminal: true })).bytes),
      );
      expect(outcome.end).toBe('incomplete');
    });

    it('can cut the stream in the middle of a message', async () => {
      const answer = await streamWith({ cutAfter: 2, cutMidMessage: true });
      const decoder = new AwsEventStreamDecoder();
      expect(decoder.push(answer.bytes)).toHaveLength(2);
      expect(decoder.pendingBytes).toBeGreaterThan(0);
    });

    it('can reset the connection after the cut', async () => {
      await expect(streamWith({ cutAfter: 1, end: 'reset' })).rejects.toThrow();
    });
  });

  it('builds Bedrock error replies with the x-amzn-errortype header', () => {
    expect(bedrockError(429, 'ThrottlingException', 'Too many requests')).toEqual({
      kind: 'json',
      status: 429,
      headers: {
        'x-amzn-errortype': 'ThrottlingException:http://internal.amazon.com/coral/com.amazon.bedrock/',
      },
      body: { message: 'Too many requests' },
    });
  });
});
