/**
 * Test plan X10 in a real browser: stored script payloads in every name a person can type (provider display
 * names, team and key names, user names, a user agent the audit log records) and in prompts and model output
 * (captured request bodies) never execute on any page; the pages send a Content-Security-Policy; a cross-site
 * form or fetch aimed at an admin change is refused whether or not the browser sends the session cookie.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
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

/** Each payload bumps `window.__xss` (or opens a dialog, which the page watcher records) if it ever runs. */
const PAYLOADS = {
  img: '<img src=x onerror="window.__xss=(window.__xss||0)+1">',
  script: '<script>window.__xss=(window.__xss||0)+1</script>',
  svg: '"><svg onload=alert(1)>',
  anchor: '<a href="javascript:window.__xss=1">click</a>',
  iframe: '<iframe srcdoc="<script>parent.__xss=1</script>"></iframe>',
};

const OPERATOR = { email: 'xss-ops@example.test', password: 'operator password 1' };

describe.skipIf(unavailable)(
  'X10: stored XSS never runs, CSP is sent, cross-site changes are refused',
  () => {
    let junction: WebJunction;
    let browser: TestBrowser;
    let keyId: string;

    beforeAll(async () => {
      [junction, browser] = await Promise.all([startWebJunction(), openBrowser()]);
      await createUser(junction, { ...OPERATOR, role: 'super_admin', name: `Ops ${PAYLOADS.script}` });
      await junction.admin('POST', '/providers', { id: 'echo-xss', type: 'echo', displayName: PAYLOADS.img });
      await junction.admin('POST', '/models', {
        id: 'xss-model',
        kind: 'chat',
        deployments: [{ providerId: 'echo-xss', upstreamModel: 'echo' }],
      });
      const team = await junction.admin<{ id: string }>('POST', '/teams', {
        name: `team ${PAYLOADS.svg}`,
        captureBodies: true,
      });
      const created = await junction.admin<{ key: { id: string }; secret: string }>('POST', '/keys', {
        name: `key ${PAYLOADS.anchor}`,
        teamId: team.id,
      });
      keyId = created.key.id;
      // A prompt and, through the echo provider, an answer carrying payloads: both captured in the request log.
      const answer = await junction.call(
        '/v1/chat/completions',
        {
          model: 'xss-model',
          messages: [{ role: 'user', content: `${PAYLOADS.iframe} ${PAYLOADS.img}` }],
        },
        created.secret,
      );
      expect(answer.status).toBe(200);
      // An admin change whose user agent (recorded by the audit log) is a payload.
      const response = await fetch(`${junction.url}/admin/v1/teams/${team.id}`, {
        method: 'PATCH',
        headers: {
          authorization: 'Bearer jat_browser-admin-token-0123456789abcdefghijklmnop',
          'content-type': 'application/json',
          'user-agent': `agent ${PAYLOADS.script}`,
        },
        body: JSON.stringify({ description: PAYLOADS.iframe }),
      });
      expect(response.status).toBe(200);
    }, 90_000);

    afterAll(async () => {
      await browser?.close();
      await junction?.close();
    });

    const executed = (page: Page) =>
      page.evaluate(() => (globalThis as unknown as { __xss?: unknown }).__xss);

    it('sends a Content-Security-Policy that forbids inline scripts on the app and its pages', async () => {
      for (const path of ['/', '/index.html', '/#/providers']) {
        const response = await fetch(`${junction.url}${path}`);
        const policy = response.headers.get('content-security-policy') ?? '';
        expect(policy).toContain("script-src 'self'");
        expect(policy).not.toContain("unsafe-inline'; script");
        expect(policy).toContain("object-src 'none'");
        expect(policy).toContain("frame-ancestors 'none'");
        expect(response.headers.get('x-content-type-options')).toBe('nosniff');
      }
    });

    it('shows every stored payload as text on every page, and none of them runs', async () => {
      const watched = await browser.newPage();
      const { page } = watched;
      await signInWithPassword(page, junction.url, OPERATOR.email, OPERATOR.password);
      // Each page, and a payload it must show as plain text.
      const visits: Array<[string, string]> = [
        ['providers', PAYLOADS.img],
        ['teams', `team ${PAYLOADS.svg}`],
        ['teams', `key ${PAYLOADS.anchor}`],
        ['users', `Ops ${PAYLOADS.script}`],
      ];
      for (const [hash, text] of visits) {
        await page.goto(`${junction.url}/#/${hash}`);
        await page.getByText(text, { exact: false }).first().waitFor();
        await expect(executed(page), `a payload ran on #/${hash}`).resolves.toBeUndefined();
      }
      // The header shows the signed-in user's name.
      await page.getByText(`Ops ${PAYLOADS.script}`).first().waitFor();
      expect(await executed(page)).toBeUndefined();
      expect(keyId).toBeTruthy();
      await watched.close();
    });

    describe('cross-site requests to admin changes', () => {
      let attacker: Server;
      let attackerPort: number;
      const pageFor = (target: string) => `<!doctype html><html><body>
      <form id="f" method="POST" action="${target}/admin/v1/users" enctype="text/plain">
        <input name='{"email":"csrf@example.test","password":"attacker password 1","role":"super_admin","name":"x' value='"}'>
      </form>
      <script>
        fetch(${JSON.stringify(`${target}/admin/v1/teams`)}, { method: 'POST', mode: 'no-cors', credentials: 'include',
          headers: { 'content-type': 'text/plain' }, body: JSON.stringify({ name: 'csrf-team' }) })
          .finally(() => document.getElementById('f').submit());
      </script></body></html>`;

      beforeAll(async () => {
        attacker = createServer((request, response) => {
          const target = new URL(request.url ?? '/', 'http://x').searchParams.get('target') ?? '';
          response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
          response.end(pageFor(target));
        });
        await new Promise<void>((resolve) => attacker.listen(0, '127.0.0.1', resolve));
        attackerPort = (attacker.address() as AddressInfo).port;
      });
      afterAll(() => new Promise<void>((resolve) => attacker.close(() => resolve())));

      // 127.0.0.1 on another port is the same site (the Lax cookie is sent, so the CSRF token must stop it);
      // localhost is another site (the cookie is not sent at all).
      for (const host of ['127.0.0.1', 'localhost']) {
        it(`refuses a form post and a fetch from a page on ${host}`, async () => {
          const watched = await browser.newPage();
          const { page } = watched;
          await signInWithPassword(page, junction.url, OPERATOR.email, OPERATOR.password);
          const navigation = page.waitForResponse((response) => response.url().endsWith('/admin/v1/users'));
          await page.goto(`http://${host}:${attackerPort}/?target=${encodeURIComponent(junction.url)}`);
          const refused = await navigation;
          expect([401, 403, 415]).toContain(refused.status());

          const users = await junction.admin<{ data: Array<{ email: string }> }>('GET', '/users');
          expect(users.data.map((user) => user.email)).not.toContain('csrf@example.test');
          const teams = await junction.admin<{ data: Array<{ name: string }> }>('GET', '/teams');
          expect(teams.data.map((team) => team.name)).not.toContain('csrf-team');
          // The attacker's page is not the app: its own console is not the app's concern.
          watched.problems.length = 0;
          await watched.close();
        });
      }
    });
  },
);
