/** Anthropic token counts → OpenAI `usage`. */

import { withFields } from '../../objects.js';
import type { Usage } from '../../wire/openai.js';
import type { AnthropicUsage } from './wire.js';

const count = (value: number | null | undefined): number =>
  typeof value === 'number' && Number.isFinite(value) ? value : 0;

/**
 * Anthropic reports uncached input, cache reads and cache writes separately; OpenAI's `prompt_tokens` is
 * everything the prompt held, with the cached part broken out.
 */
export function mapAnthropicUsage(usage: AnthropicUsage): Usage {
  const cacheRead = count(usage.cache_read_input_tokens);
  const cacheWrite = count(usage.cache_creation_input_tokens);
  const promptTokens = count(usage.input_tokens) + cacheRead + cacheWrite;
  const completionTokens = count(usage.output_tokens);
  const result: Usage = {
    prompt_tokens: promptTokens,
    completion_tokens: completionTokens,
    total_tokens: promptTokens + completionTokens,
  };
  if (cacheRead > 0 || cacheWrite > 0) {
    result.prompt_tokens_details = { cached_tokens: cacheRead };
    if (cacheWrite > 0) result.prompt_tokens_details.cache_write_tokens = cacheWrite;
  }
  const thinkingTokens = usage.output_tokens_details?.thinking_tokens;
  if (typeof thinkingTokens === 'number') {
    result.completion_tokens_details = { reasoning_tokens: thinkingTokens };
  }
  return result;
}

/** Folds a later usage report into an earlier one: fields the later one leaves null keep their value. */
export function mergeAnthropicUsage(earlier: AnthropicUsage, later: AnthropicUsage): AnthropicUsage {
  const merged: AnthropicUsage = withFields(earlier, {});
  for (const key of [
    'input_tokens',
    'output_tokens',
    'cache_creation_input_tokens',
    'cache_read_input_tokens',
  ] as const) {
    const value = later[key];
    if (typeof value === 'number') merged[key] = value;
  }
  if (later.output_tokens_details) merged.output_tokens_details = later.output_tokens_details;
  return merged;
}
