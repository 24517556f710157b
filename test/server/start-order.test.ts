/**
 * Start order of `junction serve`: the listener is up as soon as `/v1` can serve, and the admin API loads after it.
 * Requests for the admin API made the moment the server listens wait until it has loaded, then answer normally.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { http, startTestGateway, TEST_ADMIN_TOKEN, type TestGateway } from '../support/gateway.js';

let gateway: TestGateway | undefined;
afterEach(async () => {
  await gateway?.close();
  gateway = undefined;
});

describe('start order', () => {
  it('answers admin requests made the moment the server listens, after the admin API has loaded', async () => {
    gateway = await startTestGateway();
    const { url } = gateway;
    const auth = { authorization: `Bearer ${TEST_ADMIN_TOKEN}` };
    // Fired together, before anything has loaded the admin API: each waits for it, none is refused.
    const [ready, alive, ...admin] = await Promise.all([
      http(`${url}/readyz`, 'GET'),
      http(`${url}/healthz`, 'GET'),
      http(`${url}/admin/v1/providers`, 'GET', undefined, auth),
      http(`${url}/admin/v1/models`, 'GET', undefined, auth),
      http(`${url}/admin/v1/teams`, 'POST', { name: 'first-team' }, auth),
      http(`${url}/admin/v1/providers`, 'GET'),
    ]);
    expect(ready.status).toBe(200);
    expect(alive.status).toBe(200);
    expect(admin.map((result) => result.status)).toEqual([200, 200, 201, 401]);
    // The unauthenticated call got the admin API's own problem+json, not a placeholder.
    expect(admin[3]!.headers['content-type']).toContain('application/problem+json');
  });

  it('serves /v1 before any request has loaded the admin API', async () => {
    gateway = await startTestGateway();
    const models = await http(`${gateway.url}/v1/models`, 'GET', undefined, {
      authorization: 'Bearer jk_not-a-key',
    });
    // The data plane's own answer (OpenAI error JSON), from the listener that came up first.
    expect(models.status).toBe(401);
    expect(models.json).toMatchObject({ error: { type: expect.any(String) } });
  });
});
