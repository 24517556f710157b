// The roles of the admin API (`src/core/access/roles.ts` on the server), for selects and badges.

export const roles = ['super_admin', 'provider_admin', 'billing_admin', 'developer', 'viewer'] as const;
export type KnownRole = (typeof roles)[number];

const roleDescriptions: Record<KnownRole, string> = {
  super_admin: 'everything, users and single sign-on included',
  provider_admin: 'providers, environments and models',
  billing_admin: 'prices, budgets and usage',
  developer: "one team's API keys, usage and request log",
  viewer: 'reads everything, changes nothing',
};

const roleColors: Record<KnownRole, string> = {
  super_admin: 'red',
  provider_admin: 'blue',
  billing_admin: 'grape',
  developer: 'teal',
  viewer: 'gray',
};

function isKnownRole(role: string): role is KnownRole {
  return (roles as readonly string[]).includes(role);
}

/** Options for a role `Select`: the role name and what it may do. */
export const roleOptions = roles.map((role) => ({
  value: role,
  label: `${role} — ${roleDescriptions[role]}`,
}));

export function roleColor(role: string): string {
  return isKnownRole(role) ? roleColors[role] : 'gray';
}

/** Roles bound to one team (they need a team; the others must not have one). */
export function needsTeam(role: string | null | undefined): boolean {
  return role === 'developer';
}

/** The password policy of local users (`PASSWORD_MIN_LENGTH` / `PASSWORD_MAX_LENGTH` on the server). */
export const PASSWORD_MIN_LENGTH = 12;
export const PASSWORD_MAX_LENGTH = 1024;

/** What is wrong with a new password, if anything. */
export function passwordProblem(password: string): string | undefined {
  if (password.length < PASSWORD_MIN_LENGTH) return `At least ${PASSWORD_MIN_LENGTH} characters`;
  if (password.length > PASSWORD_MAX_LENGTH) return `At most ${PASSWORD_MAX_LENGTH} characters`;
  return undefined;
}
