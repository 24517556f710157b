/**
 * Pure builders for OpenAI wire bodies, so tests state only the fields they care about. Timestamps and ids
 * default to fixed values: fixtures must compare equal across runs and snapshots must not churn.
 */
import type {
  ChatCompletion,
  ChatCompletionChunk,
  EmbeddingsResponse,
  FinishReason,
  ModelObject,
  OpenAIErrorBody,
  Usage,
} from '../../src/core/wire/openai.js';

/** A fixed `created` so fixtures are deterministic. */
export const FIXTURE_CREATED = 1_700_000_000;

export function usage(promptTokens: number, completionTokens: number): Usage {
  return {
    prompt_tokens: promptTokens,
    completion_tokens: completionTokens,
    total_tokens: promptTokens + completionTokens,
  };
}

export function chatCompletion(options: {
  content: string | null;
  model: string;
  usage?: Usage;
  finishReason?: FinishReason;
  id?: string;
}): ChatCompletion {
  const body: ChatCompletion = {
    id: options.id ?? 'chatcmpl-fake',
    object: 'chat.completion',
    created: FIXTURE_CREATED,
    model: options.model,
    choices: [
      {
        index: 0,
        message: { role: 'assistant', content: options.content },
        finish_reason: options.finishReason ?? 'stop',
        logprobs: null,
      },
    ],
  };
  if (options.usage !== undefined) body.usage = options.usage;
  return body;
}

/**
 * One streamed chunk. A chunk given `usage` and nothing else is the trailing usage chunk, which OpenAI sends
 * with an empty `choices` array; `usage: null` is what OpenAI puts on every other chunk when
 * `stream_options.include_usage` is on.
 */
export function chatChunk(options: {
  content?: string | null;
  role?: 'assistant';
  finishReason?: FinishReason | null;
  model: string;
  id?: string;
  usage?: Usage | null;
}): ChatCompletionChunk {
  const usageOnly =
    options.usage != null &&
    options.content === undefined &&
    options.role === undefined &&
    options.finishReason == null;
  const delta: ChatCompletionChunk['choices'][number]['delta'] = {};
  if (options.role !== undefined) delta.role = options.role;
  if (options.content !== undefined) delta.content = options.content;
  const chunk: ChatCompletionChunk = {
    id: options.id ?? 'chatcmpl-fake',
    object: 'chat.completion.chunk',
    created: FIXTURE_CREATED,
    model: options.model,
    choices: usageOnly
      ? []
      : [{ index: 0, delta, finish_reason: options.finishReason ?? null, logprobs: null }],
  };
  if (options.usage !== undefined) chunk.usage = options.usage;
  return chunk;
}

/**
 * The chunks of a complete stream, in OpenAI's order: role, one chunk per word (words are sent verbatim, so
 * include their spaces), the finish chunk, then the usage chunk when `usage` is given. `[DONE]` is not a
 * chunk: the SSE reply adds it.
 */
export function chatStream(options: {
  model: string;
  words: string[];
  usage?: Usage;
  id?: string;
  finishReason?: FinishReason;
}): ChatCompletionChunk[] {
  const { model, id } = options;
  // With include_usage OpenAI marks every non-final chunk `usage: null`; mirror it so parsers meet the real shape.
  const perChunkUsage = options.usage === undefined ? {} : { usage: null };
  const chunks = [
    chatChunk({ model, id, role: 'assistant', content: '', ...perChunkUsage }),
    ...options.words.map((word) => chatChunk({ model, id, content: word, ...perChunkUsage })),
    chatChunk({ model, id, finishReason: options.finishReason ?? 'stop', ...perChunkUsage }),
  ];
  if (options.usage !== undefined) chunks.push(chatChunk({ model, id, usage: options.usage }));
  return chunks;
}

export function embeddingsResponse(options: {
  model: string;
  vectors: Array<number[] | string>;
  usage?: { prompt_tokens: number; total_tokens: number };
}): EmbeddingsResponse {
  return {
    object: 'list',
    data: options.vectors.map((embedding, index) => ({ object: 'embedding', index, embedding })),
    model: options.model,
    usage: options.usage ?? { prompt_tokens: options.vectors.length, total_tokens: options.vectors.length },
  };
}

export function modelObject(id: string, ownedBy = 'fake-upstream'): ModelObject {
  return { id, object: 'model', created: FIXTURE_CREATED, owned_by: ownedBy };
}

export function openAIError(
  message: string,
  type = 'invalid_request_error',
  code: string | null = null,
  param: string | null = null,
): OpenAIErrorBody {
  return { error: { message, type, param, code } };
}
