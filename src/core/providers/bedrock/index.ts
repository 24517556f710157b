/**
 * The Amazon Bedrock runtime adapter: Converse / ConverseStream for chat (the OpenAI-compatible endpoint for
 * the `openai.*` models), InvokeModel for Titan and Cohere embeddings. Requests are signed with SigV4 (or a
 * Bedrock API key) by the data plane's auth decorator, not here.
 */
import type { ProviderAdapter } from '../adapter.js';
import { buildBedrockChat } from './build-request.js';
import { buildBedrockEmbeddings, parseBedrockEmbeddings } from './embeddings.js';
import { readBedrockError } from './map-error.js';
import { parseBedrockChat } from './parse-response.js';
import { createBedrockStreamMapper } from './stream-mapper.js';

export const bedrockAdapter: ProviderAdapter = {
  buildChat: buildBedrockChat,
  buildEmbeddings: buildBedrockEmbeddings,
  parseChat: parseBedrockChat,
  createStreamMapper: createBedrockStreamMapper,
  parseEmbeddings: parseBedrockEmbeddings,
  readError: readBedrockError,
};
