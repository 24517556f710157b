/** Each provider type's adapter. The echo provider answers in-process in OpenAI's format. */
import type { ProviderType } from '../snapshot/source.js';
import type { ProviderAdapter } from './adapter.js';
import { anthropicAdapter } from './anthropic/index.js';
import { vertexAnthropicAdapter } from './anthropic/vertex.js';
import { azureOpenAIAdapter } from './azure-openai/index.js';
import { bedrockAdapter } from './bedrock/index.js';
import { geminiAdapter } from './gemini/index.js';
import { mistralAdapter } from './mistral/index.js';
import { openaiAdapter } from './openai/index.js';
import { openaiCompatibleAdapter } from './openai-compatible/index.js';
import { createVertexAdapter } from './vertex/index.js';

const adapters: Record<ProviderType, ProviderAdapter> = {
  openai: openaiAdapter,
  'azure-openai': azureOpenAIAdapter,
  anthropic: anthropicAdapter,
  bedrock: bedrockAdapter,
  // Claude on Vertex is the Anthropic translator on Vertex paths; Gemini models use Google's translator.
  vertex: createVertexAdapter(vertexAnthropicAdapter),
  gemini: geminiAdapter,
  mistral: mistralAdapter,
  'openai-compatible': openaiCompatibleAdapter,
  echo: openaiCompatibleAdapter,
};

/** The adapter of a provider type. */
export function adapterFor(type: ProviderType): ProviderAdapter {
  return adapters[type];
}
