/** The shape both planes share for "verify from the developer side". */

/** What a verification request through the data plane found. */
export interface ModelVerification {
  ok: boolean;
  model: string;
  /** The version that served (the alias target when `model` is an alias). */
  version: string;
  environment: string;
  backend: string | null;
  attempts: number;
  status: number;
  latencyMs: number;
  /** The start of the answer (chat). */
  answer?: string;
  /** The returned vector length, and whether it equals the recorded dimension (embeddings). */
  dimension?: number;
  dimensionMatches?: boolean;
  error?: { code: string; message: string };
  /** With `eachDeployment`: one short request per member of the pool, each sent to that member alone. */
  deployments?: DeploymentVerification[];
}

/** What one member of the pool answered (or why it was not tried). */
export interface DeploymentVerification {
  providerId: string;
  upstreamModel: string;
  /** Why the member was not tried (disabled entry, not active in the environment, BYOK); absent when tried. */
  skipped?: string;
  ok: boolean;
  status: number;
  latencyMs: number;
  answer?: string;
  dimension?: number;
  dimensionMatches?: boolean;
  error?: { code: string; message: string };
}
