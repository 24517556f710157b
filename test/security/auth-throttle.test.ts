/**
 * Test plan X7, second half: failed-authentication throttling. Unit tests of the throttle on an injected clock,
 * then a gateway started with a low limit: after N wrong keys from 127.0.0.1 even a valid key gets 429 with
 * `Retry-After` and the gateway's own error code, and the address is served again once the block is over.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AuthThrottle, createAuthThrottle } from '../../src/dataplane/auth-throttle.js';
import { http, startTestGateway, type TestGateway } from '../support/gateway.js';

describe('createAuthThrottle', () => {
  let clock = 0;
  const throttles: AuthThrottle[] = [];
  const throttle = (options: { limit: number; windowMs: number; blockMs: number; maxAddresses?: number }) => {
    const created = createAuthThrottle({ ...options, now: () => clock });
    throttles.push(created);
    return created;
  };
  beforeAll(() => {
    clock = 1_000_000;
  });
  afterAll(() => {
    for (const created of throttles) created.close();
  });

  it('blocks an address after `limit` failures within the window, and only that address', () => {
    const t = throttle({ limit: 3, windowMs: 10_000, blockMs: 5_000 });
    t.recordFailure('10.0.0.1');
    t.recordFailure('10.0.0.1');
    expect(t.blockedFor('10.0.0.1')).toBe(0);
    clock += 100;
    t.recordFailure('10.0.0.1');
    expect(t.blockedFor('10.0.0.1')).toBe(5_000);
    clock += 1_500;
    expect(t.blockedFor('10.0.0.1')).toBe(3_500);
    expect(t.blockedFor('10.0.0.2')).toBe(0);
    expect(t.blockedFor(undefined)).toBe(0);
  });

  it('unblocks after blockMs and counts afresh from there', () => {
    const t = throttle({ limit: 2, windowMs: 10_000, blockMs: 5_000 });
    t.recordFailure('10.0.0.1');
    t.recordFailure('10.0.0.1');
    clock += 4_999;
    expect(t.blockedFor('10.0.0.1')).toBe(1);
    clock += 1;
    expect(t.blockedFor('10.0.0.1')).toBe(0);
    t.recordFailure('10.0.0.1');
    expect(t.blockedFor('10.0.0.1')).toBe(0);
    t.recordFailure('10.0.0.1');
    expect(t.blockedFor('10.0.0.1')).toBe(5_000);
  });

  it('forgets failures once their window is over', () => {
    const t = throttle({ limit: 3, windowMs: 1_000, blockMs: 5_000 });
    t.recordFailure('10.0.0.1');
    t.recordFailure('10.0.0.1');
    clock += 1_000;
    t.recordFailure('10.0.0.1');
    t.recordFailure('10.0.0.1');
    expect(t.blockedFor('10.0.0.1')).toBe(0);
    t.recordFailure('10.0.0.1');
    expect(t.blockedFor('10.0.0.1')).toBe(5_000);
  });

  it('keeps the failures of one address apart from every other', () => {
    const t = throttle({ limit: 3, windowMs: 10_000, blockMs: 5_000 });
    for (const address of ['10.0.0.1', '10.0.0.2', '10.0.0.1', '10.0.0.2', '10.0.0.3'])
      t.recordFailure(address);
    expect(t.blockedFor('10.0.0.1')).toBe(0);
    expect(t.blockedFor('10.0.0.2')).toBe(0);
    t.recordFailure('10.0.0.2');
    expect(t.blockedFor('10.0.0.2')).toBe(5_000);
    expect(t.blockedFor('10.0.0.1')).toBe(0);
    expect(t.blockedFor('10.0.0.3')).toBe(0);
  });

  it('stays bounded under failures from many addresses, evicting the least recently failed', () => {
    const t = throttle({ limit: 2, windowMs: 60_000, blockMs: 60_000, maxAddresses: 1_000 });
    t.recordFailure('attacker');
    t.recordFailure('attacker');
    t.recordFailure('early');
    for (let i = 0; i < 997; i++) t.recordFailure(`198.51.${i >> 8}.${i & 255}`);
    expect(t.size()).toBe(999);
    // A failure moves its address to the young end: 'early' is now blocked and the most recent entry.
    t.recordFailure('early');
    t.recordFailure('new-1');
    expect(t.size()).toBe(1_000);
    t.recordFailure('new-2');
    expect(t.size()).toBe(1_000);
    expect(t.blockedFor('attacker')).toBe(0); // the least recently failed went first
    expect(t.blockedFor('early')).toBe(60_000);
    for (let i = 0; i < 50_000; i++) t.recordFailure(`203.0.${i >> 8}.${i & 255}`);
    expect(t.size()).toBe(1_000);
    expect(t.blockedFor('early')).toBe(0);
    t.recordFailure('203.0.195.79'); // the last address recorded is still there: its second failure blocks it
    expect(t.blockedFor('203.0.195.79')).toBe(60_000);
  });

  it('drops expired entries on the sweep', () => {
    const t = throttle({ limit: 5, windowMs: 1_000, blockMs: 3_000 });
    for (let i = 0; i < 100; i++) t.recordFailure(`10.1.0.${i}`);
    for (let i = 0; i < 5; i++) t.recordFailure('10.2.0.1');
    expect(t.size()).toBe(101);
    clock += 1_000;
    t.recordFailure('10.3.0.1');
    t.sweep();
    // An entry is kept for the longer of window and block after its last failure.
    expect(t.size()).toBe(102);
    clock += 2_000;
    t.sweep();
    expect(t.size()).toBe(1);
    expect(t.blockedFor('10.2.0.1')).toBe(0);
    clock += 3_000;
    t.sweep();
    expect(t.size()).toBe(0);
  });

  it('does nothing with a limit of 0', () => {
    const t = throttle({ limit: 0, windowMs: 60_000, blockMs: 60_000 });
    for (let i = 0; i < 1_000; i++) t.recordFailure('10.0.0.1');
    expect(t.blockedFor('10.0.0.1')).toBe(0);
    expect(t.size()).toBe(0);
  });
});

describe('failed-authentication throttling through the gateway', () => {
  const LIMIT = 5;
  const BLOCK_MS = 1_000;
  let gateway: TestGateway;
  let secret: string;

  beforeAll(async () => {
    gateway = await startTestGateway({
      config: { authFailureLimit: LIMIT, authFailureWindowMs: 60_000, authBlockMs: BLOCK_MS },
    });
    secret = (await gateway.createKey()).secret;
  });
  afterAll(async () => {
    await gateway?.close();
  });

  const wrongKey = () => `jk_wrong${Math.random().toString(36).slice(2)}`;

  it('answers 429 with Retry-After to every request from a blocked address, then serves it again', async () => {
    expect((await gateway.call('GET', '/v1/models', undefined, secret)).status).toBe(200);
    // A successful authentication in between resets nothing.
    for (let i = 0; i < LIMIT - 1; i++) {
      expect((await gateway.call('GET', '/v1/models', undefined, wrongKey())).status).toBe(401);
    }
    expect((await gateway.call('GET', '/v1/models', undefined, secret)).status).toBe(200);
    const last = await gateway.call('POST', '/v1/chat/completions', { model: 'x', messages: [] }, wrongKey());
    expect(last.status).toBe(401);

    for (const key of [secret, wrongKey(), undefined]) {
      const blocked = await gateway.call<{ error: { code: string; type: string; message: string } }>(
        'POST',
        '/v1/chat/completions',
        { model: 'x', messages: [{ role: 'user', content: 'hi' }] },
        key,
      );
      expect(blocked.status).toBe(429);
      expect(blocked.headers['retry-after']).toBe(String(Math.ceil(BLOCK_MS / 1000)));
      expect(blocked.json.error.code).toBe('too_many_failed_authentications');
      expect(blocked.json.error.type).toBe('rate_limit_error');
    }
    expect((await gateway.call('GET', '/v1/models', undefined, secret)).status).toBe(429);

    const metrics = (await http(`${gateway.url}/metrics`, 'GET')).text;
    expect(metrics).toMatch(
      /junction_errors_total\{[^}]*code="too_many_failed_authentications"[^}]*\} [1-9]/,
    );
    expect(metrics).toMatch(/junction_requests_total\{[^}]*status="429"[^}]*\} [1-9]/);
    expect(metrics).not.toContain('127.0.0.1');

    const deadline = Date.now() + 5_000;
    let status = 429;
    while (status === 429 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 25));
      status = (await gateway.call('GET', '/v1/models', undefined, secret)).status;
    }
    expect(status).toBe(200);
    // Counting starts afresh: one more wrong key is a plain 401, not a block.
    expect((await gateway.call('GET', '/v1/models', undefined, wrongKey())).status).toBe(401);
    expect((await gateway.call('GET', '/v1/models', undefined, secret)).status).toBe(200);
  });
});
