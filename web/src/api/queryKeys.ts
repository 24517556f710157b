// One place for query keys so mutations invalidate exactly what they change.
export const queryKeys = {
  me: ['me'] as const,
  status: ['status'] as const,
  providers: ['providers'] as const,
  models: ['models'] as const,
  teams: ['teams'] as const,
  keys: ['keys'] as const,
};
