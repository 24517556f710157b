/**
 * An operator's first hour, in one browser session against a real `junction serve` and two fake regional
 * upstreams: sign in; connect a provider through the four steps with Test connection listing its models; see
 * it turn healthy; create a model whose pool spans two regions; create a key and see its secret once; stream an
 * answer in the Playground; move and roll back an alias; find that change in the audit log; read the usage
 * dashboard. The screenshots `readme-providers` and `readme-usage` are the ones the README shows.
 */
import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeUpstream, startFakeUpstream } from '../harness/fake-upstream.js';
import {
  browserUnavailable,
  createUser,
  openBrowser,
  signInWithPassword,
  startWebJunction,
  type TestBrowser,
  type WebJunction,
} from '../support/web.js';

const unavailable = browserUnavailable();
const OPERATOR = { email: 'journey-ops@example.test', password: 'operator password 1' };
const US_KEY = 'sk-journey-us-east-credential-1';
const EU_KEY = 'sk-journey-eu-west-credential-2';

async function choose(page: Page, scope: Page | Locator, label: RegExp | string, option: RegExp | string) {
  await scope.getByLabel(label).first().click();
  await page.getByRole('option', { name: option }).first().click();
}

describe.skipIf(unavailable)('web app: an operator journey (chromium)', () => {
  let junction: WebJunction;
  let browser: TestBrowser;
  let upstream: FakeUpstream;

  beforeAll(async () => {
    [junction, browser, upstream] = await Promise.all([
      startWebJunction(),
      openBrowser(),
      startFakeUpstream(),
    ]);
    await createUser(junction, { ...OPERATOR, role: 'super_admin', name: 'Platform operator' });
    // The rest of the estate, so the pages show more than one row.
    await junction.admin('POST', '/providers', {
      id: 'openai-compat-eu-west',
      type: 'openai-compatible',
      displayName: 'Inference EU (Frankfurt)',
      baseUrl: `${upstream.url}/eu/v1`,
      apiKey: EU_KEY,
      region: 'eu-west-1',
    });
    await junction.admin('POST', '/providers', {
      id: 'anthropic-aws-us-east-1',
      type: 'bedrock',
      displayName: 'Claude on Bedrock (N. Virginia)',
      region: 'us-east-1',
      awsCredentials: {
        accessKeyId: 'AKIAJOURNEYEXAMPLE01',
        secretAccessKey: 'journey-aws-secret-key-000000000000',
      },
    });
    await junction.admin('POST', '/providers', { id: 'echo-lab', type: 'echo', displayName: 'Echo (lab)' });
    await junction.admin('POST', '/models', {
      id: 'acme-llm-2026-03',
      kind: 'chat',
      deployments: [{ providerId: 'openai-compat-eu-west', upstreamModel: 'fake-model-1' }],
    });
    await junction.admin('POST', '/models', {
      id: 'lab-chat',
      kind: 'chat',
      deployments: [{ providerId: 'echo-lab', upstreamModel: 'echo' }],
    });
    await junction.admin('POST', '/aliases', { id: 'acme-llm', modelId: 'acme-llm-2026-03' });
    await junction.admin('POST', '/teams', { name: 'search' });
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    await junction?.close();
    await upstream?.close();
  });

  it('connects, routes, issues a key, streams, moves an alias and finds it in the audit log', async () => {
    const watched = await browser.newPage();
    const { page } = watched;
    await signInWithPassword(page, junction.url, OPERATOR.email, OPERATOR.password);
    const menu = page.getByRole('navigation');

    // Connect a provider in four steps; Test connection lists what the upstream offers.
    await menu.getByRole('link', { name: 'Providers', exact: true }).click();
    await page.getByRole('button', { name: 'Connect provider' }).first().click();
    const drawer = page.getByRole('dialog', { name: 'Connect provider' });
    await choose(page, drawer, /^Provider type/, 'OpenAI-compatible server');
    await choose(page, drawer, /^Authentication/, /^API key$/);
    await drawer.getByLabel(/^API key/).fill(US_KEY);
    await drawer.getByRole('button', { name: 'Next' }).click();
    await drawer.getByLabel(/^Identifier/).fill('openai-compat-us-east');
    await drawer.getByLabel(/^Display name/).fill('Inference US (Virginia)');
    await drawer.getByLabel(/^Base URL/).fill(`${upstream.url}/us/v1`);
    await drawer.getByLabel(/^Region/).fill('us-east-1');
    await drawer.getByRole('button', { name: 'Next' }).click();
    await drawer.getByRole('button', { name: 'Next' }).click();
    await drawer.getByRole('button', { name: 'Test connection' }).click();
    await drawer.getByText('Connected', { exact: true }).waitFor();
    await drawer.getByRole('checkbox', { name: 'fake-model-1' }).waitFor();
    await drawer.getByRole('checkbox', { name: 'fake-embed-1' }).waitFor();
    await drawer.getByRole('button', { name: 'Connect', exact: true }).click();
    await drawer.getByText('Provider connected').waitFor();
    await page.keyboard.press('Escape');

    // It turns healthy in the list (checked on save).
    await menu.getByRole('link', { name: 'Providers', exact: true }).click();
    const row = page.getByRole('row').filter({ hasText: 'openai-compat-us-east' });
    await row.getByText('healthy', { exact: true }).waitFor({ timeout: 20_000 });
    await page
      .getByRole('row')
      .filter({ hasText: 'openai-compat-eu-west' })
      .getByText('healthy', { exact: true })
      .waitFor({
        timeout: 20_000,
      });
    expect(await page.content()).not.toContain(US_KEY);

    // A model whose pool spans both regions.
    await menu.getByRole('link', { name: 'Models', exact: true }).click();
    await page.getByRole('button', { name: 'Add model' }).first().click();
    const add = page.getByRole('dialog', { name: 'Add model' });
    await add.getByLabel(/^Name/).fill('acme-llm-2026-04');
    await choose(page, add, 'Provider entry 1', /Inference US/);
    await add.getByLabel('Upstream model 1').fill('fake-model-1');
    await add.getByRole('button', { name: 'Add deployment' }).click();
    await choose(page, add, 'Provider entry 2', /Inference EU/);
    await add.getByLabel('Upstream model 2').fill('fake-model-1');
    await add.getByRole('button', { name: 'Add model' }).click();
    await page.getByRole('heading', { name: 'acme-llm-2026-04' }).waitFor();
    const pool = await junction.admin<{ deployments: { providerId: string }[] }>(
      'GET',
      '/models/acme-llm-2026-04',
    );
    expect(pool.deployments.map((member) => member.providerId)).toEqual([
      'openai-compat-us-east',
      'openai-compat-eu-west',
    ]);
    await junction.admin('POST', '/prices', {
      scope: 'model',
      target: 'acme-llm-2026-04',
      input: '2.50',
      output: '10',
    });
    await junction.admin('POST', '/prices', {
      scope: 'model',
      target: 'acme-llm-2026-03',
      input: '3',
      output: '15',
    });

    // A key, its secret shown once.
    await menu.getByRole('link', { name: 'Teams & keys', exact: true }).click();
    await page.getByRole('button', { name: 'Create API key' }).first().click();
    const createKey = page.getByRole('dialog', { name: 'Create API key' });
    await createKey
      .getByLabel(/^Name( \*)?$/)
      .first()
      .fill('search-backend');
    await choose(page, createKey, /^Team( \*)?$/, /^search$/);
    await createKey.getByRole('button', { name: 'Create key' }).click();
    const shown = page.getByRole('dialog', { name: 'Your new API key' });
    const secret = ((await shown.locator('code').first().textContent()) ?? '').trim();
    expect(secret).toMatch(/^jk_/);
    await shown.getByRole('button', { name: 'I have stored it safely' }).click();
    await shown.waitFor({ state: 'hidden' });
    expect(await page.content()).not.toContain(secret);

    // The Playground streams an answer from the new model.
    await menu.getByRole('link', { name: 'Playground', exact: true }).click();
    await page.getByLabel('API key', { exact: true }).fill(secret);
    await page.getByRole('button', { name: 'Load models', exact: true }).click();
    await page.getByRole('table', { name: 'Models this key may use' }).waitFor();
    await page.getByRole('combobox', { name: 'Model', exact: true }).click();
    await page.getByRole('option', { name: 'acme-llm-2026-04 (chat)', exact: true }).click();
    await page.getByLabel('Message', { exact: true }).fill('Where is my request served?');
    await page.getByRole('button', { name: 'Send', exact: true }).click();
    const answer = page.getByRole('article', { name: 'Answer 1' });
    await answer.getByText(/fake:Where is my request served\?/).waitFor();
    await answer.getByText(/Backend:\s*openai-compat-(us-east|eu-west)\/fake-model-1/).waitFor();
    await answer.getByText(/Cost:\s*\$0\.\d+/).waitFor({ timeout: 20_000 });
    await watched.screenshot('readme-playground');

    // Move the alias to the new version and roll it back; both are in the audit log.
    await menu.getByRole('link', { name: 'Models', exact: true }).click();
    await page.getByRole('button', { name: 'Move acme-llm' }).click();
    const move = page.getByRole('dialog', { name: 'Move alias acme-llm' });
    await choose(page, move, 'Target version', /acme-llm-2026-04/);
    await move.getByRole('button', { name: 'Move alias' }).click();
    await move.waitFor({ state: 'hidden' });
    expect((await junction.admin<{ modelId: string }>('GET', '/aliases/acme-llm')).modelId).toBe(
      'acme-llm-2026-04',
    );
    await page.getByRole('button', { name: 'Roll back acme-llm' }).click();
    const rollback = page.getByRole('dialog', { name: 'Roll back acme-llm' });
    await rollback.getByRole('button', { name: 'Roll back' }).click();
    await rollback.waitFor({ state: 'hidden' });
    expect((await junction.admin<{ modelId: string }>('GET', '/aliases/acme-llm')).modelId).toBe(
      'acme-llm-2026-03',
    );

    await menu.getByRole('link', { name: 'Audit log', exact: true }).click();
    const events = page.getByRole('table', { name: 'Audit events' });
    await page.getByRole('textbox', { name: 'Action' }).fill('aliases.move');
    await expect.poll(() => events.getByRole('row').count()).toBe(2);
    await events.getByText('Platform operator', { exact: false }).first().waitFor();
    await events.getByRole('link').first().click();
    const changes = page.getByRole('table', { name: 'Changes' });
    await changes.getByRole('row').filter({ hasText: 'modelId' }).getByText('changed').first().waitFor();
    await watched.screenshot('readme-audit');

    // Traffic for the dashboards: both versions, an embedding, and a refused model.
    for (let i = 0; i < 24; i++) {
      const model = i % 3 === 0 ? 'acme-llm' : 'acme-llm-2026-04';
      const sent = await junction.call(
        '/v1/chat/completions',
        { model, messages: [{ role: 'user', content: `question number ${i} about the quarterly report` }] },
        secret,
      );
      expect(sent.status).toBe(200);
    }
    for (let i = 0; i < 3; i++) {
      const sent = await junction.call(
        '/v1/chat/completions',
        { model: 'retired-model', messages: [{ role: 'user', content: 'hello' }] },
        secret,
      );
      expect(sent.status).toBe(404);
    }

    await menu.getByRole('link', { name: 'Usage', exact: true }).click();
    await choose(page, page, /^Time range/, 'Last hour');
    await choose(page, page, /^Group by/, /^Model$/);
    await expect
      .poll(
        async () => {
          await page.getByRole('button', { name: 'Refresh' }).click();
          return page.getByText('acme-llm-2026-04', { exact: true }).count();
        },
        { timeout: 20_000 },
      )
      .toBeGreaterThan(0);
    // Requests to the alias are grouped under it, and priced as the version that served them.
    await page.getByText('acme-llm', { exact: true }).first().waitFor();
    await watched.screenshot('readme-usage');
    await expect(page.getByText(/\d+ unpriced/).count()).resolves.toBe(0);

    await menu.getByRole('link', { name: 'Providers', exact: true }).click();
    await page.getByRole('row').filter({ hasText: 'openai-compat-us-east' }).waitFor();
    await watched.screenshot('readme-providers');
    await watched.close();
  });
});
