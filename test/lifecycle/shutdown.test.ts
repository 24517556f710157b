/**
 * Graceful shutdown: readiness turns false, new data-plane requests are refused with 503, a stream in flight
 * finishes with [DONE], and shutdown resolves once it has.
 */
import { request } from 'undici';
import { describe, expect, it } from 'vitest';
import { addEchoChatModel, http, startTestGateway } from '../support/gateway.js';

describe('shutdown', () => {
  it('drains an in-flight stream and refuses new work meanwhile', async () => {
    const gateway = await startTestGateway({ config: { drainTimeoutMs: 10_000 } });
    await addEchoChatModel(gateway);
    const key = (await gateway.createKey()).secret;
    // Forty words at the echo provider's pace take several hundred milliseconds to stream.
    const words = Array.from({ length: 40 }, (_, index) => `w${index}`).join(' ');
    const streaming = await request(`${gateway.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'chat', stream: true, messages: [{ role: 'user', content: words }] }),
    });
    expect(streaming.statusCode).toBe(200);
    const body = streaming.body.text();
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(gateway.running.dataPlane.inFlight()).toBe(1);

    const stopped = gateway.close();
    await new Promise((resolve) => setTimeout(resolve, 20));
    const refused = await http(`${gateway.url}/v1/models`, 'GET', undefined, {
      authorization: `Bearer ${key}`,
    }).catch((error: Error) => ({ status: 0, error }));
    // Either refused by the draining handler (503) or no longer accepted at all: never served.
    expect([0, 503]).toContain(refused.status);

    const text = await body;
    expect(text.trim().endsWith('data: [DONE]')).toBe(true);
    expect(text).toContain('w39');
    await stopped;
    expect(gateway.running.dataPlane.inFlight()).toBe(0);
  });
});
