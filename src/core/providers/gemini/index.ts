/**
 * The Gemini API adapter (Google AI Studio, https://ai.google.dev/api): chat via `generateContent` and
 * `streamGenerateContent?alt=sse`, embeddings via `batchEmbedContents`. Authentication (`x-goog-api-key`) is
 * added by the data plane. The translators are shared with the Vertex AI adapter, which only differs in paths.
 */
import type { ChatCompletionRequest, EmbeddingsRequest } from '../../wire/openai.js';
import type { AdapterTarget, BuildInput, BuildResult, ProviderAdapter } from '../adapter.js';
import { buildGenerateContentBody } from './build-request.js';
import { embeddingTexts, geminiEmbeddingsBody, parseGeminiEmbeddings } from './embeddings.js';
import { readGoogleError } from './map-error.js';
import { parseGeminiChat } from './parse-response.js';
import { createGeminiStreamMapper } from './stream-mapper.js';

export { buildGenerateContentBody } from './build-request.js';
export {
  embeddingTexts,
  parseGeminiEmbeddings,
  parseVertexEmbeddings,
  vertexEmbeddingsBody,
} from './embeddings.js';
export { readGoogleError } from './map-error.js';
export { parseGeminiChat } from './parse-response.js';
export { createGeminiStreamMapper } from './stream-mapper.js';

const JSON_HEADERS = { 'content-type': 'application/json' } as const;

/** The model name as it goes in a path; a `models/` prefix (Google's resource name form) is tolerated. */
export function modelSegment(upstreamModel: string): string {
  return encodeURIComponent(upstreamModel.replace(/^models\//, ''));
}

/** The method path of a model: `{basePath}/models/{model}:{method}`. */
function geminiPath(target: AdapterTarget, method: string): string {
  return `${target.basePath}/models/${modelSegment(target.upstreamModel)}:${method}`;
}

function buildChat(input: BuildInput<ChatCompletionRequest>): BuildResult {
  const built = buildGenerateContentBody(input.request, input.target.upstreamModel, 'gemini');
  if (!built.ok) return built;
  const stream = input.request.stream === true;
  return {
    ok: true,
    request: {
      method: 'POST',
      path: stream
        ? geminiPath(input.target, 'streamGenerateContent?alt=sse')
        : geminiPath(input.target, 'generateContent'),
      headers: JSON_HEADERS,
      body: JSON.stringify(built.body),
      framing: stream ? 'sse' : 'json',
    },
    warnings: built.warnings,
  };
}

function buildEmbeddings(input: BuildInput<EmbeddingsRequest>): BuildResult {
  const texts = embeddingTexts(input.request);
  if (!texts.ok) return texts;
  const model = input.target.upstreamModel.replace(/^models\//, '');
  return {
    ok: true,
    request: {
      method: 'POST',
      path: geminiPath(input.target, 'batchEmbedContents'),
      headers: JSON_HEADERS,
      body: JSON.stringify(geminiEmbeddingsBody(input.request, model, texts.texts)),
      framing: 'json',
    },
    warnings: [],
  };
}

/** The Gemini API adapter. */
export const geminiAdapter: ProviderAdapter = {
  buildChat,
  buildEmbeddings,
  parseChat: parseGeminiChat,
  createStreamMapper: createGeminiStreamMapper,
  parseEmbeddings: parseGeminiEmbeddings,
  readError: readGoogleError,
};
