/**
 * Google GenerateContent wire types, shared by the Gemini API (https://ai.google.dev/api/generate-content) and
 * Gemini on Vertex AI: only the fields the adapter writes or reads. Answers are read defensively, since every
 * field is optional on the wire and new part kinds appear often.
 */

/** Inline bytes, base64 encoded. */
export interface GeminiBlob {
  mimeType: string;
  data: string;
}

/** A file referenced by URI (an uploaded file, a `gs://` object, or a public or signed HTTPS URL). */
export interface GeminiFileData {
  mimeType: string;
  fileUri: string;
}

export interface GeminiFunctionCall {
  /** Set by some models; the adapter then uses it as the OpenAI tool call id. */
  id?: string;
  name: string;
  args?: Record<string, unknown>;
}

export interface GeminiFunctionResponse {
  name: string;
  response: Record<string, unknown>;
}

/** One part of a content; exactly one of the data fields is set. */
export interface GeminiPart {
  text?: string;
  /** The part is a thought summary (reasoning), not answer text. */
  thought?: boolean;
  /** Opaque reasoning state the model needs back on the next turn (Gemini 3 enforces it on function calls). */
  thoughtSignature?: string;
  inlineData?: GeminiBlob;
  fileData?: GeminiFileData;
  functionCall?: GeminiFunctionCall;
  functionResponse?: GeminiFunctionResponse;
  [field: string]: unknown;
}

export interface GeminiContent {
  role?: 'user' | 'model';
  parts?: GeminiPart[];
}

export interface GeminiFunctionDeclaration {
  name: string;
  description?: string;
  /** Full JSON Schema (the `parameters` field only takes Google's OpenAPI subset). */
  parametersJsonSchema?: unknown;
}

export interface GeminiTool {
  functionDeclarations: GeminiFunctionDeclaration[];
}

export interface GeminiToolConfig {
  functionCallingConfig: {
    mode: 'AUTO' | 'ANY' | 'NONE';
    allowedFunctionNames?: string[];
  };
}

export interface GeminiThinkingConfig {
  includeThoughts?: boolean;
  /** Gemini 2.5: a token budget (0 turns thinking off where the model allows it). */
  thinkingBudget?: number;
  /** Gemini 3 and later: `minimal`, `low`, `medium` or `high`. */
  thinkingLevel?: string;
}

export interface GeminiGenerationConfig {
  temperature?: number;
  topP?: number;
  topK?: number;
  maxOutputTokens?: number;
  stopSequences?: string[];
  candidateCount?: number;
  seed?: number;
  presencePenalty?: number;
  frequencyPenalty?: number;
  responseMimeType?: string;
  /** Standard JSON Schema for structured output (the `responseSchema` field only takes the OpenAPI subset). */
  responseJsonSchema?: unknown;
  thinkingConfig?: GeminiThinkingConfig;
}

/** `POST …/models/{model}:generateContent` (and `:streamGenerateContent`) body. */
export interface GeminiRequest {
  contents: GeminiContent[];
  systemInstruction?: { parts: GeminiPart[] };
  tools?: GeminiTool[];
  toolConfig?: GeminiToolConfig;
  generationConfig?: GeminiGenerationConfig;
}

export interface GeminiCandidate {
  content?: GeminiContent;
  /** STOP, MAX_TOKENS, SAFETY, RECITATION, BLOCKLIST, PROHIBITED_CONTENT, SPII, MALFORMED_FUNCTION_CALL, … */
  finishReason?: string;
  finishMessage?: string;
  /** Omitted for candidate 0 (proto3 default), so read with the candidate's position as fallback. */
  index?: number;
}

export interface GeminiUsageMetadata {
  /** The whole prompt, cached part included. */
  promptTokenCount?: number;
  cachedContentTokenCount?: number;
  /** Answer tokens, thoughts excluded. */
  candidatesTokenCount?: number;
  thoughtsTokenCount?: number;
  /** Tokens of tool results fed back to the model by server-side tools (code execution, search). */
  toolUsePromptTokenCount?: number;
  totalTokenCount?: number;
}

export interface GeminiPromptFeedback {
  blockReason?: string;
  blockReasonMessage?: string;
}

/** A whole answer, and each event of a stream (every SSE event is a complete GenerateContentResponse). */
export interface GeminiResponse {
  candidates?: GeminiCandidate[];
  promptFeedback?: GeminiPromptFeedback;
  usageMetadata?: GeminiUsageMetadata;
  modelVersion?: string;
  responseId?: string;
}

/** Google's error envelope (both APIs), also sent as an event when a stream fails. */
export interface GoogleErrorBody {
  error: { code?: number; message?: string; status?: string; details?: unknown[] };
}

/** Gemini API `POST …/models/{model}:batchEmbedContents` body. */
export interface GeminiBatchEmbedRequest {
  requests: Array<{
    model: string;
    content: { parts: Array<{ text: string }> };
    outputDimensionality?: number;
  }>;
}

export interface GeminiBatchEmbedResponse {
  embeddings?: Array<{ values?: number[] }>;
}

/** Vertex AI `POST …/publishers/google/models/{model}:predict` body for text embeddings. */
export interface VertexPredictRequest {
  instances: Array<{ content: string; task_type?: string }>;
  parameters?: { autoTruncate?: boolean; outputDimensionality?: number };
}

export interface VertexPredictResponse {
  predictions?: Array<{
    embeddings?: { values?: number[]; statistics?: { token_count?: number; truncated?: boolean } };
  }>;
}
