// Shapes of the admin API (`/admin/v1`). Kept in one place so pages and the client agree.

export type Role = string;

export interface Me {
  id: string;
  name: string;
  role: Role;
}

export interface Status {
  snapshotVersion: number;
  compiledAt: string;
  providers: number;
  models: number;
  keys: number;
  store: 'embedded' | 'postgres';
}

export interface ListResponse<T> {
  data: T[];
}

export type ProviderType = 'openai' | 'mistral' | 'openai-compatible' | 'echo';
export type AuthMethod = 'api-key' | 'none';
export type Environment = 'production' | 'staging';

export interface Provider {
  id: string;
  displayName: string;
  type: ProviderType;
  baseUrl: string | null;
  authMethod: AuthMethod;
  region: string | null;
  environments: string[];
  enabled: boolean;
  firstParty: boolean;
  labels: Record<string, string>;
  credential: { hint: string; rotatedAt: string } | null;
  config: Record<string, unknown>;
  health: ProviderHealth;
  createdAt: string;
  updatedAt: string;
}

export type HealthStatus = 'healthy' | 'unhealthy' | 'unverified' | 'deferred';

export interface ProviderHealth {
  status: HealthStatus;
  lastCheckedAt: string | null;
  lastVerifiedAt: string | null;
  latencyMs: number | null;
  diagnostic: { stage: string; message: string; httpStatus?: number; code?: string } | null;
}

export interface CreateProviderInput {
  id: string;
  displayName: string;
  type: ProviderType;
  baseUrl?: string;
  authMethod?: AuthMethod;
  /** Write-only: the server never returns it, only `credential.hint`. */
  apiKey?: string;
  environments?: Environment[];
  enabled?: boolean;
  config?: Record<string, unknown>;
}

export type UpdateProviderInput = Partial<Omit<CreateProviderInput, 'id'>>;

export type ModelKind = 'chat' | 'embedding';

export interface Deployment {
  providerId: string;
  upstreamModel: string;
  weight: number;
}

export interface Model {
  id: string;
  kind: ModelKind;
  contextWindow: number | null;
  dimension: number | null;
  capabilities: { streaming: boolean; tools: boolean; vision: boolean; jsonMode: boolean };
  description: string | null;
  enabled: boolean;
  deployments: Deployment[];
  createdAt: string;
  updatedAt: string;
}

export interface CreateModelInput {
  id: string;
  kind: ModelKind;
  contextWindow?: number;
  dimension?: number;
  description?: string;
  enabled?: boolean;
  deployments: { providerId: string; upstreamModel: string; weight?: number }[];
}

export interface Team {
  id: string;
  name: string;
  description: string | null;
  createdAt: string;
}

export interface CreateTeamInput {
  name: string;
  description?: string;
}

export interface ApiKey {
  id: string;
  name: string;
  prefix: string;
  teamId: string;
  environment: Environment;
  consumer: string | null;
  createdAt: string;
  expiresAt: string | null;
  revokedAt: string | null;
}

export interface CreateKeyInput {
  name: string;
  teamId: string;
  environment?: Environment;
  consumer?: string;
  expiresAt?: string;
}

export interface CreatedKey {
  key: ApiKey;
  /** Shown once to the user, never stored. */
  secret: string;
}
