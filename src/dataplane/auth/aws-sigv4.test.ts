import { Hash } from '@smithy/hash-node';
import { SignatureV4 } from '@smithy/signature-v4';
import { Agent, request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bedrockHandler, verifySigV4 } from '../../../test/harness/bedrock-protocol.js';
import { type FakeUpstream, startFakeUpstream } from '../../../test/harness/fake-upstream.js';
import { createAwsSigner } from './aws-sigv4.js';

/** The credentials, date and scope of AWS's published SigV4 test suite. */
const SUITE = {
  credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' },
  date: new Date('2015-08-30T12:36:00Z'),
  origin: 'https://example.amazonaws.com',
};
const SUITE_PREFIX =
  'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=';

describe('createAwsSigner against the AWS SigV4 test suite', () => {
  const signer = createAwsSigner(SUITE.credentials, 'us-east-1', 'service');
  const sign = (method: string, path: string) =>
    signer.sign({ origin: SUITE.origin, path, method, headers: {}, body: '' }, SUITE.date);

  it('get-vanilla', async () => {
    const headers = await sign('GET', '/');
    expect(headers).toEqual({
      host: 'example.amazonaws.com',
      'x-amz-date': '20150830T123600Z',
      authorization: `${SUITE_PREFIX}5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31`,
    });
  });

  it('get-vanilla-query-order-key-case (the query is sorted)', async () => {
    const headers = await sign('GET', '/?Param2=value2&Param1=value1');
    expect(headers.authorization).toBe(
      `${SUITE_PREFIX}b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500`,
    );
  });

  it('post-vanilla', async () => {
    const headers = await sign('POST', '/');
    expect(headers.authorization).toBe(
      `${SUITE_PREFIX}5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b`,
    );
  });

  it('is accepted by the independent verifier on the same vectors', async () => {
    for (const [method, path] of [
      ['GET', '/'],
      ['GET', '/?Param2=value2&Param1=value1'],
      ['POST', '/'],
    ] as const) {
      const headers = await sign(method, path);
      const verdict = verifySigV4(
        { method, path, headers, body: '' },
        SUITE.credentials,
        'us-east-1',
        'service',
        {
          now: SUITE.date,
        },
      );
      expect(verdict, `${method} ${path}`).toEqual({ ok: true });
    }
  });
});

