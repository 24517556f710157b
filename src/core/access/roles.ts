/**
 * Who may do what on the admin API: the one table enforcement and the tests both read. Every admin route declares
 * the permission it needs (`x-junction-permission` in its OpenAPI operation); a principal's role grants a set of
 * permissions. A route without a declared permission is refused to everyone.
 *
 * `developer` is bound to one team: it sees and changes only that team's keys, usage and request log, and may not
 * set the operator's controls on a key (per-minute limits, body capture, allowed models, residency).
 */
export const ROLES = ['super_admin', 'provider_admin', 'billing_admin', 'developer', 'viewer'] as const;
export type Role = (typeof ROLES)[number];

export const PERMISSIONS = [
  /** Who am I, the snapshot in service, the provider catalogue. */
  'status.read',
  'providers.read',
  /** Create, change, delete, verify, rotate provider entries. */
  'providers.write',
  'environments.read',
  'environments.write',
  /** Models and aliases. */
  'models.read',
  'models.write',
  /** Send a short request through the data plane (verify from the developer side). */
  'models.verify',
  /** Explain how a key's request would be routed. */
  'routing.read',
  'teams.read',
  'teams.write',
  'keys.read',
  'keys.write',
  'prices.read',
  'prices.write',
  'budgets.read',
  'budgets.write',
  'usage.read',
  /** The request log, captured bodies included. */
  'logs.read',
  'audit.read',
  /** The whole configuration as a document (no secrets). */
  'config.read',
  /** Plan and apply a configuration document. */
  'config.write',
  /** Admin tokens. */
  'tokens.read',
  'tokens.write',
  /** Users of the web app (local and single sign-on). */
  'users.read',
  'users.write',
  /** The single sign-on configuration (never its client secret). */
  'sso.read',
  'sso.write',
] as const;
export type Permission = (typeof PERMISSIONS)[number];

const reads = PERMISSIONS.filter(
  (permission) => permission.endsWith('.read') && permission !== 'tokens.read',
);

/** The permissions of each role. */
export const ROLE_PERMISSIONS: Readonly<Record<Role, ReadonlySet<Permission>>> = {
  super_admin: new Set(PERMISSIONS),
  provider_admin: new Set<Permission>([
    'status.read',
    'providers.read',
    'providers.write',
    'environments.read',
    'environments.write',
    'models.read',
    'models.write',
    'models.verify',
    'routing.read',
  ]),
  billing_admin: new Set<Permission>([
    'status.read',
    'providers.read',
    'models.read',
    'teams.read',
    'keys.read',
    'prices.read',
    'prices.write',
    'budgets.read',
    'budgets.write',
    'usage.read',
  ]),
  developer: new Set<Permission>([
    'status.read',
    'environments.read',
    'models.read',
    'models.verify',
    'routing.read',
    'teams.read',
    'keys.read',
    'keys.write',
    'usage.read',
    'logs.read',
  ]),
  viewer: new Set<Permission>(reads),
};

/** Whether `role` grants `permission` (an unknown role grants nothing). */
export function allows(role: string, permission: string): boolean {
  return (
    (ROLE_PERMISSIONS as Record<string, ReadonlySet<string> | undefined>)[role]?.has(permission) ?? false
  );
}

/** Roles bound to one team's objects. */
export function isTeamScoped(role: string): boolean {
  return role === 'developer';
}

export function isRole(value: string): value is Role {
  return (ROLES as readonly string[]).includes(value);
}

/** Key settings only an operator may set: a team-scoped principal sending one is refused. */
export const OPERATOR_KEY_FIELDS = [
  'requestsPerMinute',
  'tokensPerMinute',
  'captureBodies',
  'allowedModels',
  'residency',
  'residencyHeader',
] as const;
