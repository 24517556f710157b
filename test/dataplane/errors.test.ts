/**
 * Junction's own errors on the data plane: OpenAI's error envelope, the right status, and 401 before a single
 * byte of an unauthenticated body is read.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { addModel, addProvider, chat, expectOpenAIError, rawRequest, sendSlowBody } from './helpers.js';

let gateway: TestGateway;
let key: string;

beforeAll(async () => {
  gateway = await startTestGateway();
  await addProvider(gateway, { id: 'echo', type: 'echo' });
  await addProvider(gateway, { id: 'echo-staging', type: 'echo', environments: ['staging'] });
  await addModel(gateway, 'echo-chat', [{ providerId: 'echo', upstreamModel: 'echo' }]);
  await addModel(gateway, 'echo-embed', [{ providerId: 'echo', upstreamModel: 'echo' }], {
    kind: 'embedding',
    dimension: 4,
  });
  await addModel(gateway, 'staging-only', [{ providerId: 'echo-staging', upstreamModel: 'echo' }]);
  key = (await gateway.createKey()).secret;
});

afterAll(async () => {
  await gateway?.close();
});

/** Calls the data plane with the production key, or with `secret` when given (null: no key at all). */
const call = (method: string, path: string, body?: unknown, secret?: string | null) =>
  gateway.call(method, path, body, secret === null ? undefined : (secret ?? key));

describe('authentication', () => {
  it('answers a missing key with 401 missing_api_key', async () => {
    const error = expectOpenAIError(
      await call('POST', '/v1/chat/completions', chat('echo-chat'), null),
      401,
      'missing_api_key',
      'authentication_error',
    );
    expect(error).toEqual({
      message: 'No API key was provided. Send it as `Authorization: Bearer <key>`.',
      type: 'authentication_error',
      param: null,
      code: 'missing_api_key',
    });
  });

  it.each([
    ['an unknown key', { authorization: 'Bearer jk_unknown-0000000000000000000000' }],
    ['another scheme', { authorization: `Basic ${Buffer.from('a:b').toString('base64')}` }],
    ['an empty bearer', { authorization: 'Bearer ' }],
    ['an oversized key', { authorization: `Bearer ${'k'.repeat(600)}` }],
  ])('answers %s with 401 invalid_api_key', async (_label, headers) => {
    const result = await gateway.call('POST', '/v1/chat/completions', chat('echo-chat'), undefined, headers);
    expectOpenAIError(result, 401, 'invalid_api_key', 'authentication_error');
  });

  it('answers 401 on /v1/models and /v1/embeddings too', async () => {
    expectOpenAIError(
      await call('GET', '/v1/models', undefined, 'nope'),
      401,
      'invalid_api_key',
      'authentication_error',
    );
    expectOpenAIError(
      await call('POST', '/v1/embeddings', { model: 'echo-embed', input: 'x' }, null),
      401,
      'missing_api_key',
      'authentication_error',
    );
  });

  it('answers 401 before reading a 50 MiB chunked body', async () => {
    const total = 50 * 1024 * 1024;
    const result = await sendSlowBody(gateway.url, {
      path: '/v1/chat/completions',
      headers: { 'content-type': 'application/json', 'transfer-encoding': 'chunked' },
      totalBytes: total,
      chunkBytes: 64 * 1024,
      intervalMs: 1,
    });
    expectOpenAIError(result, 401, 'missing_api_key', 'authentication_error');
    expect(result.finishedSending).toBe(false);
    expect(result.sentBeforeResponse).toBeLessThan(total / 4);
    expect(result.elapsedMs).toBeLessThan(2_000);
    expect(result.headers.connection).toBe('close');
    // The gateway is fine afterwards.
    expect((await call('POST', '/v1/chat/completions', chat('echo-chat'))).status).toBe(200);
  });
});

