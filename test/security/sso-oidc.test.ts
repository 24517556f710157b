/**
 * Single sign-on end to end against a real OpenID Provider (oidc-provider 9, in-process on loopback): the SSO
 * configuration through the admin API (never showing its client secret, audited with the secret redacted), a
 * browser following the authorization code flow with PKCE through the gateway's login and callback, the
 * session cookie it ends with, the mapping of the `groups` claim to roles and teams, the 403 page for an
 * account no rule maps, and a role change ending the user's earlier sessions.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Browser, type Hop, type Journey, type SetCookie } from '../support/browser.js';
import { http, ok, startTestGateway, type TestGateway } from '../support/gateway.js';
import { type IdpAccount, type OidcIdp, startOidcProvider } from '../support/oidc-idp.js';

const CLIENT_ID = 'junction-e2e';
const CLIENT_SECRET = 'idp-client-secret-canary-5Qw8zLx2Vn7Rt4Yp';
const CALLBACK_PATH = '/admin/v1/sso/callback';

interface SsoView {
  enabled: boolean;
  issuer: string | null;
  clientId: string | null;
  clientSecret: { set: boolean };
  redirectUri: string | null;
  scopes: string[];
  claim: string;
  rules: Array<{ value: string; role: string; teamId: string | null }>;
  updatedAt: string | null;
}

interface MeView {
  id: string;
  name: string;
  role: string;
  teamId: string | null;
  kind: 'token' | 'user';
  email?: string;
  csrfToken?: string;
  permissions: string[];
}

interface UserView {
  id: string;
  email: string;
  name: string;
  role: string;
  teamId: string | null;
  source: 'local' | 'sso';
  disabled: boolean;
  createdAt: string;
  lastLoginAt: string | null;
}

interface SsoAttempt {
  journey: Journey;
  /** The answer of `GET /sso/login`. */
  start: Hop;
  /** Where `/sso/login` sent the browser (the issuer's authorization endpoint). */
  authorize: URL;
  /** The answer of the gateway's callback, when the flow got there. */
  callback: Hop | undefined;
  /** The `junction_session` cookie the browser holds afterwards. */
  session: string | undefined;
}

const account = (name: string, groups: string[]): IdpAccount => ({
  email: `${name}@example.test`,
  email_verified: true,
  name: `${name[0]!.toUpperCase()}${name.slice(1)} Example`,
  groups,
});

const cookieNamed = (hop: Hop | undefined, name: string): SetCookie | undefined =>
  hop?.setCookies.find((cookie) => cookie.name === name);

