import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { request } from './client';
import { queryKeys } from './queryKeys';
import type { HealthStatus, ListResponse } from './types';

// Provider entries, the provider catalog, health and the connect flow (`/admin/v1/providers*`).

const base = '/admin/v1/providers';

export type AuthMethodName =
  | 'api-key'
  | 'bearer'
  | 'azure-api-key'
  | 'aws-sigv4'
  | 'gcp-service-account'
  | 'none'
  | 'passthrough';

/** One entry of `GET /admin/v1/provider-types`. */
export interface ProviderTypeInfo {
  type: string;
  displayName: string;
  /** `<region>` stands for the entry's region; null when each entry gives its own. */
  defaultBaseUrl: string | null;
  baseUrlExample: string | null;
  authMethods: AuthMethodName[];
  defaultAuthMethod: AuthMethodName;
  apiKeyHeader: { name: string; prefix: string } | null;
  hasRegion: boolean;
  verification: 'ahead' | 'deferred' | 'in-process';
  modelListPath: string | null;
  discovery: boolean;
  embeddings: boolean;
  wire: string;
  settings: { name: string; description: string; required: boolean; default: string | null }[];
  description: string;
}

export interface Diagnostic {
  stage: string;
  message: string;
  httpStatus?: number;
  code?: string;
}

export interface ProviderHealthView {
  status: HealthStatus;
  lastCheckedAt: string | null;
  lastVerifiedAt: string | null;
  latencyMs: number | null;
  diagnostic: Diagnostic | null;
  ejected?: {
    backend: string;
    since: string;
    probeAt: string;
    ejections: number;
    diagnostic: Diagnostic | null;
  }[];
}

/** A provider entry as the API shows it: the credential only as a masked hint. */
export interface ProviderEntry {
  id: string;
  displayName: string;
  type: string;
  baseUrl: string | null;
  authMethod: AuthMethodName;
  region: string | null;
  environments: string[];
  enabled: boolean;
  firstParty: boolean;
  labels: Record<string, string>;
  credential: { hint: string; rotatedAt: string } | null;
  config: Record<string, unknown>;
  health: ProviderHealthView;
  createdAt: string;
  updatedAt: string;
  /** Advice about a change, only in the answer to it. */
  warnings?: string[];
}

export interface HealthEvent {
  at: string;
  source: 'check' | 'traffic' | 'configuration' | 'outlier';
  status: HealthStatus | 'ejected' | 'rejoined';
  latencyMs: number | null;
  diagnostic: Diagnostic | null;
}

/** The write-only credential fields (never returned by any read). */
export interface CredentialInput {
  apiKey?: string;
  awsCredentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  serviceAccount?: string;
}

/** A provider entry to check or save. */
export interface ProviderDraft extends CredentialInput {
  type: string;
  id?: string;
  displayName?: string;
  baseUrl?: string;
  authMethod?: AuthMethodName;
  region?: string;
  environments?: string[];
  enabled?: boolean;
  config?: Record<string, string>;
}

export interface PickedModel {
  upstreamModel: string;
  kind?: 'chat' | 'embedding';
  dimension?: number;
}

/** `POST /providers`: the entry, and the upstream models whose logical models it joins. */
export interface CreateProviderBody extends ProviderDraft {
  id: string;
  displayName: string;
  models?: PickedModel[];
}

export interface CreatedProvider extends ProviderEntry {
  models?: { id: string; upstreamModel: string; created: boolean }[];
}

/** `POST /providers/test-connection`. */
export interface ConnectionTest {
  ok: boolean;
  status: 'healthy' | 'unhealthy' | 'deferred';
  verification: 'ahead' | 'deferred' | 'in-process';
  message: string;
  diagnostic: Diagnostic | null;
  latencyMs: number | null;
  models: string[];
}

export interface EnvironmentEntry {
  id: string;
  description: string | null;
  createdAt: string;
}

export interface UpdateProviderBody {
  displayName?: string;
  enabled?: boolean;
  environments?: string[];
}

const keys = {
  one: (id: string) => [...queryKeys.providers, 'entry', id] as const,
  health: (id: string) => [...queryKeys.providers, 'health', id] as const,
  types: ['provider-types'] as const,
  environments: ['providers-page', 'environments'] as const,
};

const path = (id: string) => `${base}/${encodeURIComponent(id)}`;

