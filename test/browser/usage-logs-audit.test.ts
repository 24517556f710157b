/**
 * The Usage, Request logs and Audit log pages in a real browser: totals, charts and the table by group; the CSV
 * download with the page's filters (cookie session: the browser follows the link; admin token: the page fetches
 * the file); the request log's filters (streamed), a request's attempts and its captured bodies shown as text
 * (payloads never run); the audit log filtered by action and a change's before/after diff; a developer sees only
 * their team's usage and requests, and no Audit log page.
 */
import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  browserUnavailable,
  createUser,
  openBrowser,
  signInWithPassword,
  startWebJunction,
  type TestBrowser,
  WEB_ADMIN_TOKEN,
  type WebJunction,
} from '../support/web.js';

const unavailable = browserUnavailable();

const OPERATOR = { email: 'usage-ops@example.test', password: 'operator password 1' };
const DEVELOPER = { email: 'usage-dev@example.test', password: 'developer password 1' };
/** Bumps `window.__xss` (or opens a dialog, which the page watcher records) if it ever runs. */
const PAYLOAD = '<img src=x onerror="window.__xss=(window.__xss||0)+1">';
/** The payload's start, which JSON shows unchanged (the quotes after it are escaped in JSON text). */
const PAYLOAD_TEXT = '<img src=x onerror=';