describe('createAwsSigner against the fake Bedrock', () => {
  const credentials = { accessKeyId: 'AKIAJUNCTIONTEST', secretAccessKey: 'junction/secret+key' };
  const temporary = { ...credentials, sessionToken: 'FwoGZXIvYXdzEJr//////////session+token=' };
  const agent = new Agent({ keepAliveTimeout: 1_000 });
  let upstream: FakeUpstream;
  let temporaryUpstream: FakeUpstream;

  beforeAll(async () => {
    upstream = await startFakeUpstream({ defaultReplies: false });
    upstream.on({ reply: bedrockHandler({ credentials, region: 'eu-west-3' }) });
    temporaryUpstream = await startFakeUpstream({ defaultReplies: false });
    temporaryUpstream.on({ reply: bedrockHandler({ credentials: temporary, region: 'eu-west-3' }) });
  });
  afterAll(async () => {
    await Promise.all([upstream.close(), temporaryUpstream.close(), agent.close()]);
  });

  async function send(target: FakeUpstream, path: string, headers: Record<string, string>, body: string) {
    const response = await request(`${target.url}${path}`, {
      dispatcher: agent,
      method: 'POST',
      headers,
      body,
    });
    return {
      status: response.statusCode,
      headers: response.headers,
      json: (await response.body.json()) as unknown,
    };
  }

  const titanPath = '/model/amazon.titan-embed-text-v2%3A0/invoke';
  const titanBody = JSON.stringify({ inputText: 'hello world', normalize: true });

  it('signs a model id with ":" so that the double-encoded canonical path matches', async () => {
    const signer = createAwsSigner(credentials, 'eu-west-3');
    const headers = await signer.sign({
      origin: upstream.url,
      path: titanPath,
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: titanBody,
    });
    expect(headers.host).toBe(`127.0.0.1:${upstream.port}`);
    expect(headers['content-type']).toBe('application/json');
    expect(headers.authorization).toMatch(/SignedHeaders=content-type;host;x-amz-date,/);
    const answer = await send(upstream, titanPath, headers, titanBody);
    expect(answer.status).toBe(200);
    expect(answer.json).toMatchObject({ inputTextTokenCount: 2 });
    expect(upstream.requests.at(-1)?.path).toBe(titanPath);
  });

  it('reuses one signer for many requests, including an inference-profile ARN with "/"', async () => {
    const signer = createAwsSigner(credentials, 'eu-west-3');
    const arn = 'arn:aws:bedrock:eu-west-3:123456789012:inference-profile/eu.anthropic.claude-3-5-sonnet';
    const path = `/model/${encodeURIComponent(arn)}/converse`;
    const body = JSON.stringify({ messages: [{ role: 'user', content: [{ text: 'hi' }] }] });
    for (let attempt = 0; attempt < 3; attempt++) {
      const headers = await signer.sign({ origin: upstream.url, path, method: 'POST', headers: {}, body });
      expect((await send(upstream, path, headers, body)).status).toBe(200);
    }
  });

  it('sends and signs the session token of temporary credentials', async () => {
    const signer = createAwsSigner(temporary, 'eu-west-3');
    const headers = await signer.sign({
      origin: temporaryUpstream.url,
      path: titanPath,
      method: 'POST',
      headers: {},
      body: titanBody,
    });
    expect(headers['x-amz-security-token']).toBe(temporary.sessionToken);
    expect(headers.authorization).toMatch(/SignedHeaders=host;x-amz-date;x-amz-security-token,/);
    expect((await send(temporaryUpstream, titanPath, headers, titanBody)).status).toBe(200);
  });

  it('is refused when the secret, key id, region or body is wrong', async () => {
    const wrongSecret = await createAwsSigner({ ...credentials, secretAccessKey: 'nope' }, 'eu-west-3').sign({
      origin: upstream.url,
      path: titanPath,
      method: 'POST',
      headers: {},
      body: titanBody,
    });
    const refused = await send(upstream, titanPath, wrongSecret, titanBody);
    expect(refused.status).toBe(403);
    expect(refused.headers['x-amzn-errortype']).toMatch(/^InvalidSignatureException:/);
    expect(refused.json).toMatchObject({ message: expect.stringContaining('signature we calculated') });

    const wrongKey = await createAwsSigner({ ...credentials, accessKeyId: 'AKIAOTHER' }, 'eu-west-3').sign({
      origin: upstream.url,
      path: titanPath,
      method: 'POST',
      headers: {},
      body: titanBody,
    });
    const unknown = await send(upstream, titanPath, wrongKey, titanBody);
    expect(unknown.status).toBe(403);
    expect(unknown.headers['x-amzn-errortype']).toMatch(/^UnrecognizedClientException:/);

    const wrongRegion = await createAwsSigner(credentials, 'us-east-1').sign({
      origin: upstream.url,
      path: titanPath,
      method: 'POST',
      headers: {},
      body: titanBody,
    });
    expect((await send(upstream, titanPath, wrongRegion, titanBody)).status).toBe(403);

    const good = await createAwsSigner(credentials, 'eu-west-3').sign({
      origin: upstream.url,
      path: titanPath,
      method: 'POST',
      headers: {},
      body: titanBody,
    });
    const tampered = titanBody.replace('hello', 'HELLO');
    expect((await send(upstream, titanPath, good, tampered)).status).toBe(403);
    // The same headers on another path fail too: the path is part of what is signed.
    expect((await send(upstream, titanPath.replace('v2%3A0', 'v1'), good, titanBody)).status).toBe(403);
  });

  it('double-encodes the path: a signature over the once-encoded path is refused', async () => {
    // The verifier is independent of smithy, so this pins what AWS requires of non-S3 services.
    const singleEncoding = new SignatureV4({
      credentials,
      region: 'eu-west-3',
      service: 'bedrock',
      sha256: Hash.bind(null, 'sha256'),
      uriEscapePath: false,
      applyChecksum: false,
    });
    const url = new URL(upstream.url);
    const signed = await singleEncoding.sign({
      method: 'POST',
      protocol: url.protocol,
      hostname: url.hostname,
      port: Number(url.port),
      path: titanPath,
      query: {},
      headers: { host: url.host },
      body: titanBody,
    });
    const headers = Object.fromEntries(
      Object.entries(signed.headers).map(([name, value]) => [name, String(value)]),
    );
    const answer = await send(upstream, titanPath, headers, titanBody);
    expect(answer.status).toBe(403);
    expect(answer.headers['x-amzn-errortype']).toMatch(/^InvalidSignatureException:/);
  });

  it('is refused with no signature at all', async () => {
    const answer = await send(upstream, titanPath, { 'content-type': 'application/json' }, titanBody);
    expect(answer.status).toBe(403);
    expect(answer.headers['x-amzn-errortype']).toMatch(/^UnrecognizedClientException:/);
  });
});
