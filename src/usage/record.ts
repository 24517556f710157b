/**
 * The routing decision of a request: the key's rule that matched (null: the requested model as it is), the
 * backends planned in order (`provider/upstream model`), and each target left out with its reason.
 */
export interface RouteTrace {
  rule: string | null;
  planned: string[];
  excluded: Array<{ target: string; reason: string; detail: string }>;
}

/** One data-plane request as the usage spool and the `usage_records` table hold it. */
export interface UsageRecord {
  /** Unique per request (the idempotency key when the spool is drained). */
  id: string;
  /** The request id the client saw in `x-request-id` (a client may send its own, so it is not unique). */
  requestId: string;
  /** ISO time the request arrived. */
  at: string;
  keyId: string | null;
  teamId: string | null;
  environment: string | null;
  endpoint: 'chat' | 'embeddings';
  requestedModel: string | null;
  model: string | null;
  modelVersion: string | null;
  backend: string | null;
  providerId: string | null;
  attempts: Array<{ backend: string; outcome: string; status?: number }>;
  /** How the request was routed; absent or null when it was refused before planning. */
  route?: RouteTrace | null;
  status: number;
  outcome: 'complete' | 'error' | 'truncated' | 'client_cancelled';
  errorCode: string | null;
  stream: boolean;
  promptTokens: number | null;
  completionTokens: number | null;
  cachedTokens: number | null;
  cacheWriteTokens: number | null;
  reasoningTokens: number | null;
  /**
   * The token counts are Junction's estimate (about 4 characters per token from the request's text and the
   * generated text delivered), because the provider reported no usage for this answer (or, for a stream cut
   * short, no final count); false when they are the provider's own.
   */
  usageEstimated: boolean;
  latencyMs: number;
  firstByteMs: number | null;
  /**
   * USD with 12 decimals, priced by the data plane from its snapshot's prices as it wrote the record; null when the
   * request reported no tokens or nothing priced its model. Absent on lines written before requests were priced as
   * they were served: the drainer prices those from the store's prices.
   */
  costUsd?: string | null;
  /** Why `costUsd` is null although there are tokens (no price for the model or deployment at the time). */
  priceWarning?: string | null;
}
