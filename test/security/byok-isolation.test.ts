/**
 * Test plan X2: two tenants call a BYOK (passthrough) model interleaved over keep-alive connections. Each
 * caller's provider key reaches the upstream only with that caller's own requests, only at the entry's host,
 * and never Junction's key; a managed entry's stored credential never travels with a passthrough request.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type FakeUpstream, startFakeUpstream } from '../harness/fake-upstream.js';
import { ok, startTestGateway, type TestGateway } from '../support/gateway.js';

const REQUESTS = 2_000;
const CONCURRENCY = 20;
const MANAGED_CREDENTIAL = 'sk-managed-credential-never-on-byok-0001';

let gateway: TestGateway;
let byokUpstream: FakeUpstream;
let managedUpstream: FakeUpstream;

beforeAll(async () => {
  byokUpstream = await startFakeUpstream();
  managedUpstream = await startFakeUpstream();
  gateway = await startTestGateway();
  await ok(
    gateway.admin('POST', '/providers', {
      id: 'openai-byok',
      type: 'openai-compatible',
      displayName: 'BYOK',
      baseUrl: `${byokUpstream.url}/v1`,
      authMethod: 'passthrough',
    }),
  );
  await ok(
    gateway.admin('POST', '/providers', {
      id: 'openai-managed',
      type: 'openai-compatible',
      displayName: 'Managed',
      baseUrl: `${managedUpstream.url}/v1`,
      apiKey: MANAGED_CREDENTIAL,
    }),
  );
  await ok(
    gateway.admin('POST', '/models', {
      id: 'byok-chat',
      kind: 'chat',
      deployments: [{ providerId: 'openai-byok', upstreamModel: 'gpt-byok' }],
    }),
  );
  await ok(
    gateway.admin('POST', '/models', {
      id: 'managed-chat',
      kind: 'chat',
      deployments: [{ providerId: 'openai-managed', upstreamModel: 'gpt-managed' }],
    }),
  );
});
afterAll(async () => {
  await gateway?.close();
  await byokUpstream?.close();
  await managedUpstream?.close();
});

it('X2: a caller key reaches only its own requests, at the entry host, never with Junction keys', async () => {
  const tenants = await Promise.all(
    [1, 2].map(async (tenant) => ({
      tenant,
      junction: (await gateway.createKey({ team: `tenant-${tenant}` })).secret,
      provider: `sk-tenant-${tenant}-own-provider-key-${tenant}${tenant}${tenant}${tenant}`,
    })),
  );
  let sent = 0;
  const worker = async () => {
    while (sent < REQUESTS) {
      const index = sent++;
      const caller = tenants[index % 2]!;
      // Every few requests a managed call is interleaved on the same connections.
      const managed = index % 7 === 0;
      const result = await gateway.call(
        'POST',
        '/v1/chat/completions',
        {
          model: managed ? 'managed-chat' : 'byok-chat',
          messages: [{ role: 'user', content: `tenant-${caller.tenant} request-${index}` }],
        },
        caller.junction,
        managed ? {} : { 'x-junction-provider-key': caller.provider },
      );
      expect(result.status, result.text).toBe(200);
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));

  const junctionKeys = tenants.map((tenant) => tenant.junction);
  for (const request of byokUpstream.requests) {
    const content = JSON.stringify(request.json);
    const tenant = /tenant-(\d)/.exec(content)?.[1];
    expect(request.headers.authorization).toBe(`Bearer ${tenants[Number(tenant) - 1]!.provider}`);
    const seen = JSON.stringify(request.headers) + request.body;
    for (const key of junctionKeys) expect(seen).not.toContain(key);
    expect(seen).not.toContain(MANAGED_CREDENTIAL);
  }
  for (const request of managedUpstream.requests) {
    const seen = JSON.stringify(request.headers) + request.body;
    expect(request.headers.authorization).toBe(`Bearer ${MANAGED_CREDENTIAL}`);
    for (const tenant of tenants) {
      expect(seen).not.toContain(tenant.provider);
      expect(seen).not.toContain(tenant.junction);
    }
  }
  expect(byokUpstream.requests.length + managedUpstream.requests.length).toBe(REQUESTS);
});
