import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { request } from './client';
import type { ListResponse } from './types';

const base = '/admin/v1/me/tokens';

/** A personal token: acts with its user's current role and team; always expires. */
export interface PersonalToken {
  id: string;
  name: string;
  role: string;
  teamId: string | null;
  /** The first characters of the secret, to recognise it. */
  prefix: string;
  createdBy: string | null;
  userId: string | null;
  createdAt: string;
  expiresAt: string | null;
  revokedAt: string | null;
  /** Not reported by every server version. */
  lastUsedAt?: string | null;
}

export interface CreatedToken {
  token: PersonalToken;
  /** Shown once to the user, never stored. */
  secret: string;
}

/** The longest a personal token may live (the server refuses an expiry further ahead). */
export const PERSONAL_TOKEN_MAX_DAYS = 366;

const tokensKey = ['personal-tokens'] as const;

export function usePersonalTokens() {
  return useQuery({
    queryKey: tokensKey,
    queryFn: async () => (await request<ListResponse<PersonalToken>>(base)).data,
  });
}

/** Issues a token; the answer holds the secret (`gcTime: 0`, and callers `reset()` after taking it). */
export function useCreatePersonalToken() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (input: { name: string; expiresAt: string }) =>
      request<CreatedToken>(base, { method: 'POST', body: input }),
    onSuccess: () => client.invalidateQueries({ queryKey: tokensKey }),
    gcTime: 0,
  });
}

export function useRevokePersonalToken() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (id: string) =>
      request<PersonalToken>(`${base}/${encodeURIComponent(id)}/revoke`, { method: 'POST' }),
    onSuccess: () => client.invalidateQueries({ queryKey: tokensKey }),
  });
}
