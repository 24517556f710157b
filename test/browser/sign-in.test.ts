/**
 * The web app in a real browser: signing in by password and by admin token, the menus a role gets, signing out.
 */
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

describe.skipIf(unavailable)('web app: sign-in and roles (chromium)', () => {
  let junction: WebJunction;
  let browser: TestBrowser;
  let teamId: string;

  beforeAll(async () => {
    [junction, browser] = await Promise.all([startWebJunction(), openBrowser()]);
    await createUser(junction, {
      email: 'ops@example.test',
      password: 'correct horse battery',
      role: 'super_admin',
    });
    const team = await junction.admin<{ id: string }>('POST', '/teams', { name: 'search' });
    teamId = team.id;
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

  it('signs an operator in with a password, shows every page in the menu, and signs out on the server', async () => {
    const watched = await browser.newPage();
    const { page } = watched;
    await signInWithPassword(page, junction.url, 'ops@example.test', 'correct horse battery');
    const menu = page.getByRole('navigation');
    for (const name of ['Overview', 'Providers', 'Models', 'Users', 'Single sign-on']) {
      await expect(menu.getByRole('link', { name, exact: true }).count()).resolves.toBe(1);
    }
    await watched.screenshot('overview');
    for (const [name, heading] of [
      ['users', 'Users'],
      ['sso', 'Single sign-on'],
    ] as const) {
      await menu.getByRole('link', { name: heading, exact: true }).click();
      await page.getByRole('heading', { name: heading, exact: true }).first().waitFor();
      await watched.screenshot(name);
    }

    const cookies = await page.context().cookies();
    const session = cookies.find((cookie) => cookie.name === 'junction_session');
    expect(session?.httpOnly).toBe(true);
    expect(session?.sameSite).toBe('Lax');

    await page.getByRole('button', { name: /sign out/i }).click();
    await page.getByLabel(/^Email/).waitFor();
    // The old cookie no longer signs anyone in.
    const again = await fetch(`${junction.url}/admin/v1/me`, {
      headers: { cookie: `junction_session=${session?.value}` },
    });
    expect(again.status).toBe(401);
    await watched.close();
  });

  it('signs in with an admin token', async () => {
    const watched = await browser.newPage();
    const { page } = watched;
    await page.goto(junction.url);
    await page
      .getByText(/admin token/i)
      .first()
      .click();
    await page.getByLabel(/^Admin token/).fill(WEB_ADMIN_TOKEN);
    await page.getByRole('button', { name: /sign in with token/i }).click();
    await page.getByRole('navigation').waitFor();
    await expect(page.getByRole('navigation').getByRole('link', { name: 'Providers' }).count()).resolves.toBe(
      1,
    );
    await watched.close();
  });

  it('shows a developer only the Console pages, and no admin page even by its address', async () => {
    const watched = await browser.newPage();
    const { page } = watched;
    await signInWithPassword(page, junction.url, 'dev@example.test', 'developer password 1');
    const menu = page.getByRole('navigation');
    for (const name of ['Providers', 'Users', 'Single sign-on']) {
      await expect(menu.getByRole('link', { name, exact: true }).count()).resolves.toBe(0);
    }
    await page.goto(`${junction.url}/#/users`);
    await page.getByText('No access to this page').waitFor();
    await watched.screenshot('developer-no-access');
    await watched.close();
  });

  it('answers a wrong password with the message on the page', async () => {
    const watched = await browser.newPage();
    const { page } = watched;
    await page.goto(junction.url);
    await page.getByLabel(/^Email/).fill('ops@example.test');
    await page.getByLabel(/^Password/).fill('not the password at all');
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page
      .getByRole('alert')
      .getByText(/email or password is wrong/i)
      .first()
      .waitFor();
    await expect(page.getByRole('navigation').count()).resolves.toBe(0);
    await watched.close();
  });
});