// Health changes without anyone touching the page (checks on save, periodic checks, traffic), so the views of it
// refresh themselves: every 2 s while an entry waits for its first check, every 15 s otherwise.
const PENDING_REFRESH_MS = 2_000;
const HEALTH_REFRESH_MS = 15_000;
const refreshFor = (pending: boolean) => (pending ? PENDING_REFRESH_MS : HEALTH_REFRESH_MS);

export function useProviders() {
  return useQuery({
    queryKey: queryKeys.providers,
    queryFn: async () => (await request<ListResponse<ProviderEntry>>(base)).data,
    refetchInterval: (query) =>
      refreshFor((query.state.data ?? []).some((entry) => entry.health.status === 'unverified')),
  });
}

export function useProvider(id: string) {
  return useQuery({
    queryKey: keys.one(id),
    queryFn: () => request<ProviderEntry>(path(id)),
    refetchInterval: (query) => refreshFor(query.state.data?.health.status === 'unverified'),
  });
}

export function useProviderHealth(id: string) {
  return useQuery({
    queryKey: keys.health(id),
    queryFn: () => request<{ current: ProviderHealthView; history: HealthEvent[] }>(`${path(id)}/health`),
    refetchInterval: (query) => refreshFor(query.state.data?.current.status === 'unverified'),
  });
}

/** The catalog of provider types: labels, defaults, auth methods, how each is verified. */
export function useProviderTypes() {
  return useQuery({
    queryKey: keys.types,
    queryFn: async () => (await request<ListResponse<ProviderTypeInfo>>('/admin/v1/provider-types')).data,
    staleTime: 5 * 60_000,
  });
}

export function useEnvironments() {
  return useQuery({
    queryKey: keys.environments,
    queryFn: async () => (await request<ListResponse<EnvironmentEntry>>('/admin/v1/environments')).data,
  });
}

/** Everything under `providers` (list, entries, health), the status counts and, after a create, the models. */
function useInvalidateProviders() {
  const client = useQueryClient();
  return () =>
    Promise.all([
      client.invalidateQueries({ queryKey: queryKeys.providers }),
      client.invalidateQueries({ queryKey: queryKeys.status }),
      client.invalidateQueries({ queryKey: queryKeys.models }),
    ]);
}

/** Creates an entry with its models in one request. The variables hold the credential: dropped at once. */
export function useCreateProvider() {
  const invalidate = useInvalidateProviders();
  return useMutation({
    mutationFn: (input: CreateProviderBody) =>
      request<CreatedProvider>(base, { method: 'POST', body: input }),
    onSuccess: invalidate,
    gcTime: 0,
  });
}

/** Checks a draft entry without saving it. The variables hold the credential: dropped at once. */
export function useTestConnection() {
  return useMutation({
    mutationFn: (draft: ProviderDraft) =>
      request<ConnectionTest>(`${base}/test-connection`, { method: 'POST', body: draft }),
    gcTime: 0,
  });
}

export function useUpdateProvider() {
  const invalidate = useInvalidateProviders();
  return useMutation({
    mutationFn: ({ id, patch }: { id: string; patch: UpdateProviderBody }) =>
      request<ProviderEntry>(path(id), { method: 'PATCH', body: patch }),
    onSuccess: invalidate,
  });
}

export function useDeleteProvider() {
  const invalidate = useInvalidateProviders();
  return useMutation({
    mutationFn: (id: string) => request<void>(path(id), { method: 'DELETE' }),
    onSuccess: invalidate,
  });
}

/** Checks the connection now; the list, the entry and its history refresh with the new health. */
export function useVerifyProvider() {
  const invalidate = useInvalidateProviders();
  return useMutation({
    mutationFn: (id: string) => request<ProviderEntry>(`${path(id)}/verify`, { method: 'POST' }),
    onSuccess: invalidate,
  });
}

/** Replaces the credential, then the server verifies with it. The variables hold it: dropped at once. */
export function useRotateCredential() {
  const invalidate = useInvalidateProviders();
  return useMutation({
    mutationFn: ({ id, credential }: { id: string; credential: CredentialInput }) =>
      request<ProviderEntry>(`${path(id)}/rotate`, { method: 'POST', body: credential }),
    onSuccess: invalidate,
    gcTime: 0,
  });
}
