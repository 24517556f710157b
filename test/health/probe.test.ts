/**
 * The provider probe against real sockets on 127.0.0.1: the fake upstream for HTTP answers, a closed port for
 * refusals, an injected lookup for DNS, and node:https with the committed self-signed certificate in
 * test/fixtures/tls for TLS (valid 2000–2100, SAN localhost and 127.0.0.1).
 */
import { readFileSync } from 'node:fs';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import type { AddressInfo, LookupFunction, Socket } from 'node:net';
import { createServer as createTcpServer } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type ProbeOptions, type ProbeTarget, probeProvider } from '../../src/management/health/probe.js';
import {
  type FakeUpstream,
  type RecordedRequest,
  type Reply,
  startFakeUpstream,
} from '../harness/fake-upstream.js';

const fixtures = new URL('../fixtures/tls/', import.meta.url);
const cert = readFileSync(new URL('self-signed-cert.pem', fixtures));
const key = readFileSync(new URL('self-signed-key.pem', fixtures));
const SECRET = 'sk-probe-test-0123456789abcdefSECRET';
const selfSigned = 'the server presented a self-signed certificate that is not trusted';

const target: Omit<ProbeTarget, 'baseUrl'> = {
  providerId: 'p1',
  type: 'openai-compatible',
  headers: { authorization: `Bearer ${SECRET}` },
  secrets: [SECRET],
};
const probe = (
  baseUrl: string,
  options: Partial<ProbeOptions> = {},
  type: ProbeTarget['type'] = target.type,
) => probeProvider({ ...target, baseUrl, type }, { timeoutMs: 2_000, ...options });
const probeFailure = async (...args: Parameters<typeof probe>) => {
  const result = await probe(...args);
  if (result.ok) throw new Error(`expected a failure, got ok with ${result.models.join(', ')}`);
  return result;
};

/** A raw TCP server on 127.0.0.1 that hands each socket to `onSocket`. */
async function tcpServer(onSocket: (socket: Socket) => void) {
  const sockets = new Set<Socket>();
  const server = createTcpServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => {});
    onSocket(socket);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const close = () => {
    for (const socket of sockets) socket.destroy();
    return new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return { port: (server.address() as AddressInfo).port, close };
}

/** A lookup answering every name with `address`, in both the single and the `all` (autoSelectFamily) form. */
const resolveTo =
  (address: string, seen: string[] = []): LookupFunction =>
  (hostname, options, callback) => {
    seen.push(hostname);
    if (options.all) callback(null, [{ address, family: 4 }]);
    else callback(null, address, 4);
  };

const notFound: LookupFunction = (hostname, _options, callback) => {
  const error = Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
  callback(error, '', 4);
};

let upstream: FakeUpstream;
beforeAll(async () => {
  upstream = await startFakeUpstream();
});
afterEach(() => upstream.reset());
afterAll(() => upstream.close());
/** Programs the fake's answer to GET /v1/models. */
const answer = (reply: Reply | ((request: RecordedRequest) => Reply)) =>
  upstream.on({ path: '/v1/models', reply });

