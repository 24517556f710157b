/**
 * Token estimates for when a provider reports no usage (e.g. the in-process echo provider, or a stream cut
 * before its usage chunk). They are deliberately crude (about four characters per token, OpenAI's rule of
 * thumb for English) and must never be presented as exact counts.
 */
import type { ChatMessage } from '../wire/openai.js';

/** OpenAI's chat format costs about this many tokens per message for the role and separators. */
const TOKENS_PER_MESSAGE = 3;
/** Tokens OpenAI adds once per request to prime the assistant's reply. */
const TOKENS_PER_REPLY_PRIMING = 3;
/** An image's cost varies with size and detail; this is OpenAI's price of a low-detail image. */
const TOKENS_PER_IMAGE = 85;

/** Estimated token count of a text: ceil(UTF-16 length / 4), so at least 1 for any non-empty text. */
export function approximateTokens(text: string): number {
  return Math.ceil(text.length / 4);
}

/** Estimated prompt tokens of a chat request's messages, including OpenAI's per-message overhead. */
export function approximatePromptTokens(messages: readonly ChatMessage[]): number {
  let total = TOKENS_PER_REPLY_PRIMING;
  for (const message of messages) {
    total += TOKENS_PER_MESSAGE;
    const content = message.content;
    if (typeof content === 'string') {
      total += approximateTokens(content);
    } else if (Array.isArray(content)) {
      for (const part of content) {
        if (part.type === 'text' && typeof part.text === 'string') total += approximateTokens(part.text);
        else if (part.type === 'image_url') total += TOKENS_PER_IMAGE;
      }
    }
    if (typeof message.name === 'string') total += approximateTokens(message.name);
    // Tool calls are arguments the model produced, so they count when replayed as history.
    if (Array.isArray(message.tool_calls) && message.tool_calls.length > 0) {
      total += approximateTokens(jsonText(message.tool_calls));
    }
  }
  return total;
}

/** JSON text of a client-sent value, or '' when it cannot be serialised (nested deeper than the stack allows). */
function jsonText(value: unknown): string {
  try {
    return JSON.stringify(value) ?? '';
  } catch {
    return '';
  }
}
