/**
 * If the admin API's code cannot be loaded after the listener is up, its paths answer 500 problem+json and the
 * failure is logged, while the data plane, /healthz and /readyz go on serving.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { traceLogger } from '../support/canary.js';
import { http, startTestGateway, TEST_ADMIN_TOKEN, type TestGateway } from '../support/gateway.js';

vi.mock('../../src/server/management-app.js', () => {
  throw new Error('management chunk missing');
});

let gateway: TestGateway | undefined;
afterEach(async () => {
  await gateway?.close();
  gateway = undefined;
});

describe('the admin API failing to load', () => {
  it('answers 500 problem+json on admin paths, logs it, and keeps the data plane serving', async () => {
    // Every line, from trace up, is kept for the check below.
    const { logger, lines } = traceLogger();
    gateway = await startTestGateway({ logger });
    const admin = await http(`${gateway.url}/admin/v1/providers`, 'GET', undefined, {
      authorization: `Bearer ${TEST_ADMIN_TOKEN}`,
    });
    expect(admin.status).toBe(500);
    expect(admin.headers['content-type']).toBe('application/problem+json');
    expect(admin.json).toMatchObject({ status: 500, code: 'internal_error' });
    expect(lines.some((line) => line.includes('the admin API could not be loaded'))).toBe(true);
    expect((await http(`${gateway.url}/readyz`, 'GET')).status).toBe(200);
    const v1 = await http(`${gateway.url}/v1/models`, 'GET', undefined, { authorization: 'Bearer jk_nope' });
    expect(v1.status).toBe(401);
  });
});
