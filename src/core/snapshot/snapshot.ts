/**
 * The compiled, immutable configuration the data plane reads on every request. Everything a request needs
 * is precomputed and keyed for O(1) lookups; nothing here is ever mutated after compilation.
 */
import type { BudgetRule } from '../budget/rules.js';
import type { PriceBook } from '../pricing/book.js';
import type { AdapterTarget } from '../providers/adapter.js';
import type { AwsCredentials, ServiceAccountKey } from '../providers/credentials.js';
import type { RoutingPolicy } from '../routing/policy.js';
import type { ModelCapabilities, ModelKind, ProviderType } from './source.js';

/**
 * How the data plane authenticates a request to an entry. `static`: the entry's `headers` carry it (or nothing
 * is needed); `aws-sigv4`: each request is signed; `gcp-service-account`: an OAuth token minted from the key is
 * attached; `passthrough`: the caller's own provider key is forwarded in `header`.
 */
export type CompiledAuth =
  | { readonly kind: 'static' }
  | { readonly kind: 'aws-sigv4'; readonly credentials: AwsCredentials; readonly region: string }
  | { readonly kind: 'gcp-service-account'; readonly serviceAccount: ServiceAccountKey }
  | { readonly kind: 'passthrough'; readonly header: string; readonly prefix: string };

/** A provider entry as the data plane uses it. */
export interface CompiledProvider {
  readonly id: string;
  readonly type: ProviderType;
  readonly environments: ReadonlySet<string>;
  readonly enabled: boolean;
  /** `scheme://host:port` of the upstream, the key of its connection pool; empty for in-process providers. */
  readonly origin: string;
  /** Path prefix every upstream route is appended to, without a trailing slash (e.g. `/v1`). */
  readonly basePath: string;
  /** Headers attached to every upstream request (static authentication included). */
  readonly headers: Readonly<Record<string, string>>;
  readonly auth: CompiledAuth;
  /** The entry's credential text, identifying it for per-credential caches (signers, tokens); empty when none. */
  readonly credentialKey: string;
  readonly region: string | null;
  /** Type-specific settings with the catalog's defaults applied. */
  readonly settings: Readonly<Record<string, string>>;
  /** Secrets to scrub from anything upstream sends back before it reaches a client or a log. */
  readonly secrets: readonly string[];
  /** Embedding dimension the in-process echo provider produces when the model records none. */
  readonly echoDimension: number;
  /** The entry's labels (e.g. `geography: eu` for residency). */
  readonly labels: Readonly<Record<string, string>>;
}

/** One member of a logical model's pool. */
export interface Deployment {
  /** `<provider id>/<upstream model>`: what `x-junction-backend` reports. */
  readonly id: string;
  readonly provider: CompiledProvider;
  readonly upstreamModel: string;
  /** `upstreamModel` as a JSON string literal, ready to patch into a forwarded body. */
  readonly upstreamModelJson: string;
  readonly weight: number;
  /** Lower is tried first; members of equal priority share traffic by weight. */
  readonly priority: number;
  /** What the provider's adapter needs to build requests for this member. */
  readonly target: AdapterTarget;
}

/** Who may call a model; absent from a model every key may call. */
export interface CompiledAudience {
  readonly teams: ReadonlySet<string>;
  readonly keys: ReadonlySet<string>;
}

export interface CompiledModel {
  /** The name callers use: the model's own id, or an alias of it. */
  readonly id: string;
  /** The version that serves: the model's own id, also when reached through an alias. */
  readonly version: string;
  readonly audience: CompiledAudience | null;
  readonly kind: ModelKind;
  readonly contextWindow: number | null;
  readonly dimension: number | null;
  readonly capabilities: ModelCapabilities;
  readonly deployments: readonly Deployment[];
  /** Environments in which at least one deployment is active. */
  readonly environments: ReadonlySet<string>;
}

export interface CompiledKey {
  readonly id: string;
  readonly name: string;
  readonly teamId: string;
  readonly environment: string;
  readonly expiresAt: number | null;
  readonly routing: RoutingPolicy | null;
  readonly metadata: Readonly<Record<string, string>>;
  /** The model names the key may request; null for any. */
  readonly allowedModels: ReadonlySet<string> | null;
  /** The geography every backend of the key's requests must be labelled with; null for none. */
  readonly residency: string | null;
  /** Whether a request may bind itself to a geography with `x-junction-residency`. */
  readonly residencyHeader: boolean;
  /** The key's and its team's budgets and per-minute limits; null when there are none (nothing to check). */
  readonly governance: KeyGovernance | null;
  /** The key's (or its team's) prompt and answer bodies are captured into the request log. */
  readonly captureBodies: boolean;
}

/** What a key's requests are held to before they are sent. */
export interface KeyGovernance {
  readonly budgets: readonly BudgetRule[];
  readonly limits: readonly {
    readonly subject: string;
    readonly kind: 'rpm' | 'tpm';
    readonly limit: number;
  }[];
}

/** A `/v1/models` entry shown only to its audience. */
export interface RestrictedListing {
  readonly listed: Readonly<Record<string, unknown>> & { readonly id: string };
  readonly audience: CompiledAudience;
}

export interface GatewaySnapshot {
  readonly version: number;
  readonly compiledAt: string;
  readonly keysByHash: ReadonlyMap<string, CompiledKey>;
  /** Every provider entry, including those no model uses yet (health checks probe them all). */
  readonly providers: ReadonlyMap<string, CompiledProvider>;
  readonly models: ReadonlyMap<string, CompiledModel>;
  /** Pool members by `<provider id>/<upstream model>` with the model they serve, for pinned route targets. */
  readonly deploymentsById: ReadonlyMap<
    string,
    { readonly deployment: Deployment; readonly model: CompiledModel }
  >;
  /**
   * The serialised `GET /v1/models` body per environment for keys that see only models open to everyone,
   * computed once per snapshot.
   */
  readonly modelListJsonByEnvironment: ReadonlyMap<string, string>;
  /** Per environment, the listed models with an audience (empty when there are none). */
  readonly restrictedModelsByEnvironment: ReadonlyMap<string, readonly RestrictedListing[]>;
  /** Prices per deployment and per model, for costing requests against budgets. */
  readonly prices: PriceBook;
  /** Every enabled budget by id. */
  readonly budgets: ReadonlyMap<string, BudgetRule>;
  readonly counts: { readonly providers: number; readonly models: number; readonly keys: number };
}