describe.skipIf(unavailable)('web app: Usage, Request logs and Audit log (chromium)', () => {
  let junction: WebJunction;
  let browser: TestBrowser;

  beforeAll(async () => {
    [junction, browser] = await Promise.all([startWebJunction(), openBrowser()]);
    await createUser(junction, { ...OPERATOR, role: 'super_admin' });
    for (const id of ['echo-a', 'echo-b']) {
      await junction.admin('POST', '/providers', { id, type: 'echo', displayName: id });
    }
    await junction.admin('POST', '/models', {
      id: 'alpha',
      kind: 'chat',
      deployments: [{ providerId: 'echo-a', upstreamModel: 'echo' }],
    });
    await junction.admin('POST', '/models', {
      id: 'beta',
      kind: 'chat',
      deployments: [{ providerId: 'echo-b', upstreamModel: 'echo' }],
    });
    await junction.admin('POST', '/prices', { scope: 'model', target: 'alpha', input: '2.50', output: '10' });
    // Team "search" captures bodies; team "other" is the developer's.
    const search = await junction.admin<{ id: string }>('POST', '/teams', {
      name: 'search',
      captureBodies: true,
    });
    const other = await junction.admin<{ id: string }>('POST', '/teams', { name: 'other' });
    const searchKey = await junction.admin<{ secret: string }>('POST', '/keys', {
      name: 'search-key',
      teamId: search.id,
    });
    const otherKey = await junction.admin<{ secret: string }>('POST', '/keys', {
      name: 'other-key',
      teamId: other.id,
    });
    await createUser(junction, { ...DEVELOPER, role: 'developer', teamId: other.id });
    const chat = (model: string, content: string, extra: Record<string, unknown> = {}) => ({
      model,
      messages: [{ role: 'user', content }],
      ...extra,
    });
    for (let i = 0; i < 3; i++) {
      expect(
        (await junction.call('/v1/chat/completions', chat('alpha', `hello ${i}`), searchKey.secret)).status,
      ).toBe(200);
    }
    const streamed = await fetch(`${junction.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${searchKey.secret}`, 'content-type': 'application/json' },
      body: JSON.stringify(chat('alpha', `streamed ${PAYLOAD}`, { stream: true })),
    });
    expect(streamed.status).toBe(200);
    await streamed.text();
    expect(
      (await junction.call('/v1/chat/completions', chat('missing', 'nope'), searchKey.secret)).status,
    ).toBe(404);
    expect(
      (await junction.call('/v1/chat/completions', chat('beta', 'theirs'), otherKey.secret)).status,
    ).toBe(200);
    // A change for the audit log's diff: a display name carrying a payload.
    await junction.admin('PATCH', '/providers/echo-a', { displayName: `Echo ${PAYLOAD}` });
    // Usage records are written in the background: wait until all six are readable.
    for (let tries = 0; ; tries++) {
      const usage = await junction.admin<{ totals: { requests: number } }>('GET', '/usage');
      if (usage.totals.requests >= 6) break;
      if (tries > 100) throw new Error(`only ${usage.totals.requests} usage records after waiting`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await junction?.close();
  });

  const executed = (page: Page) => page.evaluate(() => (globalThis as unknown as { __xss?: unknown }).__xss);
  const open = async (page: Page, name: string) => {
    await page.getByRole('navigation').getByRole('link', { name, exact: true }).click();
  };
  const choose = async (page: Page, label: string, option: string) => {
    await page.getByRole('combobox', { name: label }).click();
    await page.getByRole('option', { name: option, exact: true }).click();
  };

  it('shows usage totals, charts and a table by group, and downloads the filtered CSV', async () => {
    const watched = await browser.newPage();
    const { page } = watched;
    await signInWithPassword(page, junction.url, OPERATOR.email, OPERATOR.password);
    await open(page, 'Usage');
    await page.getByRole('heading', { name: 'Usage', exact: true }).waitFor();
    for (const chart of ['Requests and errors', 'Tokens', 'Cost (USD)', 'Latency']) {
      await page.getByRole('region', { name: chart }).waitFor();
    }
    const byModel = page.getByRole('table', { name: 'Usage by model' });
    await byModel.getByRole('button', { name: 'alpha' }).waitFor();
    await byModel.getByRole('button', { name: 'beta' }).waitFor();
    await choose(page, 'Group by', 'Team');
    const byTeam = page.getByRole('table', { name: 'Usage by team' });
    await byTeam.getByRole('button', { name: 'search' }).waitFor();
    await byTeam.getByRole('button', { name: 'other' }).waitFor();

    // Only errors: the CSV follows the filter.
    await choose(page, 'Status', 'Error');
    await byTeam.getByRole('button', { name: 'other' }).waitFor({ state: 'detached' });
    const link = page.getByRole('link', { name: 'Download CSV' });
    await expect.poll(() => link.getAttribute('href')).toContain('status=error');
    const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
    const lines = readFileSync((await download.path())!, 'utf8')
      .trim()
      .split(/\r?\n/);
    expect(lines[0]).toMatch(/^id,request_id,at,/);
    expect(lines).toHaveLength(2);
    expect(lines[1]).toContain('404');
    await watched.screenshot('usage');
    await watched.close();
  });

  it('downloads the CSV signed in with an admin token too', async () => {
    const watched = await browser.newPage();
    const { page } = watched;
    await page.goto(junction.url);
    await page
      .getByText(/admin token/i)
      .first()
      .click();
    await page.getByLabel(/^Admin token/).fill(WEB_ADMIN_TOKEN);
    await page.getByRole('button', { name: /sign in with token/i }).click();
    await open(page, 'Usage');
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: 'Download CSV' }).click(),
    ]);
    const lines = readFileSync((await download.path())!, 'utf8')
      .trim()
      .split(/\r?\n/);
    expect(lines).toHaveLength(7);
    await watched.close();
  });

  it('lists requests, filters streamed ones, and shows a request with attempts and bodies as text', async () => {
    const watched = await browser.newPage();
    const { page } = watched;
    await signInWithPassword(page, junction.url, OPERATOR.email, OPERATOR.password);
    await open(page, 'Request logs');
    const table = page.getByRole('table', { name: 'Requests' });
    await expect.poll(() => table.getByRole('row').count()).toBe(7);
    await choose(page, 'Streamed', 'Streamed');
    await expect.poll(() => table.getByRole('row').count()).toBe(2);
    await table.getByRole('link').first().click();
    const attempts = page.getByRole('region', { name: 'Attempts' });
    await attempts.getByText('echo-a/echo').waitFor();
    await attempts.getByText(/this backend served the request/).waitFor();
    const routing = page.getByRole('region', { name: 'Routing' });
    await routing.getByText(/routed as it is/).waitFor();
    await routing.getByRole('table', { name: 'Planned backends' }).getByText('echo-a/echo').waitFor();
    const request = page.getByRole('region', { name: 'Request body' });
    await request.getByText(PAYLOAD_TEXT, { exact: false }).waitFor();
    await page.getByRole('region', { name: 'Response body' }).waitFor();
    expect(await executed(page)).toBeUndefined();
    await watched.screenshot('request-log-entry');

    // Back to the list: the filter is kept.
    await page.getByRole('link', { name: '← Request logs' }).click();
    await expect.poll(() => table.getByRole('row').count()).toBe(2);
    await watched.close();
  });

  it('filters the audit log by action and shows the before/after diff as text', async () => {
    const watched = await browser.newPage();
    const { page } = watched;
    await signInWithPassword(page, junction.url, OPERATOR.email, OPERATOR.password);
    await open(page, 'Audit log');
    const table = page.getByRole('table', { name: 'Audit events' });
    await table.getByText('providers.create').first().waitFor();
    await page.getByRole('textbox', { name: 'Action' }).fill('providers.update');
    await expect.poll(() => table.getByRole('row').count()).toBe(2);
    await expect
      .poll(() => page.getByRole('link', { name: 'Export CSV' }).getAttribute('href'))
      .toContain('action=providers.update');
    await table.getByRole('link').first().click();
    const changes = page.getByRole('table', { name: 'Changes' });
    const row = changes.getByRole('row').filter({ hasText: 'displayName' });
    await row.getByText('changed').waitFor();
    await row.getByText('"echo-a"').waitFor();
    await row.getByText(`"Echo ${PAYLOAD_TEXT}`, { exact: false }).waitFor();
    expect(await executed(page)).toBeUndefined();
    await watched.screenshot('audit-diff');
    await watched.close();
  });

  it("shows a developer only their team's usage and requests, and no audit log", async () => {
    const watched = await browser.newPage();
    const { page } = watched;
    await signInWithPassword(page, junction.url, DEVELOPER.email, DEVELOPER.password);
    const menu = page.getByRole('navigation');
    await expect(menu.getByRole('link', { name: 'Audit log', exact: true }).count()).resolves.toBe(0);
    await open(page, 'Usage');
    const byModel = page.getByRole('table', { name: 'Usage by model' });
    await byModel.getByRole('button', { name: 'beta' }).waitFor();
    await expect(byModel.getByRole('button', { name: 'alpha' }).count()).resolves.toBe(0);
    await open(page, 'Request logs');
    const table = page.getByRole('table', { name: 'Requests' });
    await expect.poll(() => table.getByRole('row').count()).toBe(2);
    await page.goto(`${junction.url}/#/audit`);
    await page.getByText('No access to this page').waitFor();
    await watched.close();
  });
});
