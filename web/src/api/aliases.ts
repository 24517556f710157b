import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { request } from './client';
import type { ListResponse, ModelKind } from './types';

// Aliases over model versions (`/admin/v1/aliases*`): a stable name that serves one version at a time.

const base = '/admin/v1/aliases';
const path = (id: string) => `${base}/${encodeURIComponent(id)}`;

export interface Alias {
  id: string;
  /** The version the alias serves. */
  modelId: string;
  /** Where a rollback returns it; null until the first move. */
  previousModelId: string | null;
  /** The kind and dimension of the version it serves. */
  kind: ModelKind;
  dimension: number | null;
  description: string | null;
  movedAt: string | null;
  createdAt: string;
  updatedAt: string;
}

/** One change to an alias, from the audit log (`GET /aliases/{id}/history`, newest first). */
export interface AliasHistoryEntry {
  at: string;
  /** `aliases.create`, `aliases.move`, `aliases.rollback`, `aliases.update`, `config.apply`, ... */
  action: string;
  actor: string | null;
  fromModelId: string | null;
  toModelId: string | null;
}

export interface AliasCreateBody {
  id: string;
  modelId: string;
  description?: string | null;
}

export interface AliasMoveBody {
  modelId: string;
  /** Required to move an embedding alias to another model: stored vectors must be re-embedded. */
  acknowledgeReembedding?: boolean;
}

export const aliasKeys = {
  all: ['aliases'] as const,
  history: (id: string) => ['aliases', 'history', id] as const,
};

export function useAliases() {
  return useQuery({
    queryKey: aliasKeys.all,
    queryFn: async () => (await request<ListResponse<Alias>>(base)).data,
  });
}

export function useAliasHistory(id: string, enabled = true) {
  return useQuery({
    queryKey: aliasKeys.history(id),
    queryFn: async () => (await request<ListResponse<AliasHistoryEntry>>(`${path(id)}/history`)).data,
    enabled,
  });
}

/** Every alias query: the list and each history. */
function useInvalidateAliases() {
  const client = useQueryClient();
  return () => Promise.all([client.invalidateQueries({ queryKey: aliasKeys.all })]);
}

export function useCreateAlias() {
  const invalidate = useInvalidateAliases();
  return useMutation({
    mutationFn: (input: AliasCreateBody) => request<Alias>(base, { method: 'POST', body: input }),
    onSuccess: invalidate,
  });
}

export function useMoveAlias() {
  const invalidate = useInvalidateAliases();
  return useMutation({
    mutationFn: ({ id, move }: { id: string; move: AliasMoveBody }) =>
      request<Alias>(`${path(id)}/move`, { method: 'POST', body: move }),
    onSuccess: invalidate,
  });
}

export function useRollbackAlias() {
  const invalidate = useInvalidateAliases();
  return useMutation({
    mutationFn: (id: string) => request<Alias>(`${path(id)}/rollback`, { method: 'POST' }),
    onSuccess: invalidate,
  });
}

export function useDeleteAlias() {
  const invalidate = useInvalidateAliases();
  return useMutation({
    mutationFn: (id: string) => request<void>(path(id), { method: 'DELETE' }),
    onSuccess: invalidate,
  });
}
