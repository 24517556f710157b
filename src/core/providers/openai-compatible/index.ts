/**
 * Self-hosted and third-party servers that speak OpenAI's API (vLLM, Ollama's `/v1`, TGI, llama.cpp server,
 * LM Studio). Junction cannot know which OpenAI parameters a given server honours, and these servers
 * generally ignore what they do not know, so the client's body goes through untouched apart from `model`,
 * with no warnings. Their error bodies vary (`{error:{...}}`, `{error:"..."}`, `{detail}`, `{message}`);
 * the shared reader understands all of them.
 */

import type { ChatCompletionRequest, EmbeddingsRequest } from '../../wire/openai.js';
import type { BuildInput, ProviderAdapter } from '../adapter.js';
import { passthroughBody, relayedRequest } from '../openai-wire/build-passthrough.js';
import { readOpenAIError } from '../openai-wire/read-openai-error.js';

function buildChat(input: BuildInput<ChatCompletionRequest>) {
  const { request, target } = input;
  const body = passthroughBody(input.bodyText, request.model, target.upstreamModel);
  return relayedRequest(`${target.basePath}/chat/completions`, body, request.stream === true, []);
}

function buildEmbeddings(input: BuildInput<EmbeddingsRequest>) {
  const { request, target } = input;
  const body = passthroughBody(input.bodyText, request.model, target.upstreamModel);
  return relayedRequest(`${target.basePath}/embeddings`, body, false, []);
}

/** The adapter for OpenAI-compatible servers. */
export const openaiCompatibleAdapter: ProviderAdapter = {
  buildChat,
  buildEmbeddings,
  readError: (_status, text) => readOpenAIError(text),
};