describe('single sign-on with a real OpenID Provider', () => {
  let gateway: TestGateway;
  let idp: OidcIdp;
  let redirectUri: string;
  let mlTeamId: string;
  const accounts = new Map<string, IdpAccount>([
    ['sub-alice', account('alice', ['junction-admins'])],
    ['sub-dana', account('dana', ['ml-platform'])],
    ['sub-vic', account('vic', ['auditors'])],
    ['sub-nobody', account('nobody', ['nothing'])],
    ['sub-both', account('both', ['auditors', 'junction-admins'])],
  ]);

  /** Runs the whole flow in `browser` as IdP account `sub`, stopping once the gateway sends it off SSO. */
  async function ssoLogin(browser: Browser, sub: string, next = '/providers'): Promise<SsoAttempt> {
    idp.loginAs = sub;
    const origin = new URL(gateway.url).origin;
    const journey = await browser.navigate(
      `${gateway.url}/admin/v1/sso/login?next=${encodeURIComponent(next)}`,
      { stopBefore: (url) => url.origin === origin && !url.pathname.startsWith('/admin/v1/sso/') },
    );
    const start = journey.hops[0]!;
    expect(start.status, `GET /sso/login: ${start.text.slice(0, 300)}`).toBe(302);
    return {
      journey,
      start,
      authorize: new URL(start.location!, start.url),
      callback: journey.hops.find((hop) => new URL(hop.url).pathname === CALLBACK_PATH),
      session: browser.cookie(gateway.url, 'junction_session'),
    };
  }

  const me = (session: string) =>
    http<MeView>(`${gateway.url}/admin/v1/me`, 'GET', undefined, { cookie: `junction_session=${session}` });

  beforeAll(async () => {
    gateway = await startTestGateway();
    redirectUri = `${gateway.url}${CALLBACK_PATH}`;
    idp = await startOidcProvider({
      clientId: CLIENT_ID,
      clientSecret: CLIENT_SECRET,
      redirectUris: [redirectUri],
      accounts,
      loginAs: 'sub-alice',
    });
    const team = await ok(gateway.admin<{ id: string }>('POST', '/teams', { name: 'ml-platform' }));
    mlTeamId = team.id;
    const configured = await gateway.admin<SsoView>('PUT', '/sso', {
      enabled: true,
      issuer: idp.issuer,
      clientId: CLIENT_ID,
      clientSecret: CLIENT_SECRET,
      redirectUri,
      scopes: ['openid', 'email', 'profile', 'groups'],
      claim: 'groups',
      rules: [
        { value: 'junction-admins', role: 'super_admin' },
        { value: 'ml-platform', role: 'developer', teamId: mlTeamId },
        { value: 'auditors', role: 'viewer' },
      ],
    });
    expect(configured.status, configured.text).toBe(200);
  });

  afterAll(async () => {
    await gateway?.close();
    await idp?.close();
  });

  it('shows the SSO configuration without its client secret', async () => {
    const view = await gateway.admin<SsoView>('GET', '/sso');
    expect(view.status, view.text).toBe(200);
    expect(view.text).not.toContain(CLIENT_SECRET);
    // The issuer exactly as configured (no trailing slash added to one at the host's root).
    expect(view.json.issuer).toBe(idp.issuer);
    expect(view.json).toMatchObject({
      enabled: true,
      clientId: CLIENT_ID,
      clientSecret: { set: true },
      redirectUri,
      claim: 'groups',
      rules: [
        { value: 'junction-admins', role: 'super_admin', teamId: null },
        { value: 'ml-platform', role: 'developer', teamId: mlTeamId },
        { value: 'auditors', role: 'viewer', teamId: null },
      ],
    });
    expect(view.json.scopes).toEqual(expect.arrayContaining(['openid', 'email', 'profile', 'groups']));
    expect(Date.parse(view.json.updatedAt ?? '')).not.toBeNaN();
    // The login page learns where to send users.
    const methods = await http<{ password: boolean; sso: { enabled: boolean; loginUrl: string | null } }>(
      `${gateway.url}/admin/v1/auth/methods`,
      'GET',
    );
    expect(methods.status, methods.text).toBe(200);
    expect(methods.json.password).toBe(true);
    expect(methods.json.sso.enabled).toBe(true);
    expect(methods.json.sso.loginUrl).toContain('/admin/v1/sso/login');
  });

  it('audits the SSO change with the client secret redacted', async () => {
    const page = await gateway.admin<{ data: Array<{ action: string; after: unknown; before: unknown }> }>(
      'GET',
      '/audit?action=sso.*&limit=1000',
    );
    expect(page.status, page.text).toBe(200);
    const changes = page.json.data.filter((entry) => entry.action.startsWith('sso.'));
    expect(changes.length).toBeGreaterThanOrEqual(1);
    // The entry records the change itself (the issuer set), just not the secret.
    expect(JSON.stringify(changes.map((entry) => entry.after))).toContain(idp.issuer);
    expect(page.text).not.toContain(CLIENT_SECRET);
    const exported = await gateway.admin('GET', '/audit/export');
    expect(exported.status).toBe(200);
    expect(exported.text).toContain(idp.issuer);
    expect(exported.text).not.toContain(CLIENT_SECRET);
  });

  it('logs a junction-admins account in as super_admin and sends it to `next`', async () => {
    const browser = new Browser();
    const attempt = await ssoLogin(browser, 'sub-alice');

    // The authorization request: code flow with PKCE S256, to the configured redirect URI exactly.
    expect(attempt.authorize.origin).toBe(new URL(idp.issuer).origin);
    const query = attempt.authorize.searchParams;
    expect(query.get('response_type')).toBe('code');
    expect(query.get('client_id')).toBe(CLIENT_ID);
    expect(query.get('redirect_uri')).toBe(redirectUri);
    expect(query.get('code_challenge_method')).toBe('S256');
    expect(query.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(query.get('state')).toMatch(/^[A-Za-z0-9_-]{16,}$/);
    expect(query.get('nonce')).toMatch(/^[A-Za-z0-9_-]{16,}$/);
    expect(query.get('scope')?.split(' ')).toEqual(expect.arrayContaining(['openid', 'groups']));
    const pending = cookieNamed(attempt.start, 'junction_sso');
    expect(pending, attempt.start.setCookies.map((cookie) => cookie.raw).join('\n')).toBeDefined();
    expect(pending!.attributes.httponly).toBe(true);
    expect(String(pending!.attributes.samesite).toLowerCase()).toBe('lax');
    expect(pending!.attributes.path).toBe('/admin/v1/sso');
    expect(pending!.attributes['max-age']).toBe('600');

    // The IdP logged alice in and sent the browser back; the callback starts the session.
    expect(idp.logins).toBeGreaterThanOrEqual(1);
    const callback = attempt.callback;
    expect(callback, attempt.journey.hops.map((hop) => `${hop.status} ${hop.url}`).join('\n')).toBeDefined();
    expect(callback!.status, callback!.text.slice(0, 500)).toBe(302);
    const landing = new URL(callback!.location!, callback!.url);
    expect(`${landing.origin}${landing.pathname}${landing.search}`).toBe(`${gateway.url}/providers`);
    expect(attempt.journey.pending).toBe(landing.toString());
    const session = cookieNamed(callback, 'junction_session');
    expect(session, callback!.setCookies.map((cookie) => cookie.raw).join('\n')).toBeDefined();
    expect(session!.value).toMatch(/^[A-Za-z0-9_-]{43,}$/);
    expect(session!.attributes.httponly).toBe(true);
    expect(String(session!.attributes.samesite).toLowerCase()).toBe('lax');
    expect(session!.attributes.path).toBe('/');
    expect(session!.attributes.secure).toBeUndefined();
    // The pending-login cookie is cleared by the callback.
    expect(browser.cookie(gateway.url, 'junction_sso')).toBeUndefined();
    expect(attempt.session).toBe(session!.value);

    const who = await me(attempt.session!);
    expect(who.status, who.text).toBe(200);
    expect(who.json).toMatchObject({
      role: 'super_admin',
      kind: 'user',
      email: 'alice@example.test',
      teamId: null,
    });
    expect(who.json.csrfToken).toEqual(expect.any(String));
    expect(who.json.permissions).toEqual(expect.arrayContaining(['users.write', 'sso.write']));

    // The first login created the user, as an SSO user named from the ID token.
    const users = await ok(gateway.admin<{ data: UserView[] }>('GET', '/users'));
    const alice = users.data.filter((user) => user.email === 'alice@example.test');
    expect(alice).toHaveLength(1);
    expect(alice[0]).toMatchObject({
      source: 'sso',
      role: 'super_admin',
      name: 'Alice Example',
      disabled: false,
      id: who.json.id,
    });
    expect(alice[0]!.lastLoginAt).not.toBeNull();
    expect(JSON.stringify(users)).not.toMatch(/password|hash/i);
  });

  it('uses a fresh state, nonce and PKCE challenge at every login', async () => {
    const first = await ssoLogin(new Browser(), 'sub-alice');
    const second = await ssoLogin(new Browser(), 'sub-alice');
    for (const attempt of [first, second]) {
      expect(attempt.authorize.searchParams.get('code_challenge_method')).toBe('S256');
      expect(attempt.callback?.status).toBe(302);
    }
    for (const parameter of ['state', 'nonce', 'code_challenge']) {
      const a = first.authorize.searchParams.get(parameter);
      const b = second.authorize.searchParams.get(parameter);
      expect(a, parameter).toEqual(expect.any(String));
      expect(b, parameter).toEqual(expect.any(String));
      expect(a, parameter).not.toBe(b);
    }
    expect(first.session).not.toBe(second.session);
    // Two logins of one (issuer, sub) are one user.
    const users = await ok(gateway.admin<{ data: UserView[] }>('GET', '/users'));
    expect(users.data.filter((user) => user.email === 'alice@example.test')).toHaveLength(1);
  });

  it('recomputes the role at each login, and a role change ends the earlier sessions', async () => {
    const firstBrowser = new Browser();
    const first = await ssoLogin(firstBrowser, 'sub-alice');
    expect(first.callback?.status).toBe(302);
    const firstCookie = first.session!;
    expect((await me(firstCookie)).json.role).toBe('super_admin');

    idp.setGroups('sub-alice', ['auditors']);
    try {
      const second = await ssoLogin(new Browser(), 'sub-alice');
      expect(second.callback?.status, second.callback?.text.slice(0, 300)).toBe(302);
      expect(second.session).toBeDefined();
      expect(second.session).not.toBe(firstCookie);
      const now = await me(second.session!);
      expect(now.status, now.text).toBe(200);
      expect(now.json).toMatchObject({ role: 'viewer', kind: 'user', email: 'alice@example.test' });

      // The session from before the change is over; the browser holding it is logged out.
      expect((await me(firstCookie)).status).toBe(401);
      const stale = await firstBrowser.fetch(`${gateway.url}/admin/v1/me`);
      expect(stale.status).toBe(401);
      // The viewer session may read the SSO configuration, never the secret, and may not change it.
      const sso = await http<SsoView>(`${gateway.url}/admin/v1/sso`, 'GET', undefined, {
        cookie: `junction_session=${second.session}`,
      });
      expect(sso.status, sso.text).toBe(200);
      expect(sso.json.clientSecret).toEqual({ set: true });
      expect(sso.text).not.toContain(CLIENT_SECRET);
      const user = (await ok(gateway.admin<{ data: UserView[] }>('GET', '/users'))).data.find(
        (entry) => entry.email === 'alice@example.test',
      );
      expect(user?.role).toBe('viewer');
    } finally {
      idp.setGroups('sub-alice', ['junction-admins']);
    }
    const back = await ssoLogin(new Browser(), 'sub-alice');
    expect((await me(back.session!)).json.role).toBe('super_admin');
  });

  it('maps ml-platform to a developer of its team', async () => {
    const attempt = await ssoLogin(new Browser(), 'sub-dana', '/usage');
    expect(attempt.callback?.status, attempt.callback?.text.slice(0, 300)).toBe(302);
    expect(new URL(attempt.callback!.location!, gateway.url).pathname).toBe('/usage');
    const who = await me(attempt.session!);
    expect(who.status, who.text).toBe(200);
    expect(who.json).toMatchObject({
      role: 'developer',
      teamId: mlTeamId,
      kind: 'user',
      email: 'dana@example.test',
    });
    expect(who.json.permissions).not.toContain('users.write');
  });

  it('takes the first rule in order that matches', async () => {
    // Groups ['auditors', 'junction-admins']: the junction-admins rule comes first in the rules.
    const attempt = await ssoLogin(new Browser(), 'sub-both');
    expect(attempt.callback?.status).toBe(302);
    expect((await me(attempt.session!)).json.role).toBe('super_admin');
  });

  it('answers 403 with an HTML page and no session when no rule maps the account', async () => {
    const browser = new Browser();
    const attempt = await ssoLogin(browser, 'sub-nobody');
    const callback = attempt.callback;
    expect(callback, attempt.journey.hops.map((hop) => `${hop.status} ${hop.url}`).join('\n')).toBeDefined();
    expect(callback!.status).toBe(403);
    expect(String(callback!.headers['content-type'])).toContain('text/html');
    expect(callback!.text).toMatch(/no access/i);
    expect(callback!.text).toContain('groups');
    // Never a token in the page.
    expect(callback!.text).not.toMatch(/eyJ[A-Za-z0-9_-]{10,}/);
    expect(cookieNamed(callback, 'junction_session')?.value ?? '').toBe('');
    expect(browser.cookie(gateway.url, 'junction_session')).toBeUndefined();
    const users = await ok(gateway.admin<{ data: UserView[] }>('GET', '/users'));
    const nobody = users.data.find((user) => user.email === 'nobody@example.test');
    // Either no user row at all, or none that can be used.
    if (nobody) expect(nobody.lastLoginAt).toBeNull();
  });

  it('refuses with a page, not a failure, when a rule names a team deleted since', async () => {
    const gone = await ok(gateway.admin<{ id: string }>('POST', '/teams', { name: 'short-lived' }));
    const current = await ok(gateway.admin<SsoView>('GET', '/sso'));
    const saved = await gateway.admin<SsoView>('PUT', '/sso', {
      enabled: true,
      issuer: current.issuer,
      clientId: current.clientId,
      redirectUri: current.redirectUri,
      scopes: current.scopes,
      claim: current.claim,
      rules: [...current.rules, { value: 'short-lived-group', role: 'developer', teamId: gone.id }],
    });
    expect(saved.status, saved.text).toBe(200);
    expect(saved.json.clientSecret).toEqual({ set: true });
    idp.setGroups('sub-nobody', ['short-lived-group']);
    try {
      const first = await ssoLogin(new Browser(), 'sub-nobody');
      expect((await me(first.session!)).json).toMatchObject({ role: 'developer', teamId: gone.id });
      expect((await gateway.admin('DELETE', `/teams/${gone.id}`)).status).toBe(204);
      // The team is gone: the earlier session sees no team's objects, and the next login is refused plainly.
      expect((await me(first.session!)).json.teamId).toBeNull();
      const second = await ssoLogin(new Browser(), 'sub-nobody');
      expect(second.callback?.status).toBe(403);
      expect(second.callback?.text).toContain('team that no longer exists');
      expect(second.session).toBeUndefined();
    } finally {
      idp.setGroups('sub-nobody', ['nothing']);
    }
  });

  it('turns SSO off with DELETE /sso: login answers 404 and SSO sessions end', async () => {
    const attempt = await ssoLogin(new Browser(), 'sub-vic');
    expect((await me(attempt.session!)).json.role).toBe('viewer');
    const removed = await gateway.admin('DELETE', '/sso');
    expect(removed.status, removed.text).toBe(204);
    const login = await http(`${gateway.url}/admin/v1/sso/login?next=/`, 'GET');
    expect(login.status).toBe(404);
    expect(login.headers['content-type']).toBe('application/problem+json');
    expect((await me(attempt.session!)).status).toBe(401);
    const view = await ok(gateway.admin<SsoView>('GET', '/sso'));
    expect(view.enabled).toBe(false);
    expect(view.clientSecret).toEqual({ set: false });
    const methods = await http<{ sso: { enabled: boolean; loginUrl: string | null } }>(
      `${gateway.url}/admin/v1/auth/methods`,
      'GET',
    );
    expect(methods.json.sso).toEqual({ enabled: false, loginUrl: null });
  });
});
