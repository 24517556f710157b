// One place for query keys so mutations invalidate exactly what they change.
export const queryKeys = {
  /** The signed-in principal (`Me`), or `null` when signed out. Never removed while the app runs. */
  me: ['me'] as const,
  authMethods: ['auth-methods'] as const,
  status: ['status'] as const,
  providers: ['providers'] as const,
  models: ['models'] as const,
  teams: ['teams'] as const,
  keys: ['keys'] as const,
  users: ['users'] as const,
  sso: ['sso'] as const,
};
