/**
 * API keys, routing policies and personal tokens in a real browser: issuing a key with limits and a budget (the
 * secret shown once), its page (settings, budgets with spend, rotation), the routing policy editor (a rule with a
 * header match and ordered targets, a default split, an unknown model's error shown on the target concerned), the
 * explain view (the rule chosen, the planned attempts, what was left out and why), personal tokens (create with an
 * expiry, revoke), and what a developer is offered (their team only, no operator controls, no budgets).
 */
import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  browserUnavailable,
  createUser,
  openBrowser,
  startWebJunction,
  type TestBrowser,
  type WebJunction,
} from '../support/web.js';

const unavailable = browserUnavailable();
const HOSTILE = '<img src=x onerror=alert(1)>';

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
/** A form field by its visible label (a required field's label ends with " *"). */
const field = (scope: Page | Locator, label: string) =>
  scope.getByLabel(new RegExp(`^${escapeRegExp(label)}( \\*)?$`)).first();

async function signIn(page: Page, url: string, email: string, password: string) {
  await page.goto(url);
  await page.getByLabel(/^Email/).fill(email);
  await page.getByLabel(/^Password/).fill(password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.getByRole('navigation').waitFor();
}

/** Types into an autocomplete or tags field and closes its suggestions. */
async function type(scope: Page | Locator, label: string, value: string, commit = false) {
  const input = field(scope, label);
  await input.fill(value);
  if (commit) await input.press('Enter');
  await input.press('Escape');
}

describe.skipIf(unavailable)('web app: API keys, routing and personal tokens (chromium)', () => {
  let junction: WebJunction;
  let browser: TestBrowser;
  let teamId: string;

  beforeAll(async () => {
    [junction, browser] = await Promise.all([startWebJunction(), openBrowser()]);
    await junction.admin('POST', '/providers', { id: 'echo-eu', type: 'echo', displayName: 'Echo EU' });
    await junction.admin('POST', '/providers', { id: 'echo-us', type: 'echo', displayName: 'Echo US' });
    await junction.admin('POST', '/models', {
      id: 'fast-chat',
      kind: 'chat',
      deployments: [
        { providerId: 'echo-eu', upstreamModel: 'echo' },
        { providerId: 'echo-us', upstreamModel: 'echo' },
      ],
    });
    await junction.admin('POST', '/models', {
      id: 'smart-chat',
      kind: 'chat',
      deployments: [{ providerId: 'echo-us', upstreamModel: 'echo-large' }],
    });
    const team = await junction.admin<{ id: string }>('POST', '/teams', { name: 'search' });
    teamId = team.id;
    await junction.admin('POST', '/teams', { name: 'billing' });
    await createUser(junction, {
      email: 'ops@example.test',
      password: 'correct horse battery',
      role: 'super_admin',
    });
    await createUser(junction, {
      email: 'dev@example.test',
      password: 'developer password 1',
      role: 'developer',
      teamId,
    });
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    await junction?.close();
  });

  it('issues a key with limits and a budget, shows the secret once, and opens its page', async () => {
    const watched = await browser.newPage();
    const { page } = watched;
    await signIn(page, junction.url, 'ops@example.test', 'correct horse battery');
    await page.goto(`${junction.url}/#/teams`);
    await page.getByRole('button', { name: 'Create API key' }).first().click();
    const dialog = page.getByRole('dialog', { name: 'Create API key' });
    await field(dialog, 'Name').fill('search-backend');
    await field(dialog, 'Team').click();
    await page.getByRole('option', { name: 'search', exact: true }).click();
    await type(dialog, 'Allowed models', 'fast-chat', true);
    await field(dialog, 'Requests per minute').fill('600');
    await field(dialog, 'Tokens per minute').fill('100000');
    await dialog.getByRole('button', { name: 'Add a budget' }).click();
    await field(dialog, 'Budget 1 limit (usd)').fill('250');
    await dialog.getByRole('button', { name: 'Create key' }).click();

    const secretDialog = page.getByRole('dialog', { name: 'Your new API key' });
    const secret = (await secretDialog.locator('code').first().textContent()) ?? '';
    expect(secret).toMatch(/^jk_/);
    await secretDialog.getByRole('button', { name: 'I have stored it safely' }).click();
    await secretDialog.waitFor({ state: 'hidden' });
    expect(await page.content()).not.toContain(secret);

    const keys = await junction.admin<{
      data: { id: string; requestsPerMinute: number; allowedModels: string[] }[];
    }>('GET', '/keys');
    expect(keys.data[0]).toMatchObject({ requestsPerMinute: 600, allowedModels: ['fast-chat'] });
    const budgets = await junction.admin<{ data: { keyId: string; limitUsd: string }[] }>('GET', '/budgets');
    expect(budgets.data).toHaveLength(1);
    expect(budgets.data[0]?.keyId).toBe(keys.data[0]?.id);

    await page.getByRole('link', { name: 'search-backend' }).click();
    await page.getByRole('heading', { name: 'search-backend' }).waitFor();
    await page.getByRole('tab', { name: 'Budgets' }).click();
    await page.getByRole('table', { name: 'Key budgets' }).getByText('$0.00 of $250.00').waitFor();

    // Rotation: a new secret, shown once.
    await page.getByRole('button', { name: 'Rotate' }).click();
    await page
      .getByRole('dialog', { name: 'Rotate API key' })
      .getByRole('button', { name: 'Rotate secret' })
      .click();
    const rotated = page.getByRole('dialog', { name: "The key's new secret" });
    const next = (await rotated.locator('code').first().textContent()) ?? '';
    expect(next).toMatch(/^jk_/);
    expect(next).not.toBe(secret);
    await rotated.getByRole('button', { name: 'I have stored it safely' }).click();
    await watched.screenshot('key-budgets');
    await watched.close();
  });

  it('edits a routing policy, shows an unknown model on its target, saves it, and explains a request', async () => {
    const watched = await browser.newPage();
    const { page } = watched;
    await signIn(page, junction.url, 'ops@example.test', 'correct horse battery');
    const keys = await junction.admin<{ data: { id: string }[] }>('GET', '/keys');
    const keyId = keys.data[0]?.id ?? '';
    await junction.admin('PATCH', `/keys/${keyId}`, { allowedModels: null });
    await page.goto(`${junction.url}/#/teams/key/${keyId}/routing`);

    await page.getByRole('button', { name: 'Add rule', exact: true }).click();
    await type(page, 'Rule 1 requested models', 'smart*', true);
    await page.getByRole('button', { name: 'Add rule 1 header' }).click();
    await field(page, 'Rule 1 header 1 name').fill('x-tier');
    await field(page, 'Rule 1 header 1 value').fill('batch');
    await type(page, 'Rule 1 target 1', 'smart-chat');
    await page.getByRole('button', { name: 'Add rule 1 target' }).click();
    await type(page, 'Rule 1 target 2', 'no-such-model');
    await page.getByLabel(/^Use a default strategy/).check();
    await type(page, 'Default target 1', 'fast-chat');
    await page.getByRole('button', { name: 'Save routing policy' }).click();
    // The gateway refuses the unknown model; the message sits under that target.
    await page.getByText('Could not save the routing policy').waitFor();
    const target = field(page, 'Rule 1 target 2');
    await expect(target.getAttribute('aria-invalid')).resolves.toBe('true');

    await type(page, 'Rule 1 target 2', 'fast-chat');
    await page.getByRole('button', { name: 'Move rule 1 target 2 up' }).click();
    await page.getByRole('button', { name: 'Save routing policy' }).click();
    await page.getByText('Routing policy saved').waitFor();
    const key = await junction.admin<{ routing: unknown }>('GET', `/keys/${keyId}`);
    expect(key.routing).toMatchObject({
      rules: [
        {
          name: 'rule-1',
          match: { models: ['smart*'], headers: { 'x-tier': 'batch' } },
          strategy: { type: 'fallback', targets: [{ model: 'fast-chat' }, { model: 'smart-chat' }] },
        },
      ],
      default: { type: 'fallback', targets: [{ model: 'fast-chat' }] },
    });

    await page.getByRole('tab', { name: 'Explain' }).click();
    await type(page, 'Requested model', 'smart-chat');
    await page.getByRole('button', { name: 'Add sample header' }).click();
    await field(page, 'Sample header 1 name').fill('X-Tier');
    await field(page, 'Sample header 1 value').fill('batch');
    await page.getByRole('button', { name: 'Explain', exact: true }).click();
    const plan = page.getByRole('table', { name: 'Planned attempts' });
    await plan.waitFor();
    await page.getByText('rule-1', { exact: true }).waitFor();
    await expect(plan.getByRole('row').count()).resolves.toBe(4); // header + 3 attempts
    await expect(plan.getByRole('row').nth(1).textContent()).resolves.toContain('fast-chat');

    // A request with tools: every target is left out, each with its reason.
    await type(page, 'Requested model', 'fast-chat');
    await page.getByLabel('Uses tools').check();
    await page.getByRole('button', { name: 'Explain', exact: true }).click();
    await page.getByText('This request would be refused').waitFor();
    await page
      .getByRole('table', { name: 'Targets left out' })
      .getByText('lacks a capability')
      .first()
      .waitFor();
    await watched.screenshot('key-explain');
    await watched.close();
  });

  it('renders a hostile key name as text', async () => {
    await junction.admin('POST', '/keys', { name: HOSTILE, teamId });
    const watched = await browser.newPage();
    const { page } = watched;
    await signIn(page, junction.url, 'ops@example.test', 'correct horse battery');
    await page.goto(`${junction.url}/#/teams`);
    await page.getByRole('link', { name: HOSTILE }).click();
    await page.getByRole('heading', { name: HOSTILE }).waitFor();
    await expect(page.locator('img[src="x"]').count()).resolves.toBe(0);
    await watched.close(); // fails on any dialog an executed payload would open
  });

  it('creates a personal token with an expiry, shows it once, and revokes it', async () => {
    const watched = await browser.newPage();
    const { page } = watched;
    await signIn(page, junction.url, 'ops@example.test', 'correct horse battery');
    await page.getByRole('navigation').getByRole('link', { name: 'Personal tokens' }).click();
    await page.getByText('No personal tokens').waitFor();
    await page.getByRole('button', { name: 'Create token' }).first().click();
    const dialog = page.getByRole('dialog', { name: 'Create personal token' });
    await field(dialog, 'Token name').fill('ci-deploy');
    await field(dialog, 'Expires in (days)').fill('30');
    await dialog.getByRole('button', { name: 'Create token' }).click();
    const secretDialog = page.getByRole('dialog', { name: 'Your new personal token' });
    const secret = (await secretDialog.locator('code').first().textContent()) ?? '';
    expect(secret.length).toBeGreaterThan(20);
    await secretDialog.getByRole('button', { name: 'I have stored it safely' }).click();

    // The token works against the admin API, with the user's role.
    const me = await fetch(`${junction.url}/admin/v1/me`, { headers: { authorization: `Bearer ${secret}` } });
    expect(me.status).toBe(200);

    const table = page.getByRole('table', { name: 'Personal tokens' });
    await table.getByText('ci-deploy').waitFor();
    await table.getByRole('button', { name: 'Revoke' }).click();
    await page
      .getByRole('dialog', { name: 'Revoke personal token' })
      .getByRole('button', { name: 'Revoke' })
      .click();
    await table.getByText('revoked').waitFor();
    const after = await fetch(`${junction.url}/admin/v1/me`, {
      headers: { authorization: `Bearer ${secret}` },
    });
    expect(after.status).toBe(401);
    await watched.close();
  });

  it('offers a developer only their team, no operator controls and no budgets', async () => {
    const watched = await browser.newPage();
    const { page } = watched;
    await signIn(page, junction.url, 'dev@example.test', 'developer password 1');
    await page.goto(`${junction.url}/#/teams`);
    await page.getByRole('button', { name: 'Create API key' }).first().click();
    const dialog = page.getByRole('dialog', { name: 'Create API key' });
    await field(dialog, 'Name').fill('dev-key');
    await expect(dialog.getByLabel(/^Requests per minute/).count()).resolves.toBe(0);
    await expect(dialog.getByLabel(/^Allowed models/).count()).resolves.toBe(0);
    await expect(dialog.getByRole('button', { name: 'Add a budget' }).count()).resolves.toBe(0);
    await field(dialog, 'Team').click();
    await expect(page.getByRole('option').allTextContents()).resolves.toEqual(['search']);
    await page.getByRole('option', { name: 'search', exact: true }).click();
    await dialog.getByRole('button', { name: 'Create key' }).click();
    await page
      .getByRole('dialog', { name: 'Your new API key' })
      .getByRole('button', { name: 'I have stored it safely' })
      .click();
    await page.getByRole('link', { name: 'dev-key' }).click();
    await page.getByRole('tab', { name: 'Routing policy' }).waitFor();
    await expect(page.getByRole('tab', { name: 'Budgets' }).count()).resolves.toBe(0);
    await watched.screenshot('developer-key');
    await watched.close();
  });
});
