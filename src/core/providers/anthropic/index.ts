/**
 * The Anthropic Messages API adapter. Claude on Google Vertex reuses the same translators through vertex.ts.
 */
import type { ProviderAdapter } from '../adapter.js';
import { buildAnthropicChat } from './build-request.js';
import { readAnthropicError } from './map-error.js';
import { parseAnthropicChat } from './parse-response.js';
import { createAnthropicStreamMapper } from './stream-mapper.js';

/** Translators for entries of type `anthropic`. */
export const anthropicAdapter: ProviderAdapter = {
  buildChat: buildAnthropicChat,
  parseChat: parseAnthropicChat,
  createStreamMapper: createAnthropicStreamMapper,
  readError: readAnthropicError,
};

export { buildAnthropicChat, translateChatRequest } from './build-request.js';
export { readAnthropicError } from './map-error.js';
export { parseAnthropicChat } from './parse-response.js';
export { createAnthropicStreamMapper } from './stream-mapper.js';
