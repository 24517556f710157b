import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { request } from './client';
import { queryKeys } from './queryKeys';
import type { ApiKey, CreatedKey, CreateKeyInput, ListResponse } from './types';

const base = '/admin/v1/keys';

export function useKeys() {
  return useQuery({
    queryKey: queryKeys.keys,
    queryFn: async () => (await request<ListResponse<ApiKey>>(base)).data,
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

export function useRevokeKey() {
  const invalidate = useInvalidateKeys();
  return useMutation({
    mutationFn: (id: string) =>
      request<ApiKey>(`${base}/${encodeURIComponent(id)}/revoke`, { method: 'POST' }),
    onSuccess: invalidate,
  });
}
