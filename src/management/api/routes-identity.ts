/**
 * Signing in and who may: `/auth/methods` and `/session` (password sign-in and logout), `/users` (local and
 * single sign-on users), `/sso` (the OpenID Connect configuration) and the browser's side of single sign-on,
 * `/sso/login` and `/sso/callback`. Every sign-in starts a new session (a new cookie value) and is audited.
 */
import { createRoute, z } from '@hono/zod-openapi';
import { eq } from 'drizzle-orm';
import type { Context } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { GatewayError } from '../../core/errors/gateway-error.js';
import type { Database } from '../../store/database.js';
import { users } from '../../store/schema.js';
import { recordAudit } from '../audit/record.js';
import { LoginThrottle } from '../identity/login-throttle.js';
import { verifyPassword } from '../identity/passwords.js';
import { createSession, endSession, type NewSession, SESSION_COOKIE } from '../identity/sessions.js';
import { SingleSignOn, SSO_COOKIE, SsoFailure } from '../identity/sso.js';
import {
  createLocalUser,
  deleteUser,
  findLocalUser,
  getUser,
  listUsers,
  normaliseEmail,
  type UserRow,
  updateUser,
  userView,
} from '../identity/users.js';
import { PUBLIC, permission } from './access.js';
import type { AdminApp, AdminDependencies } from './app.js';
import { DEFAULT_IDENTITY } from './authentication.js';
import { idParam, jsonBody, jsonResponse, problemResponses, security } from './openapi-helpers.js';
import { requestClient } from './routes-audit.js';
import { listOf } from './schemas.js';
import {
  AuthMethodsSchema,
  SessionSchema,
  SignInSchema,
  SsoSettingsInputSchema,
  SsoSettingsSchema,
  UserCreateSchema,
  UserSchema,
  UserUpdateSchema,
} from './schemas-identity.js';

const SSO_COOKIE_PATH = '/admin/v1/sso';
const SSO_LOGIN_SECONDS = 600;

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);