describe('routing errors', () => {
  it('answers an unknown model with 404 model_not_found', async () => {
    const error = expectOpenAIError(
      await call('POST', '/v1/chat/completions', chat('no-such-model')),
      404,
      'model_not_found',
    );
    expect(error).toEqual({
      message: 'The model `no-such-model` does not exist or you do not have access to it.',
      type: 'invalid_request_error',
      param: 'model',
      code: 'model_not_found',
    });
  });

  it('answers a model active only in another environment exactly like an unknown one', async () => {
    const hidden = await call('POST', '/v1/chat/completions', chat('staging-only'));
    const unknown = await call('POST', '/v1/chat/completions', chat('staging-onlz'));
    expectOpenAIError(hidden, 404, 'model_not_found');
    expect(hidden.text.replace('staging-only', 'NAME')).toBe(unknown.text.replace('staging-onlz', 'NAME'));
    const strip = (headers: Record<string, unknown>) => {
      const { 'x-request-id': _id, date: _date, ...rest } = headers;
      return rest;
    };
    expect(strip(hidden.headers)).toEqual(strip(unknown.headers));
    // The same model answers a staging key.
    const staging = (await gateway.createKey({ environment: 'staging' })).secret;
    const served = await call('POST', '/v1/chat/completions', chat('staging-only', 'from staging'), staging);
    expect(served.status).toBe(200);
    expect(served.headers['x-junction-backend']).toBe('echo-staging/echo');
  });

  it('answers an embedding model on chat and a chat model on embeddings with 400 wrong_model_kind', async () => {
    const onChat = expectOpenAIError(
      await call('POST', '/v1/chat/completions', chat('echo-embed')),
      400,
      'wrong_model_kind',
    );
    expect(onChat.message).toBe('The model `echo-embed` is an embedding model; call it on /v1/embeddings.');
    expect(onChat.param).toBe('model');
    const onEmbeddings = expectOpenAIError(
      await call('POST', '/v1/embeddings', { model: 'echo-chat', input: 'x' }),
      400,
      'wrong_model_kind',
    );
    expect(onEmbeddings.message).toBe(
      'The model `echo-chat` is a chat model; call it on /v1/chat/completions.',
    );
  });

  it.each([
    ['POST', '/v1/completions'],
    ['GET', '/v1/'],
    ['POST', '/v1/chat/completions/extra'],
    ['GET', '/v1/models/echo-chat'],
  ])('answers %s %s with 404 not_found', async (method, path) => {
    const result = await call(method, path, method === 'POST' ? chat('echo-chat') : undefined);
    const error = expectOpenAIError(result, 404, 'not_found');
    expect(error.message).toBe(`There is no route ${method} ${path}`);
  });

  it.each([
    ['GET', '/v1/chat/completions', 'POST'],
    ['PUT', '/v1/chat/completions', 'POST'],
    ['DELETE', '/v1/embeddings', 'POST'],
    ['POST', '/v1/models', 'GET'],
  ])('answers %s %s with 405 and allow: %s', async (method, path, allow) => {
    const result = await call(method, path, method === 'GET' || method === 'DELETE' ? undefined : {});
    const error = expectOpenAIError(result, 405, 'method_not_allowed');
    expect(result.headers.allow).toBe(allow);
    expect(error.message).toBe(`${path} accepts ${allow} only`);
  });

  it('ignores the query string when routing', async () => {
    const result = await call('POST', '/v1/chat/completions?api-version=1', chat('echo-chat'));
    expect(result.status).toBe(200);
  });
});

describe('body errors', () => {
  it.each([
    ['truncated JSON', '{"model":"echo-chat","messages":['],
    ['an empty body', ''],
    ['trailing garbage', '{"model":"echo-chat","messages":[{"role":"user","content":"x"}]} x'],
    ['single quotes', "{'model':'echo-chat'}"],
  ])('answers %s with 400 invalid_json', async (_label, body) => {
    const result = await rawRequest(gateway.url, {
      path: '/v1/chat/completions',
      body,
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    });
    const error = expectOpenAIError(result, 400, 'invalid_json');
    expect(error).toEqual({
      message: 'The body is not valid JSON',
      type: 'invalid_request_error',
      param: null,
      code: 'invalid_json',
    });
  });

  it.each([
    [{ messages: [{ role: 'user', content: 'x' }] }, 'model', 'The `model` field is required'],
    [{ model: 7, messages: [{ role: 'user', content: 'x' }] }, 'model', '`model` must be a non-empty string'],
    [{ model: 'echo-chat' }, 'messages', '`messages` must be an array of messages'],
    [{ model: 'echo-chat', messages: [] }, 'messages', '`messages` must contain at least one message'],
    [chat('echo-chat', 'x', { stream: 'yes' }), 'stream', '`stream` must be a boolean'],
    [chat('echo-chat', 'x', { max_tokens: 0 }), 'max_tokens', '`max_tokens` must be a positive integer'],
  ])('names the bad field of %j', async (body, param, message) => {
    const error = expectOpenAIError(await call('POST', '/v1/chat/completions', body), 400, 'invalid_request');
    expect(error.param).toBe(param);
    expect(error.message).toBe(message);
  });

  it('answers a JSON array with 400 invalid_request', async () => {
    const error = expectOpenAIError(await call('POST', '/v1/embeddings', [1, 2]), 400, 'invalid_request');
    expect(error).toEqual({
      message: 'The body must be a JSON object',
      type: 'invalid_request_error',
      param: null,
      code: 'invalid_request',
    });
  });
});
