/**
 * The usage recorded when a provider reports none (a stream without a usage chunk, one cut before it, a JSON
 * answer without `usage`): about four characters per token, rounded up. Such counts are flagged as estimates
 * in the usage record (`usageEstimated`) and are never passed off as the provider's.
 *
 * - prompt: the text of the request's messages, at least one token per message (embeddings: per input; token
 *   arrays count exactly, one token per id);
 * - completion: the generated text the client was actually sent (content, refusals, reasoning and tool-call
 *   arguments), counted by the stream relay as it translates, or read from a JSON answer.
 */

import { withFields } from '../objects.js';
import type {
  ChatCompletion,
  ChatCompletionChunk,
  ChatCompletionRequest,
  EmbeddingsRequest,
  Usage,
} from '../wire/openai.js';

/** Estimated tokens of `chars` characters (UTF-16 code units): ceil(chars / 4). */
export function estimateTokens(chars: number): number {
  return Math.ceil(Math.max(0, chars) / 4);
}

/** Estimated prompt tokens of a chat request: per message, its text / 4 rounded up, and at least 1. */
export function estimateChatPromptTokens(request: Pick<ChatCompletionRequest, 'messages'>): number {
  let total = 0;
  for (const message of request.messages ?? []) {
    let chars = 0;
    const content = message.content;
    if (typeof content === 'string') chars += content.length;
    else if (Array.isArray(content)) {
      for (const part of content) {
        if (part.type === 'text' && typeof part.text === 'string') chars += part.text.length;
      }
    }
    // Tool calls replayed as history are text the model reads again.
    if (Array.isArray(message.tool_calls)) {
      for (const call of message.tool_calls) {
        const fn = (call as { function?: { name?: unknown; arguments?: unknown } } | null)?.function;
        if (typeof fn?.name === 'string') chars += fn.name.length;
        if (typeof fn?.arguments === 'string') chars += fn.arguments.length;
      }
    }
    total += Math.max(1, estimateTokens(chars));
  }
  return total;
}

/** Estimated prompt tokens of an embeddings request: text / 4 rounded up per input (at least 1); token ids count one each. */
export function estimateEmbeddingsPromptTokens(request: Pick<EmbeddingsRequest, 'input'>): number {
  const input: unknown = request.input;
  if (typeof input === 'string') return Math.max(1, estimateTokens(input.length));
  if (!Array.isArray(input)) return 0;
  // One array of token ids is one input already tokenised.
  if (input.every((item) => typeof item === 'number')) return input.length;
  let total = 0;
  for (const item of input) {
    if (typeof item === 'string') total += Math.max(1, estimateTokens(item.length));
    else if (Array.isArray(item)) total += item.length;
  }
  return total;
}

/** Characters of generated text in one chunk: content, refusal, reasoning and tool-call arguments. */
export function chunkGeneratedChars(chunk: ChatCompletionChunk): number {
  let chars = 0;
  for (const choice of chunk.choices) {
    const delta = choice.delta as ChatCompletionChunk['choices'][number]['delta'] & { refusal?: unknown };
    if (!delta) continue;
    if (typeof delta.content === 'string') chars += delta.content.length;
    if (typeof delta.refusal === 'string') chars += delta.refusal.length;
    if (typeof delta.reasoning_content === 'string') chars += delta.reasoning_content.length;
    if (Array.isArray(delta.tool_calls)) {
      for (const call of delta.tool_calls) {
        const args = call.function?.arguments;
        if (typeof args === 'string') chars += args.length;
      }
    }
  }
  return chars;
}

/** Characters of generated text in a whole answer's choices (the JSON form of `chunkGeneratedChars`). */
export function completionGeneratedChars(completion: unknown): number {
  const choices = (completion as Partial<ChatCompletion> | null)?.choices;
  if (!Array.isArray(choices)) return 0;
  let chars = 0;
  for (const choice of choices) {
    const message = (choice as { message?: Record<string, unknown> } | null)?.message;
    if (!message) continue;
    for (const field of ['content', 'refusal', 'reasoning_content', 'reasoning'] as const) {
      const value = message[field];
      if (typeof value === 'string') chars += value.length;
    }
    const calls = message.tool_calls;
    if (Array.isArray(calls)) {
      for (const call of calls) {
        const args = (call as { function?: { arguments?: unknown } } | null)?.function?.arguments;
        if (typeof args === 'string') chars += args.length;
      }
    }
  }
  return chars;
}

/** An estimated usage from a prompt estimate and the generated characters. */
export function estimatedUsage(promptTokens: number, generatedChars: number): Usage {
  const completionTokens = estimateTokens(generatedChars);
  return {
    prompt_tokens: promptTokens,
    completion_tokens: completionTokens,
    total_tokens: promptTokens + completionTokens,
  };
}

/** The usage to record, and whether any of it is estimated. */
export interface SettledUsage {
  usage: Usage;
  estimated: boolean;
}

/**
 * What to record for an answer: the provider's usage when it reported the whole of it; the estimate when it
 * reported none; and when it reported only an opening count (Anthropic's `message_start` carries the prompt and
 * a placeholder output count; a stream cut before `message_delta` never gets the real one), the provider's
 * prompt counts with the completion estimated from what was generated, flagged.
 */
export function settleUsage(
  reported: Usage | undefined,
  reportedCoversCompletion: boolean,
  promptTokens: () => number,
  generatedChars: number,
): SettledUsage {
  if (reported && reportedCoversCompletion) return { usage: reported, estimated: false };
  if (!reported) return { usage: estimatedUsage(promptTokens(), generatedChars), estimated: true };
  const completionTokens = Math.max(
    estimateTokens(generatedChars),
    typeof reported.completion_tokens === 'number' ? reported.completion_tokens : 0,
  );
  const { completion_tokens_details: _partial, ...rest } = reported;
  const promptCount = typeof reported.prompt_tokens === 'number' ? reported.prompt_tokens : promptTokens();
  return {
    usage: withFields(rest, {
      prompt_tokens: promptCount,
      completion_tokens: completionTokens,
      total_tokens: promptCount + completionTokens,
    }),
    estimated: true,
  };
}
