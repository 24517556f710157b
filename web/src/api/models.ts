import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { request } from './client';
import type { EnvironmentEntry, ProviderEntry } from './providers';
import { queryKeys } from './queryKeys';
import type { ApiKey, ListResponse, Model, ModelKind, Team } from './types';

// Logical models and their pools (`/admin/v1/models*`), and what a provider entry offers for a pool.

const base = '/admin/v1/models';
const path = (id: string) => `${base}/${encodeURIComponent(id)}`;

/** One member of a model's pool: a provider entry and the upstream model it expects. */
export interface PoolMember {
  providerId: string;
  upstreamModel: string;
  /** Spreads traffic among members of equal priority (0: no traffic). */
  weight: number;
  /** Lower is tried first. */
  priority: number;
}

export interface ModelCapabilities {
  streaming: boolean;
  tools: boolean;
  vision: boolean;
  jsonMode: boolean;
}

/** Who may call a model; `null` on the model means every key. */
export interface Audience {
  teams: string[];
  keys: string[];
}

/** A logical model as `GET /models` shows it. */
export interface LogicalModel extends Omit<Model, 'deployments'> {
  owner: string | null;
  audience: Audience | null;
  deployments: PoolMember[];
}

export interface PoolMemberInput {
  providerId: string;
  upstreamModel: string;
  weight?: number;
  priority?: number;
}

export interface ModelCreateBody {
  id: string;
  kind: ModelKind;
  contextWindow?: number | null;
  dimension?: number | null;
  capabilities?: Partial<ModelCapabilities>;
  description?: string | null;
  enabled?: boolean;
  audience?: Audience | null;
  deployments: PoolMemberInput[];
}

/** `PATCH /models/{id}`: `deployments`, when given, replace the whole pool. */
export interface ModelUpdateBody {
  kind?: ModelKind;
  contextWindow?: number | null;
  dimension?: number | null;
  capabilities?: Partial<ModelCapabilities>;
  description?: string | null;
  enabled?: boolean;
  audience?: Audience | null;
  deployments?: PoolMemberInput[];
}

interface VerificationOutcome {
  ok: boolean;
  status: number;
  latencyMs: number;
  /** The start of the answer (chat). */
  answer?: string;
  /** The returned vector length and whether it is the recorded one (embeddings). */
  dimension?: number;
  dimensionMatches?: boolean;
  error?: { code: string; message: string };
}

/** What one member of the pool answered on its own, or why it was not tried. */
export interface MemberVerification extends VerificationOutcome {
  providerId: string;
  upstreamModel: string;
  skipped?: string;
}

/** `POST /models/{id}/verify`: a short request through the data plane, as a developer would send it. */
export interface ModelVerification extends VerificationOutcome {
  model: string;
  version: string;
  environment: string;
  backend: string | null;
  attempts: number;
  deployments?: MemberVerification[];
}

/** `GET /providers/{id}/discovered-models`. */
export interface DiscoveredModels {
  providerId: string;
  models: { id: string; enabled: boolean }[];
  new: string[];
  missing: string[];
}

export const modelKeys = {
  one: (id: string) => [...queryKeys.models, 'one', id] as const,
  discovered: (providerId: string) => ['models-page', 'discovered', providerId] as const,
  providers: ['models-page', 'providers'] as const,
  teams: ['models-page', 'teams'] as const,
  keys: ['models-page', 'keys'] as const,
  environments: ['models-page', 'environments'] as const,
};

// What the Models pages read from other areas, only when the role may read it (`enabled`), so a role without
// the permission sends no request bound to fail.

/** Provider entries (region, health, type) for the pool editor and the list's regions. */
export function useProviderEntries(enabled: boolean) {
  return useQuery({
    queryKey: modelKeys.providers,
    queryFn: async () => (await request<ListResponse<ProviderEntry>>('/admin/v1/providers')).data,
    enabled,
  });
}

/** Teams, to choose an audience from. */
export function useAudienceTeams(enabled: boolean) {
  return useQuery({
    queryKey: modelKeys.teams,
    queryFn: async () => (await request<ListResponse<Team>>('/admin/v1/teams')).data,
    enabled,
  });
}

/** API keys (metadata only), to choose an audience from. */
export function useAudienceKeys(enabled: boolean) {
  return useQuery({
    queryKey: modelKeys.keys,
    queryFn: async () => (await request<ListResponse<ApiKey>>('/admin/v1/keys')).data,
    enabled,
  });
}

/** Environments, to verify a model in. */
export function useVerifyEnvironments(enabled: boolean) {
  return useQuery({
    queryKey: modelKeys.environments,
    queryFn: async () => (await request<ListResponse<EnvironmentEntry>>('/admin/v1/environments')).data,
    enabled,
  });
}

export function useModels() {
  return useQuery({
    queryKey: queryKeys.models,
    queryFn: async () => (await request<ListResponse<LogicalModel>>(base)).data,
  });
}

export function useModel(id: string) {
  return useQuery({
    queryKey: modelKeys.one(id),
    queryFn: () => request<LogicalModel>(path(id)),
  });
}

/** The model list and details, the aliases (they show the kind and dimension of their target) and the counts. */
function useInvalidateModels() {
  const client = useQueryClient();
  return () =>
    Promise.all([
      client.invalidateQueries({ queryKey: queryKeys.models }),
      client.invalidateQueries({ queryKey: ['aliases'] }),
      client.invalidateQueries({ queryKey: queryKeys.status }),
    ]);
}

export function useCreateModel() {
  const invalidate = useInvalidateModels();
  return useMutation({
    mutationFn: (input: ModelCreateBody) => request<LogicalModel>(base, { method: 'POST', body: input }),
    onSuccess: invalidate,
  });
}

export function useUpdateModel() {
  const invalidate = useInvalidateModels();
  return useMutation({
    mutationFn: ({ id, patch }: { id: string; patch: ModelUpdateBody }) =>
      request<LogicalModel>(path(id), { method: 'PATCH', body: patch }),
    onSuccess: invalidate,
  });
}

export function useDeleteModel() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => request<void>(path(id), { method: 'DELETE' }),
    onSuccess: (_data, id) =>
      Promise.all([
        // The open detail of the deleted model is only marked stale: refetching it now would answer 404 while
        // the page leaves it.
        client.invalidateQueries({ queryKey: modelKeys.one(id), refetchType: 'none' }),
        client.invalidateQueries({ queryKey: queryKeys.models, exact: true }),
        client.invalidateQueries({ queryKey: queryKeys.status }),
      ]),
  });
}

/** Verifies the model (or an alias) through the data plane, and each member of its pool on its own. */
export function useVerifyModel() {
  return useMutation({
    mutationFn: ({ id, environment }: { id: string; environment: string }) =>
      request<ModelVerification>(`${path(id)}/verify`, {
        method: 'POST',
        body: { environment, eachDeployment: true },
      }),
  });
}

/** What a provider entry offers now (asks the provider: only on demand, `enabled` false until asked). */
export function useDiscoveredModels(providerId: string | null, enabled: boolean) {
  return useQuery({
    queryKey: modelKeys.discovered(providerId ?? ''),
    queryFn: () =>
      request<DiscoveredModels>(
        `/admin/v1/providers/${encodeURIComponent(providerId ?? '')}/discovered-models`,
      ),
    enabled: enabled && providerId !== null && providerId !== '',
    staleTime: 5 * 60_000,
    retry: false,
  });
}
