import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ChatCompletionChunk } from '../../src/core/wire/openai.js';
import { type FakeUpstream, startFakeUpstream } from './fake-upstream.js';
import { agent, call, fetchText, readUntilQuiet, sseData } from './fake-upstream-test-client.js';

let upstream: FakeUpstream;

beforeEach(async () => {
  upstream = await startFakeUpstream();
});
afterEach(async () => {
  await upstream.close();
});
afterAll(async () => {
  await agent.destroy();
});

const streamBody = {
  model: 'gpt-test',
  messages: [{ role: 'user', content: 'one two three four' }],
  stream: true,
};
const chaos = (mode: string) => ({ 'x-chaos': mode });

describe('x-chaos header', () => {
  it('status:<code> answers with an OpenAI error of that status', async () => {
    const { status, headers, text } = await fetchText(upstream, '/v1/chat/completions', {
      body: streamBody,
      headers: chaos('status:503'),
    });
    expect(status).toBe(503);
    expect(headers['retry-after']).toBeUndefined();
    expect(JSON.parse(text)).toMatchObject({ error: { type: 'server_error', message: expect.any(String) } });
  });

  it('status:429:<seconds> adds Retry-After', async () => {
    const { status, headers, text } = await fetchText(upstream, '/v1/embeddings', {
      body: {},
      headers: chaos('status:429:7'),
    });
    expect(status).toBe(429);
    expect(headers['retry-after']).toBe('7');
    expect(JSON.parse(text)).toMatchObject({ error: { code: 'rate_limit_exceeded' } });
  });

  it('takes precedence over routes without consuming them', async () => {
    upstream.on({ path: '/v1/models', times: 1, reply: { kind: 'text', body: 'routed' } });
    expect((await fetchText(upstream, '/v1/models', { headers: chaos('status:500') })).status).toBe(500);
    expect((await fetchText(upstream, '/v1/models')).text).toBe('routed');
  });

  it('stall-before-headers never answers', async () => {
    const pending = call(upstream, '/v1/models', {
      headers: chaos('stall-before-headers'),
      signal: AbortSignal.timeout(150),
    });
    await expect(pending).rejects.toThrow();
  });

  it('reset drops the connection without a response', async () => {
    await expect(fetchText(upstream, '/v1/models', { headers: chaos('reset') })).rejects.toThrow();
  });

  it('stall-after-chunk:<n> sends n events then goes silent', async () => {
    const response = await call(upstream, '/v1/chat/completions', {
      body: streamBody,
      headers: chaos('stall-after-chunk:2'),
    });
    expect(response.statusCode).toBe(200);
    const received = await readUntilQuiet(response.body, 150);
    expect(received.outcome).toBe('quiet');
    expect(sseData(received.text)).toHaveLength(2);
  });

  it('stall-after-chunk on a non-streamed reply sends headers and no body', async () => {
    const response = await call(upstream, '/v1/chat/completions', {
      body: { ...streamBody, stream: false },
      headers: chaos('stall-after-chunk:0'),
    });
    expect(response.statusCode).toBe(200);
    expect(Number(response.headers['content-length'])).toBeGreaterThan(0);
    expect(await readUntilQuiet(response.body, 150)).toMatchObject({ outcome: 'quiet', text: '' });
  });

  it('rst-after-chunk:<n> sends n events then resets', async () => {
    const response = await call(upstream, '/v1/chat/completions', {
      body: streamBody,
      headers: chaos('rst-after-chunk:3'),
    });
    const received = await readUntilQuiet(response.body, 1_000);
    expect(received.outcome).toBe('error');
    expect(sseData(received.text)).toHaveLength(3);
  });

  it('eof-no-terminal ends cleanly without the finish chunk and [DONE]', async () => {
    const { status, text } = await fetchText(upstream, '/v1/chat/completions', {
      body: { ...streamBody, stream_options: { include_usage: true } },
      headers: chaos('eof-no-terminal'),
    });
    expect(status).toBe(200);
    const events = sseData(text);
    expect(events.length).toBeGreaterThan(1);
    expect(events).not.toContain('[DONE]');
    const chunks = events as ChatCompletionChunk[];
    expect(chunks.some((chunk) => chunk.choices.some((choice) => choice.finish_reason !== null))).toBe(false);
  });

  it('eof-no-terminal applies to routed streams too', async () => {
    upstream.on({ path: '/s', reply: { kind: 'sse', events: ['a', 'b'] } });
    expect((await fetchText(upstream, '/s', { headers: chaos('eof-no-terminal') })).text).toBe(
      'data: a\n\ndata: b\n\n',
    );
  });

  it('garbage is a 200 application/json body that does not parse', async () => {
    const { status, headers, text } = await fetchText(upstream, '/v1/chat/completions', {
      body: streamBody,
      headers: chaos('garbage'),
    });
    expect(status).toBe(200);
    expect(headers['content-type']).toBe('application/json');
    expect(() => JSON.parse(text)).toThrow();
  });

  it('html-502 is an HTML bad-gateway page', async () => {
    const { status, headers, text } = await fetchText(upstream, '/v1/models', { headers: chaos('html-502') });
    expect(status).toBe(502);
    expect(headers['content-type']).toBe('text/html');
    expect(text).toContain('<h1>502 Bad Gateway</h1>');
  });

  it('echo-auth answers 401 quoting the Authorization header', async () => {
    const { status, text } = await fetchText(upstream, '/v1/chat/completions', {
      body: streamBody,
      headers: { ...chaos('echo-auth'), authorization: 'Bearer sk-leak-trap-123' },
    });
    expect(status).toBe(401);
    expect(JSON.parse(text).error.message).toContain('Bearer sk-leak-trap-123');
  });

  it('an unknown mode is a loud 400', async () => {
    const { status, text } = await fetchText(upstream, '/v1/models', { headers: chaos('nonsense') });
    expect(status).toBe(400);
    expect(text).toContain("unknown x-chaos mode 'nonsense'");
  });
});
