import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { request } from './client';
import { queryKeys } from './queryKeys';
import type { CreateModelInput, ListResponse, Model } from './types';

const base = '/admin/v1/models';

export function useModels() {
  return useQuery({
    queryKey: queryKeys.models,
    queryFn: async () => (await request<ListResponse<Model>>(base)).data,
  });
}

function useInvalidateModels() {
  const client = useQueryClient();
  return () =>
    Promise.all([
      client.invalidateQueries({ queryKey: queryKeys.models }),
      client.invalidateQueries({ queryKey: queryKeys.status }),
    ]);
}

export function useCreateModel() {
  const invalidate = useInvalidateModels();
  return useMutation({
    mutationFn: (input: CreateModelInput) => request<Model>(base, { method: 'POST', body: input }),
    onSuccess: invalidate,
  });
}

export function useDeleteModel() {
  const invalidate = useInvalidateModels();
  return useMutation({
    mutationFn: (id: string) => request<void>(`${base}/${encodeURIComponent(id)}`, { method: 'DELETE' }),
    onSuccess: invalidate,
  });
}
