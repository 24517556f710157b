/**
 * P6: admin routes reached through odd paths, absolute-form targets or Host tricks are refused the same as
 * the plain path: the decision to authenticate is taken on the path the router dispatches, never a 200.
 */
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ok, startTestGateway, type TestGateway } from '../support/gateway.js';

let gateway: TestGateway;

beforeAll(async () => {
  gateway = await startTestGateway();
  await ok(gateway.admin('POST', '/providers', { id: 'echo', type: 'echo', displayName: 'Echo' }));
});

afterAll(async () => {
  await gateway?.close();
});

/** Sends raw request bytes and returns the status line's code and the body. */
function raw(requestText: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const socket = connect(gateway.running.port, '127.0.0.1');
    let received = '';
    socket.on('data', (chunk) => {
      received += chunk.toString('utf8');
    });
    socket.on('end', () => {
      const status = Number(received.match(/^HTTP\/1\.1 (\d{3})/)?.[1] ?? 0);
      resolve({ status, text: received });
    });
    socket.on('error', reject);
    socket.write(requestText);
    setTimeout(() => socket.end(), 300);
  });
}

describe('P6: admin path and host confusion, unauthenticated', () => {
  it.each([
    '/admin/v1/providers',
    '//admin/v1/providers',
    '/admin//v1/providers',
    '/admin/v1//providers',
    '/admin/v1/providers/',
    '/admin/v1/./providers',
    '/admin/v1/x/../providers',
    '/v1/../admin/v1/providers',
    '/admin/v1/%2e%2e/v1/providers',
    '/%61dmin/v1/providers',
    '/admin%2Fv1%2Fproviders',
    '/ADMIN/v1/providers',
    '/admin/v1/PROVIDERS',
    '/admin/v1/providers;.js',
    '/admin/v1/providers?x=/healthz',
    '/admin/v1/providers#/healthz',
    'http://127.0.0.1/admin/v1/providers',
    'http://evil.example/admin/v1/providers',
  ])('never serves %s without a token', async (target) => {
    const result = await raw(`GET ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`);
    expect([400, 401, 404]).toContain(result.status);
    expect(result.text).not.toContain('"displayName"');
  });

  it.each([
    ['X-Forwarded-Prefix', '/admin'],
    ['X-Original-URL', '/healthz'],
    ['X-Rewrite-URL', '/healthz'],
    ['X-Forwarded-Host', 'localhost'],
  ])('ignores %s: %s', async (header, value) => {
    const result = await raw(
      `GET /admin/v1/providers HTTP/1.1\r\nHost: x/../admin\r\n${header}: ${value}\r\nConnection: close\r\n\r\n`,
    );
    expect([400, 401]).toContain(result.status);
    expect(result.text).not.toContain('"displayName"');
  });

  it('still serves the plain path with a token, so the refusals above are about the credential', async () => {
    const result = await gateway.admin<{ data: unknown[] }>('GET', '/providers');
    expect(result.status).toBe(200);
    expect(result.json.data).toHaveLength(1);
  });
});
