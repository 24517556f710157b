/**
 * The default price table shipped with Junction: a usage row of a deployment whose provider type and upstream model
 * are in the table is priced from it when the operator set no price (with no warning); an operator's model price
 * wins over it; JUNCTION_DEFAULT_PRICES=off leaves such a row unpriced with a warning. `GET /prices/defaults` lists
 * the table.
 *
 * The upstream model is gpt-5-mini (input $0.25, cached input $0.025, output $2 per million, as OpenAI's model page
 * lists it), an entry of the shipped table.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { usageRecords } from '../../src/store/schema.js';
import { chat } from '../dataplane/helpers.js';
import { type FakeUpstream, startFakeUpstream } from '../harness/fake-upstream.js';
import { chatCompletion } from '../harness/openai-fixtures.js';
import { ok, startTestGateway, type TestGateway } from '../support/gateway.js';
import { storeKinds } from '../support/stores.js';

const CHAT = '/v1/chat/completions';
const UPSTREAM_MODEL = 'gpt-5-mini';
/** An amount without the trailing zeros one store keeps and the other drops. */
const usd = (value: string | null) => value?.replace(/(\.\d*?)0+$/, '$1').replace(/\.$/, '') ?? null;
const usage = {
  prompt_tokens: 10_000,
  completion_tokens: 1_000,
  total_tokens: 11_000,
  prompt_tokens_details: { cached_tokens: 8_000 },
  completion_tokens_details: { reasoning_tokens: 600 },
};

interface Setup {
  gateway: TestGateway;
  upstream: FakeUpstream;
  key: string;
}

/** A gateway with an `openai` entry (and an `openai-compatible` one) pointed at the fake upstream. */
async function setUp(store: Awaited<ReturnType<typeof storeKinds>>[number], defaultPrices: boolean) {
  const upstream = await startFakeUpstream();
  const gateway = await startTestGateway({ store, config: { defaultPrices } });
  for (const [id, type] of [
    ['oa', 'openai'],
    ['compat', 'openai-compatible'],
  ] as const) {
    await ok(
      gateway.admin('POST', '/providers', {
        id,
        type,
        displayName: id,
        baseUrl: `${upstream.url}/v1`,
        apiKey: 'sk-test-default-prices-0001',
      }),
    );
  }
  await ok(
    gateway.admin('POST', '/models', {
      id: 'mini',
      kind: 'chat',
      deployments: [{ providerId: 'oa', upstreamModel: UPSTREAM_MODEL }],
    }),
  );
  await ok(
    gateway.admin('POST', '/models', {
      id: 'mini-compat',
      kind: 'chat',
      deployments: [{ providerId: 'compat', upstreamModel: UPSTREAM_MODEL }],
    }),
  );
  const key = (await gateway.createKey()).secret;
  return { gateway, upstream, key } satisfies Setup;
}

async function sendAndRead(setup: Setup, requestId: string, model: string) {
  setup.upstream.enqueue('POST', CHAT, {
    kind: 'json',
    body: { ...chatCompletion({ model: UPSTREAM_MODEL, content: 'x' }), usage },
  });
  const answer = await setup.gateway.call('POST', CHAT, chat(model), setup.key, {
    'x-request-id': requestId,
  });
  expect(answer.status).toBe(200);
  await setup.gateway.running.usage.drain();
  const found = (await setup.gateway.store.db.select().from(usageRecords)).filter(
    (row) => row.requestId === requestId,
  );
  expect(found).toHaveLength(1);
  return found[0]!;
}

const kinds = await storeKinds();

describe.each(kinds)('default prices (%s store)', (store) => {
  let setup: Setup;
  const gateway = () => setup.gateway;

  beforeAll(async () => {
    setup = await setUp(store, true);
  });
  afterAll(async () => {
    await setup?.gateway.close();
    await setup?.upstream.close();
  });

  it('prices a row from the shipped table when no price is set, with no warning', async () => {
    const row = await sendAndRead(setup, 'default-1', 'mini');
    expect(row).toMatchObject({ backend: `oa/${UPSTREAM_MODEL}`, providerId: 'oa', priceWarning: null });
    // 2,000 uncached × 0.25 + 8,000 cached × 0.025 + 1,000 completion (600 of them reasoning) × 2
    //   = 500 + 200 + 2,000 = 2,700 µUSD
    expect(usd(row.costUsd)).toBe('0.0027');
  });

  it('applies the table by provider type: the same upstream model of another type stays unpriced', async () => {
    const row = await sendAndRead(setup, 'compat-1', 'mini-compat');
    expect(row.costUsd).toBeNull();
    expect(row.priceWarning).toContain(`No price for compat/${UPSTREAM_MODEL}`);
  });

  it("lets an operator's model price win over the shipped one", async () => {
    await ok(gateway().admin('POST', '/prices', { scope: 'model', target: 'mini', input: '1', output: '2' }));
    const row = await sendAndRead(setup, 'model-price-1', 'mini');
    // 10,000 prompt × 1 + 1,000 completion × 2 = 12,000 µUSD (no cache or reasoning price: input and output apply).
    expect(usd(row.costUsd)).toBe('0.012');
    expect(row.priceWarning).toBeNull();
  });

  it('lists the shipped table, optionally for one provider type', async () => {
    const all = await ok(
      gateway().admin<{ data: Array<{ providerType: string }> }>('GET', '/prices/defaults'),
    );
    expect(new Set(all.data.map((price) => price.providerType))).toContain('anthropic');
    const openai = await ok(
      gateway().admin<{
        data: Array<{ providerType: string; model: string; input: string; source: string }>;
      }>('GET', '/prices/defaults?providerType=openai'),
    );
    expect(openai.data.length).toBeGreaterThan(0);
    expect(openai.data.every((price) => price.providerType === 'openai')).toBe(true);
    expect(openai.data.find((price) => price.model === UPSTREAM_MODEL)).toMatchObject({
      input: '0.25',
      cachedInput: '0.025',
      output: '2.00',
      source: expect.stringMatching(/^https:\/\//),
    });
    expect((await gateway().admin('GET', '/prices/defaults?providerType=nope')).status).toBe(400);
  });
});

describe('default prices turned off (JUNCTION_DEFAULT_PRICES=off)', () => {
  let setup: Setup;

  beforeAll(async () => {
    setup = await setUp('embedded', false);
  });
  afterAll(async () => {
    await setup?.gateway.close();
    await setup?.upstream.close();
  });

  it('leaves the row unpriced with a warning', async () => {
    const row = await sendAndRead(setup, 'off-1', 'mini');
    expect(row.costUsd).toBeNull();
    expect(row.priceWarning).toContain(`No price for oa/${UPSTREAM_MODEL}`);
  });
});
