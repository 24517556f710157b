/**
 * The providers pages in a real browser: the four-step connect drawer against a fake upstream (a failed and a
 * successful "Test connection", picking listed and typed models, one "Connect"), a deferred Bedrock entry with the
 * region check and an API error shown on the step holding the field, the list's filter and sort, and the provider
 * page's actions (verify, rotate, disable, delete refused while models use it). The credential never appears on
 * any page.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeUpstream, startFakeUpstream } from '../harness/fake-upstream.js';
import { modelObject } from '../harness/openai-fixtures.js';
import {
  browserUnavailable,
  openBrowser,
  startWebJunction,
  type TestBrowser,
  WEB_ADMIN_TOKEN,
  type WebJunction,
} from '../support/web.js';

const unavailable = browserUnavailable();
const SECRET = 'sk-browser-provider-secret-4f1c9e';
const ROTATED = 'sk-browser-provider-rotated-8a2d7b';
const AWS_SECRET = 'aws-browser-secret-0b3e5d7f9a';

describe.skipIf(unavailable)('web app: providers (chromium)', () => {
  let junction: WebJunction;
  let browser: TestBrowser;
  let upstream: FakeUpstream;

  beforeAll(async () => {
    upstream = await startFakeUpstream({ defaultReplies: false });
    upstream.on({
      method: 'GET',
      path: '/good/v1/models',
      reply: {
        kind: 'json',
        body: {
          object: 'list',
          data: [modelObject('gpt-4o'), modelObject('gpt-4o-mini'), modelObject('text-embed-small')],
        },
      },
    });
    upstream.on({
      method: 'GET',
      path: '/bad/v1/models',
      reply: { kind: 'json', status: 401, body: { error: { message: 'Incorrect API key provided' } } },
    });
    [junction, browser] = await Promise.all([startWebJunction(), openBrowser()]);
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    await junction?.close();
    await upstream?.close();
  });

  async function signIn(page: import('playwright-core').Page) {
    await page.goto(junction.url);
    await page
      .getByText(/admin token/i)
      .first()
      .click();
    await page.getByLabel(/^Admin token/).fill(WEB_ADMIN_TOKEN);
    await page.getByRole('button', { name: /sign in with token/i }).click();
    await page.getByRole('navigation').waitFor();
    await page.getByRole('navigation').getByRole('link', { name: 'Providers', exact: true }).click();
  }

  it('connects an OpenAI-compatible server in four steps, with its models, and opens its page', async () => {
    const watched = await browser.newPage();
    const { page } = watched;
    await signIn(page);
    await page.getByText('No providers yet').waitFor();
    await page.getByRole('button', { name: 'Connect provider' }).first().click();
    const drawer = page.getByRole('dialog', { name: 'Connect provider' });

    // 1. Credential
    await drawer.getByLabel(/^Provider type/).click();
    await page.getByRole('option', { name: 'OpenAI-compatible server' }).click();
    await drawer.getByLabel(/^Authentication/).click();
    await page.getByRole('option', { name: 'API key', exact: true }).click();
    await drawer.getByLabel(/^API key/).fill(SECRET);
    await drawer.getByRole('button', { name: 'Next' }).click();

    // 2. Name and routing: the identifier is checked as it is typed.
    await drawer.getByLabel(/^Identifier/).fill('Not Valid');
    await drawer.getByText('Must start with a lowercase letter').waitFor();
    await drawer.getByLabel(/^Identifier/).fill('vllm-onprem-dc1');
    await drawer.getByLabel(/^Display name/).fill('vLLM on-prem');
    await drawer.getByLabel(/^Base URL/).fill(`${upstream.url}/bad/v1`);
    await drawer.getByRole('button', { name: 'Next' }).click();

    // 3. Environments
    await expect(drawer.getByRole('checkbox', { name: 'production' }).isChecked()).resolves.toBe(true);
    await drawer.getByRole('button', { name: 'Next' }).click();

    // 4. Models: a rejected credential is diagnosed; with the right path the listed models can be picked.
    await drawer.getByRole('button', { name: 'Test connection' }).click();
    await drawer.getByText('Connection failed').waitFor();
    await drawer.getByText(/rejected the credential \(HTTP 401\)/).waitFor();
    await watched.screenshot('providers-test-failed');
    await drawer.getByRole('button', { name: 'Back' }).click();
    await drawer.getByRole('button', { name: 'Back' }).click();
    await drawer.getByLabel(/^Base URL/).fill(`${upstream.url}/good/v1`);
    await drawer.getByRole('button', { name: 'Next' }).click();
    await drawer.getByRole('button', { name: 'Next' }).click();
    await drawer.getByRole('button', { name: 'Test connection' }).click();
    await drawer.getByText('Connected', { exact: true }).waitFor();
    await drawer.getByRole('checkbox', { name: 'gpt-4o-mini' }).check();
    await drawer.getByRole('checkbox', { name: 'text-embed-small' }).check();
    await drawer.getByLabel('Dimension of text-embed-small').fill('256');
    await drawer.getByLabel(/^Model name/).fill('custom-model');
    await drawer.getByRole('button', { name: 'Add model' }).click();
    await watched.screenshot('providers-models-picked');
    await drawer.getByRole('button', { name: 'Connect', exact: true }).click();
    await drawer.getByText('Provider connected').waitFor();
    await drawer.getByRole('button', { name: 'Open provider page' }).click();
    await page.getByRole('heading', { name: 'vLLM on-prem' }).waitFor();

    const models = await junction.admin<{
      data: { id: string; kind: string; deployments: { providerId: string }[] }[];
    }>('GET', '/models');
    const byId = new Map(models.data.map((model) => [model.id, model]));
    expect(byId.get('gpt-4o-mini')?.deployments.map((d) => d.providerId)).toEqual(['vllm-onprem-dc1']);
    expect(byId.get('text-embed-small')?.kind).toBe('embedding');
    expect(byId.has('custom-model')).toBe(true);
    expect(byId.has('gpt-4o')).toBe(false);

    // The provider page: verify, rotate (write-only), disable.
    await page.getByRole('button', { name: 'Verify now' }).click();
    await page.getByText('Health history').waitFor();
    await page.getByRole('button', { name: 'Rotate credential' }).click();
    await page.getByLabel(/^New API key/).fill(ROTATED);
    await page.getByRole('button', { name: 'Rotate', exact: true }).click();
    await page.getByRole('dialog', { name: 'Rotate credential' }).waitFor({ state: 'hidden' });
    await page.getByText(`****${ROTATED.slice(-4)}`).waitFor();
    await page.getByRole('button', { name: 'Disable' }).click();
    await page
      .getByRole('dialog', { name: 'Disable provider' })
      .getByRole('button', { name: 'Disable' })
      .click();
    await page.getByText('· disabled').waitFor();
    await watched.screenshot('providers-detail');
    const html = await page.content();
    expect(html).not.toContain(SECRET);
    expect(html).not.toContain(ROTATED);
    await watched.close();
  });

  it('connects a deferred Bedrock entry: region check, API errors on the step holding the field', async () => {
    const watched = await browser.newPage();
    const { page } = watched;
    await signIn(page);
    await page.getByRole('button', { name: 'Connect provider' }).first().click();
    const drawer = page.getByRole('dialog', { name: 'Connect provider' });
    await drawer.getByLabel(/^Provider type/).click();
    await page.getByRole('option', { name: 'AWS Bedrock' }).click();
    await drawer.getByLabel(/^AWS access key ID/).fill('AKIAIOSFODNN7EXAMPLE');
    await drawer.getByLabel(/^AWS secret access key/).fill(AWS_SECRET);
    await drawer.getByRole('button', { name: 'Next' }).click();
    await drawer.getByLabel(/^Identifier/).fill('anthropic-aws-us-east-1');
    await drawer.getByLabel(/^Display name/).fill('Claude us-east-1');
    await drawer.getByLabel(/^Region/).fill('us-east-1');
    await drawer.getByLabel(/^Base URL/).fill('https://bedrock-runtime.eu-west-1.amazonaws.com/openai/v1');
    await drawer.getByRole('button', { name: 'Next' }).click();
    await drawer.getByText(/differs from the region in the base URL host \(eu-west-1\)/).waitFor();
    await drawer.getByRole('button', { name: 'Use the catalog default' }).click();
    await drawer.getByRole('button', { name: 'Next' }).click();
    await drawer.getByRole('button', { name: 'Next' }).click();
    await drawer.getByText('Validated by the first real request').waitFor();

    // A name the server refuses: the error shows next to that model, and nothing is saved.
    await drawer.getByLabel(/^Model name/).fill('vendor/not-a-name');
    await drawer.getByRole('button', { name: 'Add model' }).click();
    await drawer.getByLabel(/^Model name/).fill('anthropic.claude-sonnet-4');
    await drawer.getByRole('button', { name: 'Add model' }).click();
    await drawer.getByRole('button', { name: 'Connect', exact: true }).click();
    await drawer
      .getByText(/cannot name a logical model/)
      .first()
      .waitFor();
    const providers = await junction.admin<{ data: { id: string }[] }>('GET', '/providers');
    expect(providers.data.map((p) => p.id)).not.toContain('anthropic-aws-us-east-1');
    await drawer.getByRole('button', { name: 'Remove vendor/not-a-name' }).click();
    await drawer.getByRole('button', { name: 'Connect', exact: true }).click();
    await drawer.getByText('Provider connected').waitFor();
    await drawer.getByRole('button', { name: 'Close' }).click();

    // The list: filter by text and status, sort by a column.
    await page.getByRole('link', { name: 'anthropic-aws-us-east-1' }).waitFor();
    await page.getByLabel('Filter').fill('bedrock');
    await expect(page.getByRole('link', { name: 'vllm-onprem-dc1' }).count()).resolves.toBe(0);
    await page.getByLabel('Filter').fill('');
    await page.getByRole('combobox', { name: 'Status' }).click();
    await page.getByRole('option', { name: 'Deferred' }).click();
    await expect(page.getByRole('link', { name: 'anthropic-aws-us-east-1' }).count()).resolves.toBe(1);
    await expect(page.getByRole('link', { name: 'vllm-onprem-dc1' }).count()).resolves.toBe(0);
    await page.getByRole('combobox', { name: 'Status' }).click();
    await page.getByRole('option', { name: 'All statuses' }).click();
    await page.getByRole('button', { name: 'Identifier' }).click();
    const header = page.getByRole('columnheader', { name: /Identifier/ });
    await expect(header.getAttribute('aria-sort')).resolves.toBe('descending');
    await watched.screenshot('providers-list');

    // Delete is refused while a model uses the entry, with the API's message.
    await page.getByRole('link', { name: 'anthropic-aws-us-east-1' }).click();
    await page.getByRole('button', { name: 'Delete' }).click();
    await page
      .getByRole('dialog', { name: 'Delete provider' })
      .getByRole('button', { name: 'Delete' })
      .click();
    await page.getByText(/serves the models anthropic\.claude-sonnet-4/).waitFor();
    expect(await page.content()).not.toContain(AWS_SECRET);
    await watched.close();
  });
});
