/**
 * Gemini `finishReason` → OpenAI `finish_reason`
 * (https://ai.google.dev/api/generate-content#FinishReason).
 */
import type { FinishReason } from '../../wire/openai.js';

/** Reasons meaning the answer was withheld or cut by a filter rather than finished by the model. */
const filtered = new Set([
  'SAFETY',
  'RECITATION',
  'BLOCKLIST',
  'PROHIBITED_CONTENT',
  'SPII',
  'IMAGE_SAFETY',
  'IMAGE_PROHIBITED_CONTENT',
  'IMAGE_RECITATION',
  'MODEL_ARMOR',
]);

/**
 * Maps a finish reason. Gemini says STOP after function calls too, so the caller tells whether the candidate
 * called functions; unknown reasons (OTHER, MALFORMED_FUNCTION_CALL, …) read as a normal stop.
 */
export function mapGeminiFinishReason(reason: string | undefined, calledFunctions: boolean): FinishReason {
  if (reason === 'MAX_TOKENS') return 'length';
  if (reason !== undefined && filtered.has(reason)) return 'content_filter';
  return calledFunctions ? 'tool_calls' : 'stop';
}

/** The explanation given when Google blocked the prompt itself and produced no candidate. */
export function blockedPromptMessage(blockReason: string, detail: string | undefined): string {
  const why = detail ? `: ${detail}` : '';
  return `The provider blocked the prompt (${blockReason})${why}`;
}
