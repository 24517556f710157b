// Shapes of the admin API (`/admin/v1`). Kept in one place so pages and the client agree.

export type Role = string;

/** `token`: an admin token (`Authorization: Bearer`); `user`: a browser session (HttpOnly cookie). */
export type PrincipalKind = 'token' | 'user';

/** `GET /admin/v1/me`: who is signed in and what their role may do. */
export interface Me {
  id: string;
  name: string;
  role: Role;
  teamId: string | null;
  kind: PrincipalKind;
  /** Only for users. */
  email?: string;
  /** Only for browser sessions: sent as `x-csrf-token` with every change. Kept in memory only. */
  csrfToken?: string;
  permissions: string[];
}

/** `GET /admin/v1/auth/methods` (no credential needed). */
export interface AuthMethods {
  password: boolean;
  sso: { enabled: boolean; loginUrl: string | null };
}

export interface User {
  id: string;
  email: string;
  name: string;
  role: Role;
  teamId: string | null;
  source: 'local' | 'sso';
  disabled: boolean;
  createdAt: string;
  lastLoginAt: string | null;
}

/** `POST /admin/v1/users`: `teamId` only (and then required) for `developer`. */
export interface CreateUserInput {
  email: string;
  name?: string;
  /** Write-only (12 to 1024 characters); the server keeps an argon2id hash. */
  password: string;
  role: Role;
  teamId?: string;
}

/** `PATCH /admin/v1/users/{id}`: role, team and password are refused (409) for single sign-on users. */
export interface UpdateUserInput {
  name?: string;
  role?: Role;
  teamId?: string | null;
  password?: string;
  disabled?: boolean;
}

/** One single sign-on rule: a value of the claim → a role (and the team, for `developer`). */
export interface SsoRule {
  value: string;
  role: Role;
  teamId: string | null;
}

/** `GET /admin/v1/sso`: never the client secret, only whether one is stored. */
export interface SsoSettings {
  enabled: boolean;
  issuer: string | null;
  clientId: string | null;
  clientSecret: { set: boolean };
  redirectUri: string | null;
  scopes: string[];
  claim: string;
  rules: SsoRule[];
  updatedAt: string | null;
}

/** `PUT /admin/v1/sso`: omit `clientSecret` to keep the stored one. */
export interface SsoSettingsInput {
  enabled: boolean;
  issuer: string;
  clientId: string;
  clientSecret?: string;
  redirectUri: string;
  scopes?: string[];
  claim?: string;
  rules: { value: string; role: Role; teamId?: string }[];
}

/** `POST /admin/v1/session`: the session secret itself travels only in the HttpOnly cookie. */
export interface SignInAnswer {
  user: User;
  csrfToken: string;
  expiresAt: string;
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
