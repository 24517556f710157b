/**
 * OpenAI itself. The request is the client's own body with only `model` patched, sent to the entry's base
 * path (`/v1` by default); the answer is relayed as received. A streamed chat also gets
 * `stream_options.include_usage` set, so the stream ends with the provider's token counts (the data plane
 * removes that usage chunk for a client that did not ask for it). Embeddings' `dimensions` and
 * `encoding_format` are OpenAI's own parameters and travel untouched.
 */

import type { ChatCompletionRequest, EmbeddingsRequest } from '../../wire/openai.js';
import type { BuildInput, ProviderAdapter } from '../adapter.js';
import { passthroughBody, relayedRequest, withStreamUsage } from '../openai-wire/build-passthrough.js';
import { readOpenAIError } from '../openai-wire/read-openai-error.js';

function buildChat(input: BuildInput<ChatCompletionRequest>) {
  const { request, target } = input;
  const body = withStreamUsage(passthroughBody(input.bodyText, request.model, target.upstreamModel), request);
  return relayedRequest(`${target.basePath}/chat/completions`, body, request.stream === true, []);
}

function buildEmbeddings(input: BuildInput<EmbeddingsRequest>) {
  const { request, target } = input;
  const body = passthroughBody(input.bodyText, request.model, target.upstreamModel);
  return relayedRequest(`${target.basePath}/embeddings`, body, false, []);
}

/** The adapter for OpenAI's API. */
export const openaiAdapter: ProviderAdapter = {
  buildChat,
  buildEmbeddings,
  readError: (_status, text) => readOpenAIError(text),
};
