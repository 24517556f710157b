/**
 * The Playground in a real browser: a key pasted into the page lists its models; a chat answer streams in as
 * text with how it was served and what it cost; a mid-stream failure shows under the partial answer; Stop ends
 * a request; embeddings show each vector's length against the recorded dimension; the key is never stored.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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

const DEVELOPER = { email: 'dev@example.test', password: 'developer password 1' };
const PROVIDER_ADMIN = { email: 'providers@example.test', password: 'provider admin password' };

describe.skipIf(unavailable)('web app: Playground (chromium)', () => {
  let junction: WebJunction;
  let browser: TestBrowser;
  let secret: string;

  beforeAll(async () => {
    [junction, browser] = await Promise.all([startWebJunction(), openBrowser()]);
    await junction.admin('POST', '/providers', { id: 'echo-1', type: 'echo', displayName: 'Echo' });
    const deploy = (upstreamModel: string) => [{ providerId: 'echo-1', upstreamModel }];
    await junction.admin('POST', '/models', {
      id: 'chat-a',
      kind: 'chat',
      contextWindow: 8192,
      deployments: deploy('echo'),
    });
    await junction.admin('POST', '/models', {
      id: 'chat-cut',
      kind: 'chat',
      deployments: deploy('cut-after-2'),
    });
    await junction.admin('POST', '/models', {
      id: 'chat-slow',
      kind: 'chat',
      deployments: deploy('slow-20000'),
    });
    await junction.admin('POST', '/models', {
      id: 'embed-a',
      kind: 'embedding',
      dimension: 8,
      deployments: deploy('echo'),
    });
    await junction.admin('POST', '/prices', {
      scope: 'model',
      target: 'chat-a',
      input: '2.50',
      output: '10.00',
    });
    const team = await junction.admin<{ id: string }>('POST', '/teams', { name: 'playground' });
    const created = await junction.admin<{ secret: string }>('POST', '/keys', {
      name: 'try',
      teamId: team.id,
    });
    secret = created.secret;
    await createUser(junction, { ...DEVELOPER, role: 'developer', teamId: team.id });
    await createUser(junction, { ...PROVIDER_ADMIN, role: 'provider_admin' });
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    await junction?.close();
  });

  /** Opens the Playground from the menu, pastes the key and loads its models. */
  async function openWithKey(page: Page, who: { email: string; password: string }) {
    await signInWithPassword(page, junction.url, who.email, who.password);
    await page.getByRole('navigation').getByRole('link', { name: 'Playground', exact: true }).click();
    await page.getByLabel('API key', { exact: true }).fill(secret);
    await page.getByRole('button', { name: 'Load models', exact: true }).click();
    await page.getByRole('table', { name: 'Models this key may use' }).waitFor();
  }

  async function chooseModel(page: Page, label: string) {
    await page.getByRole('combobox', { name: 'Model', exact: true }).click();
    await page.getByRole('option', { name: label, exact: true }).click();
  }

  it('lists the key models, streams a chat answer as text with backend and cost, and forgets the key', async () => {
    const watched = await browser.newPage();
    const { page } = watched;
    await openWithKey(page, DEVELOPER);
    const models = page.getByRole('table', { name: 'Models this key may use' });
    for (const name of ['chat-a', 'chat-cut', 'embed-a']) {
      await expect(models.getByText(name, { exact: true }).count()).resolves.toBe(1);
    }
    await expect(models.getByText('8192', { exact: true }).count()).resolves.toBe(1);

    await chooseModel(page, 'chat-a (chat)');
    await page.getByLabel('System prompt', { exact: true }).fill('Answer briefly.');
    await page.getByLabel('Temperature', { exact: true }).fill('0.2');
    const prompt = 'Hello <img src=x onerror=alert(1)>\n  indented line';
    await page.getByLabel('Message', { exact: true }).fill(prompt);
    await page.getByRole('button', { name: 'Send', exact: true }).click();

    const answer = page.getByRole('article', { name: 'Answer 1' });
    await answer.getByText(/You said:/).waitFor();
    await answer.getByText(/Backend:\s*echo-1\/echo/).waitFor();
    await answer.getByText(/Attempts:\s*1/).waitFor();
    await answer.getByText(/Model version:\s*chat-a/).waitFor();
    await answer.getByText(/Completion tokens:\s*\d+/).waitFor();
    // The cost comes from the usage record, stored a moment later.
    await answer.getByText(/Cost:\s*\$0\.\d+/).waitFor({ timeout: 20_000 });
    // Model output and prompts are text: the markup is shown, never turned into an element.
    await expect(page.locator('article img').count()).resolves.toBe(0);
    const shown = await page.getByRole('article', { name: 'Your message' }).textContent();
    expect(shown).toContain('<img src=x onerror=alert(1)>');
    expect(shown).toContain('\n  indented line');
    await watched.screenshot('playground-chat');

    // The key is in no storage of the page.
    const stored = (await page.evaluate('JSON.stringify({ ...localStorage, ...sessionStorage })')) as string;
    expect(stored).not.toContain(secret);
    expect(stored).not.toContain(secret.slice(3));

    await page.getByRole('button', { name: 'Forget key', exact: true }).click();
    await expect(page.getByLabel('API key', { exact: true }).inputValue()).resolves.toBe('');
    await expect(page.getByRole('table', { name: 'Models this key may use' }).count()).resolves.toBe(0);
    await watched.close();
  });

  it('shows a mid-stream failure under the partial answer, and stops a request on Stop', async () => {
    const watched = await browser.newPage();
    const { page } = watched;
    await openWithKey(page, DEVELOPER);
    await chooseModel(page, 'chat-cut (chat)');
    await page.getByLabel('Message', { exact: true }).fill('one two three four five six seven');
    await page.getByRole('button', { name: 'Send', exact: true }).click();
    const cut = page.getByRole('article', { name: 'Answer 1' });
    await cut.getByText('The request failed').waitFor();
    await cut.getByText(/Backend:\s*echo-1\/cut-after-2/).waitFor();
    await watched.screenshot('playground-stream-error');

    await chooseModel(page, 'chat-slow (chat)');
    await page.getByLabel('Message', { exact: true }).fill('take your time');
    await page.getByRole('button', { name: 'Send', exact: true }).click();
    const slow = page.getByRole('article', { name: 'Answer 2' });
    await slow.getByLabel('Streaming the answer').waitFor();
    await page.getByRole('button', { name: 'Stop', exact: true }).click();
    await slow.getByText('stopped', { exact: true }).waitFor();
    // Stopped before any answer: the id the Playground sent still finds the request in usage.
    await slow.getByText(/Request id:\s*playground-/).waitFor();
    await watched.close();
  });

  it('embeds texts and shows each vector length against the recorded dimension', async () => {
    const watched = await browser.newPage();
    const { page } = watched;
    await openWithKey(page, DEVELOPER);
    await chooseModel(page, 'embed-a (embedding)');
    await page.getByText(/Recorded dimension:\s*8/).waitFor();
    await page.getByLabel('Inputs', { exact: true }).fill('first text\nsecond text');
    await page.getByRole('button', { name: 'Embed', exact: true }).click();
    const result = page.getByRole('region', { name: 'Embeddings result' });
    await result.getByText(/Backend:\s*echo-1\/echo/).waitFor();
    await expect(result.getByText('matches', { exact: true }).count()).resolves.toBe(2);
    await expect(result.getByText('Dimension mismatch').count()).resolves.toBe(0);
    await result.getByText(/Model version:\s*embed-a/).waitFor();
    await watched.screenshot('playground-embeddings');
    await watched.close();
  });

  it('tells a role without usage.read that it cannot see the cost', async () => {
    const watched = await browser.newPage();
    const { page } = watched;
    await openWithKey(page, PROVIDER_ADMIN);
    await chooseModel(page, 'chat-a (chat)');
    await page.getByLabel('Message', { exact: true }).fill('hello');
    await page.getByRole('button', { name: 'Send', exact: true }).click();
    const answer = page.getByRole('article', { name: 'Answer 1' });
    await answer.getByText(/your role cannot read usage/).waitFor();
    await watched.close();
  });
});
