import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { request } from './client';
import { queryKeys } from './queryKeys';
import type { RoutingPolicy } from './routing';
import type { ListResponse, Me } from './types';

const base = '/admin/v1/keys';

/** `GET /admin/v1/keys/{id}`: a key's settings (never its secret, only the prefix). */
export interface ApiKeyView {
  id: string;
  name: string;
  prefix: string;
  teamId: string;
  environment: string;
  consumer: string | null;
  metadata: Record<string, string>;
  routing: RoutingPolicy | null;
  /** The model names the key may request; null for any. */
  allowedModels: string[] | null;
  residency: string | null;
  residencyHeader: boolean;
  requestsPerMinute: number | null;
  tokensPerMinute: number | null;
  captureBodies: boolean;
  /** After a rotation with a grace period: until when the previous secret still works. */
  previousSecretExpiresAt: string | null;
  createdAt: string;
  expiresAt: string | null;
  revokedAt: string | null;
}

/** What a key's creator may set, and later change (`ApiKeyCreate` / `ApiKeyUpdate`). */
export interface KeySettingsInput {
  consumer?: string | null;
  expiresAt?: string | null;
  metadata?: Record<string, string>;
  routing?: RoutingPolicy | null;
  allowedModels?: string[] | null;
  residency?: string | null;
  residencyHeader?: boolean;
  requestsPerMinute?: number | null;
  tokensPerMinute?: number | null;
  captureBodies?: boolean;
}

export interface CreateKeyInput extends KeySettingsInput {
  name: string;
  teamId: string;
  environment?: string;
}

export interface UpdateKeyInput extends KeySettingsInput {
  name?: string;
}

export interface CreatedKey {
  key: ApiKeyView;
  /** Shown once to the user, never stored. */
  secret: string;
}

/**
 * Key settings only an operator may set: a team-bound principal (`developer`) sending one is refused
 * (`OPERATOR_KEY_FIELDS` on the server).
 */
export const OPERATOR_KEY_FIELDS = [
  'requestsPerMinute',
  'tokensPerMinute',
  'captureBodies',
  'allowedModels',
  'residency',
  'residencyHeader',
] as const;

/** Whether the principal is bound to one team (it sees only its team's keys and cannot set operator fields). */
export function isTeamScoped(me: Me | null | undefined): boolean {
  return me?.role === 'developer';
}

export type KeyState = 'active' | 'expired' | 'revoked';

export function keyState(key: Pick<ApiKeyView, 'revokedAt' | 'expiresAt'>, now = Date.now()): KeyState {
  if (key.revokedAt) return 'revoked';
  if (key.expiresAt && new Date(key.expiresAt).getTime() <= now) return 'expired';
  return 'active';
}

export const keyStateColors: Record<KeyState, string> = { active: 'teal', expired: 'gray', revoked: 'red' };

const keyPath = (id: string) => `${base}/${encodeURIComponent(id)}`;

export function useKeys() {
  return useQuery({
    queryKey: queryKeys.keys,
    queryFn: async () => (await request<ListResponse<ApiKeyView>>(base)).data,
  });
}

export function useKey(id: string) {
  return useQuery({
    queryKey: [...queryKeys.keys, id] as const,
    queryFn: () => request<ApiKeyView>(keyPath(id)),
  });
}

function useInvalidateKeys() {
  const client = useQueryClient();
  return () =>
    Promise.all([
      client.invalidateQueries({ queryKey: queryKeys.keys }),
      client.invalidateQueries({ queryKey: queryKeys.status }),
    ]);
}

/**
 * Creates a key. The response holds the secret, which must be shown once and never kept:
 * `gcTime: 0` drops the mutation (and its result) from the cache as soon as nothing observes it,
 * and callers should `reset()` the mutation after taking the secret.
 */
export function useCreateKey() {
  const invalidate = useInvalidateKeys();
  return useMutation({
    mutationFn: (input: CreateKeyInput) => request<CreatedKey>(base, { method: 'POST', body: input }),
    onSuccess: invalidate,
    gcTime: 0,
  });
}

/** Changes a key's name, consumer, metadata, routing policy, expiry, allowed models or limits. */
export function useUpdateKey() {
  const client = useQueryClient();
  const invalidate = useInvalidateKeys();
  return useMutation({
    mutationFn: ({ id, patch }: { id: string; patch: UpdateKeyInput }) =>
      request<ApiKeyView>(keyPath(id), { method: 'PATCH', body: patch }),
    onSuccess: (key) => {
      client.setQueryData([...queryKeys.keys, key.id], key);
      return invalidate();
    },
  });
}

/** Issues a new secret (shown once: callers `reset()` after taking it); the old one works for the grace period. */
export function useRotateKey() {
  const invalidate = useInvalidateKeys();
  return useMutation({
    mutationFn: ({ id, gracePeriodSeconds }: { id: string; gracePeriodSeconds: number }) =>
      request<CreatedKey>(`${keyPath(id)}/rotate`, { method: 'POST', body: { gracePeriodSeconds } }),
    onSuccess: invalidate,
    gcTime: 0,
  });
}

export function useRevokeKey() {
  const invalidate = useInvalidateKeys();
  return useMutation({
    mutationFn: (id: string) => request<ApiKeyView>(`${keyPath(id)}/revoke`, { method: 'POST' }),
    onSuccess: invalidate,
  });
}

export interface EnvironmentView {
  id: string;
  description: string | null;
}

/** The environments a key may belong to (`GET /environments`). */
export function useKeyEnvironments(enabled = true) {
  return useQuery({
    queryKey: ['key-environments'] as const,
    queryFn: async () => (await request<ListResponse<EnvironmentView>>('/admin/v1/environments')).data,
    enabled,
    staleTime: 60_000,
  });
}
