/**
 * Access control on the admin API. Each route declares its permission in its OpenAPI operation
 * (`...permission('keys.read')`, published as `x-junction-permission`); `routePermissions` reads them back from
 * the registry once every route is registered, and `accessMiddleware` refuses a principal whose role does not
 * grant the permission (403), or any request to a route that declares none. Team-bound principals (`developer`)
 * are further limited to their team's objects by the routes, with `teamScope` and `requireTeam`.
 */
import type { OpenAPIHono } from '@hono/zod-openapi';
import type { Context, Next } from 'hono';
import { matchedRoutes } from 'hono/route';
import { allows, isTeamScoped, OPERATOR_KEY_FIELDS, type Permission } from '../../core/access/roles.js';
import { GatewayError } from '../../core/errors/gateway-error.js';
import type { AdminEnv } from './app.js';

const PERMISSION_FIELD = 'x-junction-permission';

/**
 * The routes anyone may call without a credential: signing in (password and single sign-on) and which sign-in
 * methods exist. Kept as a list here so that a new public route is a deliberate change the tests see.
 */
export const PUBLIC_ROUTES = [
  'GET /admin/v1/auth/methods',
  'POST /admin/v1/session',
  'GET /admin/v1/sso/login',
  'GET /admin/v1/sso/callback',
] as const;
export const PUBLIC = 'public';
export type RouteAccess = Permission | typeof PUBLIC;

/** The permission a route needs, as a spread into its `createRoute` config. */
export function permission(needed: RouteAccess): { [PERMISSION_FIELD]: RouteAccess } {
  return { [PERMISSION_FIELD]: needed };
}

/** The `METHOD /admin/v1/path/:param` key of the route handling the request, if one matched. */
export function routeKey(c: Context): string | undefined {
  // The route's own handler; middleware and catch-alls (`*`, the web app's fallback) are not routes.
  const route = matchedRoutes(c).find(
    (candidate) => candidate.method !== 'ALL' && !candidate.path.endsWith('*'),
  );
  return route ? `${route.method} ${route.path}` : undefined;
}

/** `METHOD /admin/v1/path/:param` → permission, for every route in the app's OpenAPI registry. */
export function routePermissions(app: OpenAPIHono<AdminEnv>, basePath: string): Map<string, RouteAccess> {
  const table = new Map<string, RouteAccess>();
  for (const definition of app.openAPIRegistry.definitions) {
    if (definition.type !== 'route') continue;
    const route = definition.route as unknown as Record<string, unknown> & { method: string; path: string };
    const needed = route[PERMISSION_FIELD] as RouteAccess | undefined;
    if (needed === undefined) continue;
    const path = basePath + route.path.replace(/\{([^}]+)\}/g, ':$1');
    const key = `${route.method.toUpperCase()} ${path}`;
    if (needed === PUBLIC && !(PUBLIC_ROUTES as readonly string[]).includes(key)) {
      throw new Error(`${key} is declared public but is not in PUBLIC_ROUTES`);
    }
    table.set(key, needed);
  }
  return table;
}

/** Refuses a request whose principal's role lacks the matched route's permission. */
export function accessMiddleware(permissions: () => ReadonlyMap<string, RouteAccess>) {
  return async (c: Context<AdminEnv>, next: Next): Promise<Response | undefined> => {
    const principal = c.get('principal');
    const route = routeKey(c);
    // No route matched: the not-found handler answers. A public route needs nothing.
    if (!principal || !route) return next() as Promise<undefined>;
    const needed = permissions().get(route);
    if (needed === PUBLIC) return next() as Promise<undefined>;
    if (needed === undefined) {
      throw new GatewayError(
        'forbidden',
        `${c.req.method} ${c.req.path} declares no permission, so no one may call it`,
      );
    }
    if (!allows(principal.role, needed)) {
      throw new GatewayError(
        'forbidden',
        `The role ${principal.role} does not have the permission ${needed}`,
        {
          details: [{ path: 'permission', message: needed }],
        },
      );
    }
    return next() as Promise<undefined>;
  };
}

/** Refuses a request that also changes what a second permission guards (a provider created with its models). */
export function requirePermission(c: Context<AdminEnv>, permission: Permission, what: string): void {
  const principal = c.get('principal');
  if (principal && !allows(principal.role, permission)) {
    throw new GatewayError(
      'forbidden',
      `The role ${principal.role} does not have the permission ${permission} (${what})`,
      {
        details: [{ path: 'permission', message: permission }],
      },
    );
  }
}

/** The team a principal is limited to; undefined for principals that see every team. */
export function teamScope(c: Context<AdminEnv>): string | undefined {
  const principal = c.get('principal');
  return principal && isTeamScoped(principal.role) ? (principal.teamId ?? '') : undefined;
}

/** Answers 404, as for an object that does not exist, when `teamId` is outside the principal's team. */
export function requireTeam(c: Context<AdminEnv>, teamId: string | null, notFound: () => GatewayError): void {
  const scope = teamScope(c);
  if (scope !== undefined && teamId !== scope) throw notFound();
}

/** Refuses a team-bound principal's key change that sets an operator's control. */
export function refuseOperatorFields(c: Context<AdminEnv>, body: Record<string, unknown>): void {
  if (teamScope(c) === undefined) return;
  const set = OPERATOR_KEY_FIELDS.filter((field) => body[field] !== undefined);
  if (set.length > 0) {
    throw new GatewayError('forbidden', `Only an operator may set ${set.join(', ')} on a key`, {
      details: set.map((field) => ({ path: field, message: 'set by an operator' })),
    });
  }
}
