/**
 * Amazon Bedrock runtime wire types: the Converse and ConverseStream APIs (one message format for every model
 * family) and the InvokeModel bodies of the embedding models Junction translates (Titan, Cohere). Only the
 * fields Junction writes or reads are typed. Field names follow the Bedrock API reference (camelCase for the
 * runtime APIs, the model vendor's own spelling inside InvokeModel bodies).
 */

/** An image Converse accepts inline: the bytes, base64-encoded in JSON. */
export interface ConverseImageBlock {
  format: 'png' | 'jpeg' | 'gif' | 'webp';
  source: { bytes: string };
}

/** One piece of a tool result. */
export type ConverseToolResultContent = { text: string } | { json: unknown };

/** Reasoning the model returned; the signature (or the redacted bytes) must be sent back unchanged. */
export type ConverseReasoningContent =
  | { reasoningText: { text: string; signature?: string } }
  | { redactedContent: string };

/** One content block of a Converse message (a union: exactly one member is set). */
export type ConverseContentBlock =
  | { text: string }
  | { image: ConverseImageBlock }
  | { toolUse: { toolUseId: string; name: string; input: unknown } }
  | { toolResult: { toolUseId: string; content: ConverseToolResultContent[]; status?: 'success' | 'error' } }
  | { reasoningContent: ConverseReasoningContent }
  | { cachePoint: { type: 'default' } };

export interface ConverseMessage {
  role: 'user' | 'assistant';
  content: ConverseContentBlock[];
}

export interface ConverseToolSpec {
  toolSpec: { name: string; description?: string; inputSchema: { json: unknown }; strict?: boolean };
}

export type ConverseToolChoice =
  | { auto: Record<string, never> }
  | { any: Record<string, never> }
  | { tool: { name: string } };

/** `POST /model/{modelId}/converse` and `/converse-stream` request body. */
export interface ConverseRequest {
  messages: ConverseMessage[];
  system?: Array<{ text: string }>;
  inferenceConfig?: { maxTokens?: number; temperature?: number; topP?: number; stopSequences?: string[] };
  toolConfig?: { tools: ConverseToolSpec[]; toolChoice?: ConverseToolChoice };
  /** Model-specific fields Converse passes through (Claude's `thinking`). */
  additionalModelRequestFields?: Record<string, unknown>;
  /** Native structured output: the schema travels as a JSON string. */
  outputConfig?: {
    textFormat: {
      type: 'json_schema';
      structure: { jsonSchema: { schema: string; name?: string; description?: string } };
    };
  };
}

/** Token counts Converse reports. `inputTokens` excludes the cache reads and writes, which are counted apart. */
export interface ConverseUsage {
  inputTokens?: number;
  outputTokens?: number;
  totalTokens?: number;
  cacheReadInputTokens?: number;
  cacheWriteInputTokens?: number;
}

/** `/converse` response body. */
export interface ConverseResponse {
  output?: { message?: { role?: string; content?: unknown[] } };
  stopReason?: string;
  usage?: ConverseUsage;
  metrics?: { latencyMs?: number };
}

/** ConverseStream event payloads, keyed by `:event-type`. */
export interface ConverseStreamPayloads {
  messageStart: { role?: string };
  contentBlockStart: {
    contentBlockIndex?: number;
    start?: { toolUse?: { toolUseId?: string; name?: string } };
  };
  contentBlockDelta: {
    contentBlockIndex?: number;
    delta?: {
      text?: string;
      toolUse?: { input?: string };
      reasoningContent?: { text?: string; signature?: string; redactedContent?: string };
    };
  };
  contentBlockStop: { contentBlockIndex?: number };
  messageStop: { stopReason?: string };
  metadata: { usage?: ConverseUsage; metrics?: { latencyMs?: number } };
}

/** Titan Text Embeddings InvokeModel body (`dimensions` and `normalize` exist from v2 on). */
export interface TitanEmbeddingRequest {
  inputText: string;
  dimensions?: number;
  normalize?: boolean;
}

export interface TitanEmbeddingResponse {
  embedding?: number[];
  inputTextTokenCount?: number;
}

/** Cohere Embed InvokeModel body. */
export interface CohereEmbeddingRequest {
  texts: string[];
  input_type: string;
  truncate?: string;
  /** Embed v4 only. */
  output_dimension?: number;
}

/** `embeddings` is a list of vectors, or `{ float: [...] }` when `embedding_types` was given. */
export interface CohereEmbeddingResponse {
  embeddings?: number[][] | { float?: number[][] };
  texts?: string[];
  response_type?: string;
}

/** Bedrock's error body; some front-end errors spell the field `Message`. */
export interface BedrockErrorBody {
  message?: string;
  Message?: string;
  __type?: string;
}

/** Whether a value is a plain JSON object. */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
