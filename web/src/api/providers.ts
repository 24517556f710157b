import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { request } from './client';
import { queryKeys } from './queryKeys';
import type { CreateProviderInput, ListResponse, Provider, UpdateProviderInput } from './types';

const base = '/admin/v1/providers';

export function useProviders() {
  return useQuery({
    queryKey: queryKeys.providers,
    queryFn: async () => (await request<ListResponse<Provider>>(base)).data,
  });
}

function useInvalidateProviders() {
  const client = useQueryClient();
  return () =>
    Promise.all([
      client.invalidateQueries({ queryKey: queryKeys.providers }),
      client.invalidateQueries({ queryKey: queryKeys.status }),
    ]);
}

export function useCreateProvider() {
  const invalidate = useInvalidateProviders();
  return useMutation({
    mutationFn: (input: CreateProviderInput) => request<Provider>(base, { method: 'POST', body: input }),
    onSuccess: invalidate,
  });
}

export function useUpdateProvider() {
  const invalidate = useInvalidateProviders();
  return useMutation({
    mutationFn: ({ id, patch }: { id: string; patch: UpdateProviderInput }) =>
      request<Provider>(`${base}/${encodeURIComponent(id)}`, { method: 'PATCH', body: patch }),
    onSuccess: invalidate,
  });
}

export function useDeleteProvider() {
  const invalidate = useInvalidateProviders();
  return useMutation({
    mutationFn: (id: string) => request<void>(`${base}/${encodeURIComponent(id)}`, { method: 'DELETE' }),
    onSuccess: invalidate,
  });
}

/** Checks the connection now; the list refreshes with the new health. */
export function useVerifyProvider() {
  const invalidate = useInvalidateProviders();
  return useMutation({
    mutationFn: (id: string) =>
      request<Provider>(`${base}/${encodeURIComponent(id)}/verify`, { method: 'POST' }),
    onSuccess: invalidate,
  });
}
