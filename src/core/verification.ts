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
}
