/**
 * Who is calling the admin API: an admin token (`Authorization: Bearer`, for automation and the CLI) or a browser
 * session (the `junction_session` cookie). A token, when sent, decides alone. A cookie-authenticated change
 * (POST, PUT, PATCH, DELETE) must carry the session's CSRF token in `x-csrf-token`; together with SameSite
 * cookies this keeps another site from acting with a signed-in operator's browser. Public routes (signing in)
 * need neither.
 */
import type { Context, Next } from 'hono';
import { getCookie } from 'hono/cookie';
import { GatewayError } from '../../core/errors/gateway-error.js';
import { bearerCredential } from '../../secrets/bearer.js';
import type { Database } from '../../store/database.js';
import {
  csrfMatches,
  findSessionPrincipal,
  SESSION_COOKIE,
  type SessionPolicy,
} from '../identity/sessions.js';
import { findAdminByToken } from '../services/bootstrap.js';
import { PUBLIC, type RouteAccess, routeKey } from './access.js';
import type { AdminEnv } from './app.js';

export interface IdentityOptions {
  policy: SessionPolicy;
  /** `Secure` cookies even over plain http (TLS ends at a proxy in front). */
  secureCookies: boolean;
}

export const DEFAULT_IDENTITY: IdentityOptions = {
  policy: { lifetimeMs: 12 * 3_600_000, idleMs: 60 * 60_000 },
  secureCookies: false,
};

const CHANGES = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

const unauthenticated = () =>
  new GatewayError(
    'invalid_api_key',
    'Sign in, or send a valid admin token as `Authorization: Bearer <token>`',
    { headers: { 'www-authenticate': 'Bearer realm="junction-admin"' } },
  );

export function authenticationMiddleware(
  db: Database,
  identity: IdentityOptions,
  permissions: () => ReadonlyMap<string, RouteAccess>,
) {
  return async (c: Context<AdminEnv>, next: Next): Promise<void> => {
    if (c.req.path === '/admin/v1/openapi.json') return next();
    const route = routeKey(c);
    if (route !== undefined && permissions().get(route) === PUBLIC) return next();
    const authorization = c.req.header('authorization');
    if (authorization !== undefined) {
      const token = bearerCredential(authorization);
      const principal = token && token.length <= 512 ? await findAdminByToken(db, token) : undefined;
      if (!principal) throw unauthenticated();
      c.set('principal', principal);
      return next();
    }
    const secret = getCookie(c, SESSION_COOKIE);
    const principal = secret ? await findSessionPrincipal(db, secret, identity.policy) : undefined;
    if (!secret || !principal) throw unauthenticated();
    if (CHANGES.has(c.req.method) && !csrfMatches(secret, c.req.header('x-csrf-token'))) {
      throw new GatewayError(
        'csrf_failed',
        'A change made with a browser session must send its CSRF token (from sign-in or GET /me) in `x-csrf-token`',
      );
    }
    c.set('principal', principal);
    c.set('session', secret);
    return next();
  };
}