/** The page a person sees when single sign-on does not let them in. */
function signInPage(c: Context, status: 400 | 403 | 404 | 500, message: string): Response {
  const title = status === 403 ? 'No access to Junction' : 'Sign-in did not complete';
  const html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${title}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:36rem;margin:4rem auto;padding:0 1rem;color:#1f2933}
h1{font-size:1.4rem}a{color:#1c64f2}</style></head>
<body><h1>${title}</h1><p>${escapeHtml(message)}</p><p><a href="/">Back to the sign-in page</a></p></body></html>`;
  return c.html(html, status, {
    'content-security-policy':
      "default-src 'none'; style-src 'unsafe-inline'; form-action 'none'; frame-ancestors 'none'",
    'x-content-type-options': 'nosniff',
  });
}

export function registerIdentityRoutes(app: AdminApp, deps: AdminDependencies): SingleSignOn {
  const { store } = deps;
  const identity = deps.identity ?? DEFAULT_IDENTITY;
  const sso = new SingleSignOn(store.db, deps.masterKey, deps.logger);
  const throttle = new LoginThrottle();
  const secure = (c: Context) => identity.secureCookies || new URL(c.req.url).protocol === 'https:';

  /** Starts a session for `user`: a new cookie value, recorded in the audit log in the same transaction. */
  async function openSession(c: Context, user: UserRow, method: 'password' | 'sso'): Promise<NewSession> {
    const client = requestClient(c);
    const session = await store.db.transaction(async (tx) => {
      const started = await createSession(tx as unknown as Database, user.id, identity.policy, client);
      await tx.update(users).set({ lastLoginAt: new Date() }).where(eq(users.id, user.id));
      await recordAudit(
        tx as unknown as Database,
        {
          targetType: 'users',
          targetId: user.id,
          teamId: user.teamId,
          after: { method, role: user.role, teamId: user.teamId, expiresAt: started.expiresAt.toISOString() },
        },
        { actorId: user.id, actorName: user.email, role: user.role, action: 'sessions.create', ...client },
      );
      return started;
    });
    setCookie(c, SESSION_COOKIE, session.secret, {
      httpOnly: true,
      sameSite: 'Lax',
      path: '/',
      secure: secure(c),
      maxAge: Math.floor(identity.policy.lifetimeMs / 1000),
    });
    return session;
  }

  app.openapi(
    createRoute({
      method: 'get',
      path: '/auth/methods',
      ...permission(PUBLIC),
      tags: ['Sign-in'],
      summary: 'How one may sign in (for the sign-in page); needs no credential',
      responses: { 200: jsonResponse(AuthMethodsSchema, 'Sign-in methods') },
    }),
    async (c) => {
      const enabled = await sso.enabled();
      return c.json(
        { password: true, sso: { enabled, loginUrl: enabled ? '/admin/v1/sso/login' : null } },
        200,
      );
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/session',
      ...permission(PUBLIC),
      tags: ['Sign-in'],
      summary: 'Sign in with a local user’s email and password; starts a browser session (cookie)',
      description:
        'Answers the CSRF token to send in `x-csrf-token` with every change. Five failures for one email within ' +
        '15 minutes refuse it (429) until the first of them is 15 minutes old.',
      request: jsonBody(SignInSchema),
      responses: {
        200: jsonResponse(SessionSchema, 'Signed in (the session cookie is set)'),
        400: problemResponses[400],
        401: problemResponses[401],
      },
    }),
    async (c) => {
      const body = c.req.valid('json');
      const email = normaliseEmail(body.email);
      const wait = throttle.retryAfter(email);
      if (wait > 0) {
        throw new GatewayError(
          'too_many_failed_authentications',
          `Too many failed sign-ins for this email; try again in ${wait} seconds`,
          { headers: { 'retry-after': String(wait) } },
        );
      }
      const user = await findLocalUser(store.db, email);
      const matches = await verifyPassword(user?.passwordHash, body.password);
      if (!user || !matches || user.disabled) {
        throttle.fail(email);
        throw new GatewayError(
          'invalid_credentials',
          'The email or password is wrong, or the user is disabled',
        );
      }
      throttle.succeed(email);
      const session = await openSession(c, user, 'password');
      return c.json(
        { user: userView(user), csrfToken: session.csrfToken, expiresAt: session.expiresAt.toISOString() },
        200,
      );
    },
  );

  app.openapi(
    createRoute({
      method: 'delete',
      path: '/session',
      ...permission('status.read'),
      tags: ['Sign-in'],
      summary: 'Sign out: ends the browser session on the server and clears its cookie',
      security,
      responses: { 204: { description: 'Signed out' }, ...problemResponses },
    }),
    async (c) => {
      const session = c.get('session');
      if (!session)
        throw new GatewayError('invalid_request', 'This request is not made with a browser session');
      await store.db.transaction(async (tx) => {
        await endSession(tx as unknown as Database, session);
        const principal = c.get('principal');
        await recordAudit(tx as unknown as Database, {
          action: 'sessions.delete',
          targetType: 'users',
          targetId: principal.id,
          teamId: principal.teamId,
        });
      });
      deleteCookie(c, SESSION_COOKIE, { path: '/', secure: secure(c) });
      return c.body(null, 204);
    },
  );

  const userTags = ['Users'];
  app.openapi(
    createRoute({
      method: 'get',
      path: '/users',
      ...permission('users.read'),
      tags: userTags,
      summary: 'List users (local and single sign-on)',
      security,
      responses: { 200: jsonResponse(listOf(UserSchema), 'Users'), ...problemResponses },
    }),
    async (c) => c.json({ data: await listUsers(store.db) }, 200),
  );
  app.openapi(
    createRoute({
      method: 'post',
      path: '/users',
      ...permission('users.write'),
      tags: userTags,
      summary: 'Create a local user with a password and a role',
      security,
      request: jsonBody(UserCreateSchema),
      responses: { 201: jsonResponse(UserSchema, 'Created'), ...problemResponses },
    }),
    async (c) => c.json(await createLocalUser(store.db, c.req.valid('json')), 201),
  );
  app.openapi(
    createRoute({
      method: 'get',
      path: '/users/{id}',
      ...permission('users.read'),
      tags: userTags,
      summary: 'Read a user',
      security,
      request: { params: idParam('User id') },
      responses: { 200: jsonResponse(UserSchema, 'The user'), ...problemResponses },
    }),
    async (c) => c.json(await getUser(store.db, c.req.valid('param').id), 200),
  );
  app.openapi(
    createRoute({
      method: 'patch',
      path: '/users/{id}',
      ...permission('users.write'),
      tags: userTags,
      summary: 'Change a user: name, role and team, password, disabled',
      description:
        'A change of role, team or password, or disabling, ends the user’s sessions. A single sign-on user’s ' +
        'role and team come from the SSO rules at each login (409 here).',
      security,
      request: { params: idParam('User id'), ...jsonBody(UserUpdateSchema) },
      responses: { 200: jsonResponse(UserSchema, 'Changed'), ...problemResponses },
    }),
    async (c) => c.json(await updateUser(store.db, c.req.valid('param').id, c.req.valid('json')), 200),
  );
  app.openapi(
    createRoute({
      method: 'delete',
      path: '/users/{id}',
      ...permission('users.write'),
      tags: userTags,
      summary: 'Delete a user and end its sessions',
      security,
      request: { params: idParam('User id') },
      responses: { 204: { description: 'Deleted' }, ...problemResponses },
    }),
    async (c) => {
      await deleteUser(store.db, c.req.valid('param').id);
      return c.body(null, 204);
    },
  );

  const ssoTags = ['Single sign-on'];
  app.openapi(
    createRoute({
      method: 'get',
      path: '/sso',
      ...permission('sso.read'),
      tags: ssoTags,
      summary: 'The single sign-on configuration (never the client secret)',
      security,
      responses: { 200: jsonResponse(SsoSettingsSchema, 'The configuration'), ...problemResponses },
    }),
    async (c) => c.json(await sso.settings(), 200),
  );
  app.openapi(
    createRoute({
      method: 'put',
      path: '/sso',
      ...permission('sso.write'),
      tags: ssoTags,
      summary: 'Configure OpenID Connect single sign-on',
      description:
        'When `enabled`, the issuer’s discovery document is read first (400 naming the problem otherwise). The ' +
        'client secret is stored encrypted and never shown again. Turning it off signs out single sign-on users.',
      security,
      request: jsonBody(SsoSettingsInputSchema),
      responses: { 200: jsonResponse(SsoSettingsSchema, 'Saved'), ...problemResponses },
    }),
    async (c) => c.json(await sso.update(c.req.valid('json')), 200),
  );
  app.openapi(
    createRoute({
      method: 'delete',
      path: '/sso',
      ...permission('sso.write'),
      tags: ssoTags,
      summary: 'Remove the single sign-on configuration; its users are signed out',
      security,
      responses: { 204: { description: 'Removed' }, ...problemResponses },
    }),
    async (c) => {
      await sso.remove();
      return c.body(null, 204);
    },
  );

  // The browser's side: redirects and pages, not JSON, so they are plain routes documented in the registry.
  app.openAPIRegistry.registerPath({
    method: 'get',
    path: '/sso/login',
    ...permission(PUBLIC),
    tags: ssoTags,
    summary: 'Start a single sign-on login: redirects to the identity provider',
    request: {
      query: z.object({
        next: z
          .string()
          .optional()
          .openapi({ description: 'A path on this server to land on after signing in' }),
      }),
    },
    responses: { 302: { description: 'To the identity provider' }, 404: problemResponses[404] },
  });
  app.get('/sso/login', async (c) => {
    let started: { url: string; cookie: string };
    try {
      started = await sso.begin(c.req.query('next'));
    } catch (error) {
      if (error instanceof SsoFailure && error.status === 404)
        throw new GatewayError('not_found', error.message);
      if (error instanceof SsoFailure) return signInPage(c, error.status, error.message);
      throw error;
    }
    setCookie(c, SSO_COOKIE, started.cookie, {
      httpOnly: true,
      sameSite: 'Lax',
      path: SSO_COOKIE_PATH,
      secure: secure(c),
      maxAge: SSO_LOGIN_SECONDS,
    });
    return c.redirect(started.url, 302);
  });

  app.openAPIRegistry.registerPath({
    method: 'get',
    path: '/sso/callback',
    ...permission(PUBLIC),
    tags: ssoTags,
    summary: 'Where the identity provider sends the browser back; starts a session',
    responses: {
      302: { description: 'Signed in: to the page the login started from' },
      400: { description: 'The sign-in failed (a page says why)' },
      403: { description: 'The account’s claims map to no role (a page says so)' },
    },
  });
  app.get('/sso/callback', async (c) => {
    const cookie = getCookie(c, SSO_COOKIE);
    deleteCookie(c, SSO_COOKIE, { path: SSO_COOKIE_PATH, secure: secure(c) });
    try {
      const done = await sso.complete(new URL(c.req.url).searchParams, cookie);
      await openSession(c, done.user, 'sso');
      return c.redirect(done.next, 302);
    } catch (error) {
      if (error instanceof SsoFailure) {
        deps.logger.warn({ status: error.status, reason: error.reason }, 'single sign-on refused a login');
        return signInPage(c, error.status, error.message);
      }
      deps.logger.error({ err: error }, 'single sign-on failed');
      return signInPage(c, 500, 'Signing in failed on the server; see its log.');
    }
  });
  return sso;
}