describe('probeProvider against an HTTP upstream', () => {
  it('returns the model ids and sends the credential', async () => {
    const started = performance.now();
    const result = await probe(`${upstream.url}/v1`);
    const took = performance.now() - started;
    expect(result).toMatchObject({ ok: true, httpStatus: 200, models: ['fake-model-1', 'fake-embed-1'] });
    expect(result.latencyMs).toBeGreaterThan(0);
    expect(result.latencyMs).toBeLessThanOrEqual(took + 0.1);
    expect(upstream.requests).toHaveLength(1);
    const [request] = upstream.requests;
    expect(request?.method).toBe('GET');
    expect(request?.path).toBe('/v1/models');
    expect(request?.headers.authorization).toBe(`Bearer ${SECRET}`);
    expect(request?.headers.accept).toBe('application/json');
  });

  it('rejects a 401 as auth without repeating the echoed credential or any header value', async () => {
    const tenant = 'q7f3a9c2e41opaque'; // neither token-shaped nor in secrets: redacted as a header value
    const echo = ({ headers: h }: RecordedRequest) => `Invalid: auth=${h.authorization} x=${h['x-tenant']}`;
    answer((request) => ({ kind: 'json', status: 401, body: { error: { message: echo(request) } } }));
    const headers = { ...target.headers, 'x-tenant': tenant };
    const baseUrl = `${upstream.url}/v1`;
    const result = await probeProvider({ ...target, headers, baseUrl }, { timeoutMs: 2_000 });
    const message = 'The provider rejected the credential (HTTP 401): Invalid: auth=[redacted] x=[redacted]';
    expect(result).toMatchObject({ ok: false, stage: 'auth', httpStatus: 401, message });
    const pieces = [SECRET, tenant].flatMap((s) => [...s.slice(5)].map((_, at) => s.slice(at, at + 6)));
    for (const piece of pieces) expect(JSON.stringify(result)).not.toContain(piece);
  });

  it('names the doubled path and the fix on a 404', async () => {
    upstream.on({
      path: '/v1/v1/models',
      reply: { kind: 'json', status: 404, body: { error: { message: 'Invalid URL (GET /v1/v1/models)' } } },
    });
    const result = await probeFailure(`${upstream.url}/v1/v1`);
    expect(upstream.requests[0]?.path).toBe('/v1/v1/models');
    expect(result).toMatchObject({ stage: 'wrong-path', httpStatus: 404 });
    expect(result.message).toBe(
      `HTTP 404 at /v1/v1/models: the base URL repeats /v1; set it to ${upstream.url}/v1`,
    );
  });

  it('suggests /v1 when the base URL has no version segment', async () => {
    upstream.on({ path: '/models', reply: { kind: 'text', status: 404, body: 'no' } });
    const result = await probeFailure(upstream.url, {}, 'openai');
    expect(result.stage).toBe('wrong-path');
    expect(result.message).toContain('HTTP 404 at /models: the base URL has no version segment');
    expect(result.message).toContain(`set it to ${upstream.url}/v1`);
  });

  it('times out a stalled answer within the budget', async () => {
    answer({ kind: 'stall' });
    const started = performance.now();
    const result = await probeFailure(`${upstream.url}/v1`, { timeoutMs: 300 });
    const took = performance.now() - started;
    expect(result.stage).toBe('timeout');
    expect(result.message).toBe('127.0.0.1 accepted the connection but did not answer within 300 ms');
    expect(took).toBeGreaterThanOrEqual(290);
    expect(took).toBeLessThan(1_000);
    expect(result.latencyMs).toBeGreaterThanOrEqual(290);
  });

  it.each([
    [500, 'HTTP 500 from 127.0.0.1: the endpoint is reachable but failing: boom'],
    [429, 'HTTP 429 from 127.0.0.1: the endpoint is reachable but is rate limiting this credential: boom'],
  ])('reports HTTP %i as http with the status', async (status, message) => {
    answer({ kind: 'json', status, body: { error: { message: 'boom' } } });
    expect(await probeFailure(`${upstream.url}/v1`)).toMatchObject({
      stage: 'http',
      httpStatus: status,
      message,
    });
  });

  it.each([
    ['an HTML page', { kind: 'text', body: '<html><body>Welcome</body></html>', contentType: 'text/html' }],
    ['JSON without ids', { kind: 'json', body: { data: [{ name: 'no-id' }] } }],
  ] as const)('reports a 200 with %s as a response problem', async (_name, reply) => {
    answer(reply);
    const result = await probeFailure(`${upstream.url}/v1`);
    expect(result).toMatchObject({ stage: 'response', httpStatus: 200 });
    expect(result.message).toMatch(
      /answered HTTP 200 .*but not with a model list; is this an OpenAI-compatible/,
    );
  });

  it('accepts the Ollama-style {models:[{name}]} list', async () => {
    answer({ kind: 'json', body: { models: [{ name: 'llama3' }] } });
    const result = await probe(`${upstream.url}/v1`);
    expect(result).toMatchObject({ ok: true, models: ['llama3'] });
  });

  it('reports a redirect as http without following it', async () => {
    const elsewhere = await startFakeUpstream();
    try {
      answer({ kind: 'text', status: 302, headers: { location: `${elsewhere.url}/v1/models` }, body: '' });
      const result = await probeFailure(`${upstream.url}/v1`);
      expect(result).toMatchObject({ stage: 'http', httpStatus: 302 });
      expect(result.message).toContain(`redirects to ${elsewhere.url}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(elsewhere.requests).toHaveLength(0);
    } finally {
      await elsewhere.close();
    }
  });
});

describe('probeProvider before HTTP', () => {
  it('reports a refused port as connect', async () => {
    const closed = await tcpServer(() => {});
    await closed.close();
    const result = await probeFailure(`http://127.0.0.1:${closed.port}/v1`);
    expect(result).toMatchObject({ stage: 'connect', code: 'ECONNREFUSED' });
    expect(result.message).toBe(`Could not connect to 127.0.0.1:${closed.port} (ECONNREFUSED)`);
  });

  it.each(['https://api.example.test/v1', 'http://nonexistent.invalid:8080/v1'])(
    'reports %s, which the lookup cannot resolve, as dns',
    async (baseUrl) => {
      const result = await probeFailure(baseUrl, { lookup: notFound });
      expect(result).toMatchObject({ stage: 'dns', code: 'ENOTFOUND' });
      expect(result.message).toBe(
        `The host ${new URL(baseUrl).hostname} could not be resolved (ENOTFOUND). For a private endpoint, check that this gateway resolves it from its network.`,
      );
    },
  );

  it('routes a private name through the lookup', async () => {
    const seen: string[] = [];
    const baseUrl = `http://private.example.internal:${upstream.port}/v1`;
    const result = await probe(baseUrl, { lookup: resolveTo('127.0.0.1', seen) });
    expect(result).toMatchObject({ ok: true, models: ['fake-model-1', 'fake-embed-1'] });
    expect(seen).toEqual(['private.example.internal']);
    expect(upstream.requests[0]?.headers.host).toBe(`private.example.internal:${upstream.port}`);
  });

  it('reports a connection that never opens as a connect timeout within the budget', async () => {
    const started = performance.now();
    const result = await probeFailure('http://slow.example.test/v1', { timeoutMs: 300, lookup: () => {} });
    expect(performance.now() - started).toBeLessThan(1_000);
    expect(result.stage).toBe('connect');
    expect(result.message).toMatch(
      /^Could not connect to slow\.example\.test:80: timed out connecting after 300 ms/,
    );
  });

  it('reports a reset after the request as http, not connect', async () => {
    answer({ kind: 'reset' });
    const result = await probeFailure(`${upstream.url}/v1`);
    expect(result).toMatchObject({ stage: 'http', code: 'ECONNRESET' });
    expect(result.message).toBe(
      '127.0.0.1 accepted the connection but closed it before answering completely (ECONNRESET)',
    );
  });
});

describe('probeProvider over TLS', () => {
  let server: HttpsServer;
  let port: number;
  beforeAll(async () => {
    server = createHttpsServer({ cert, key }, (_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ object: 'list', data: [{ id: 'tls-model', object: 'model' }] }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('reports an untrusted self-signed certificate as tls', async () => {
    const result = await probeFailure(`https://127.0.0.1:${port}/v1`);
    const message = `TLS handshake with 127.0.0.1 failed: ${selfSigned} (DEPTH_ZERO_SELF_SIGNED_CERT)`;
    expect(result).toMatchObject({ stage: 'tls', code: 'DEPTH_ZERO_SELF_SIGNED_CERT', message });
  });

  it('succeeds when the certificate is trusted through ca', async () => {
    const result = await probe(`https://127.0.0.1:${port}/v1`, { ca: cert });
    expect(result).toMatchObject({ ok: true, httpStatus: 200, models: ['tls-model'] });
  });

  it('reports a certificate for another name as tls', async () => {
    const baseUrl = `https://wrong.example.test:${port}/v1`;
    const result = await probeFailure(baseUrl, { ca: cert, lookup: resolveTo('127.0.0.1') });
    expect(result).toMatchObject({ stage: 'tls', code: 'ERR_TLS_CERT_ALTNAME_INVALID' });
    expect(result.message).toContain(
      'the certificate is not valid for wrong.example.test (it names DNS:localhost',
    );
  });

  it('reports https against a plain HTTP port as tls', async () => {
    const result = await probeFailure(`https://127.0.0.1:${upstream.port}/v1`);
    expect(result.stage).toBe('tls');
    expect(result.code).toMatch(/^ERR_SSL_|^EPROTO$/);
    expect(result.message).not.toMatch(/ssl3_|\.c:\d+/);
  });

  it('blames a handshake that stalls or is reset on tls', async () => {
    const silent = await tcpServer(() => {});
    const resetting = await tcpServer((socket) => socket.once('data', () => socket.resetAndDestroy()));
    try {
      const stalled = await probeFailure(`https://127.0.0.1:${silent.port}/v1`, { timeoutMs: 300 });
      expect(stalled.stage).toBe('tls');
      expect(stalled.message).toMatch(
        /^TLS handshake with 127\.0\.0\.1 failed: it did not complete within 300 ms/,
      );
      const reset = await probeFailure(`https://127.0.0.1:${resetting.port}/v1`);
      expect(reset).toMatchObject({ stage: 'tls', code: 'ECONNRESET' });
      expect(reset.message).toContain('the server closed the connection during the handshake (ECONNRESET)');
    } finally {
      await Promise.all([silent.close(), resetting.close()]);
    }
  });
});
