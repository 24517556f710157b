/**
 * OpenAI embeddings ↔ Google: the Gemini API's `batchEmbedContents`
 * (https://ai.google.dev/api/embeddings#method:-models.batchembedcontents) and Vertex AI's `predict` for text
 * embedding models (https://cloud.google.com/vertex-ai/generative-ai/docs/model-reference/text-embeddings-api).
 */
import { GatewayError } from '../../errors/gateway-error.js';
import { withFields } from '../../objects.js';
import type { EmbeddingsRequest, EmbeddingsResponse } from '../../wire/openai.js';
import type { ParseResult, ResponseContext } from '../adapter.js';
import type {
  GeminiBatchEmbedRequest,
  GeminiBatchEmbedResponse,
  VertexPredictRequest,
  VertexPredictResponse,
} from './wire.js';

type TextsResult = { ok: true; texts: string[] } | { ok: false; error: GatewayError };

/** The inputs as texts; Google embeds text only, so token-id inputs are refused. */
export function embeddingTexts(request: EmbeddingsRequest): TextsResult {
  const input = request.input;
  if (typeof input === 'string') return { ok: true, texts: [input] };
  if (Array.isArray(input) && input.every((item) => typeof item === 'string')) {
    return { ok: true, texts: input as string[] };
  }
  return {
    ok: false,
    error: new GatewayError(
      'unsupported_parameter',
      'Google embedding models take text input, not token ids',
      {
        param: 'input',
      },
    ),
  };
}

const dimensionsOf = (request: EmbeddingsRequest): number | undefined =>
  typeof request.dimensions === 'number' ? request.dimensions : undefined;

/** The `batchEmbedContents` body: one request per input, each naming the model again. */
export function geminiEmbeddingsBody(
  request: EmbeddingsRequest,
  model: string,
  texts: string[],
): GeminiBatchEmbedRequest {
  const dimensions = dimensionsOf(request);
  return {
    requests: texts.map((text) => ({
      model: `models/${model}`,
      content: { parts: [{ text }] },
      ...(dimensions === undefined ? {} : { outputDimensionality: dimensions }),
    })),
  };
}

/**
 * The Vertex `predict` body. autoTruncate is off so an over-long input fails as it does with OpenAI, instead of
 * being silently cut.
 */
export function vertexEmbeddingsBody(request: EmbeddingsRequest, texts: string[]): VertexPredictRequest {
  const dimensions = dimensionsOf(request);
  return {
    instances: texts.map((content) => ({ content })),
    parameters: {
      autoTruncate: false,
      ...(dimensions === undefined ? {} : { outputDimensionality: dimensions }),
    },
  };
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const isVector = (value: unknown): value is number[] =>
  Array.isArray(value) && value.length > 0 && value.every((item) => typeof item === 'number');

function answer(
  vectors: number[][],
  tokens: number | undefined,
  context: ResponseContext,
): EmbeddingsResponse {
  return {
    object: 'list',
    data: vectors.map((embedding, index) => ({ object: 'embedding', index, embedding })),
    model: context.requestedModel,
    usage: { prompt_tokens: tokens ?? 0, total_tokens: tokens ?? 0 },
  };
}

function badResponse(why: string): { ok: false; error: GatewayError } {
  return {
    ok: false,
    error: new GatewayError('upstream_bad_response', `Google embeddings answer not understood: ${why}`),
  };
}

function parseJson(text: string): Record<string, unknown> | undefined {
  try {
    const parsed: unknown = JSON.parse(text);
    return isObject(parsed) ? parsed : undefined;
  } catch {
    return undefined;
  }
}

/** Parses `batchEmbedContents`; the Gemini API reports no token counts, so usage stays unknown. */
export function parseGeminiEmbeddings(
  text: string,
  context: ResponseContext,
): ParseResult<EmbeddingsResponse> {
  const body = parseJson(text) as GeminiBatchEmbedResponse | undefined;
  if (!body || !Array.isArray(body.embeddings)) return badResponse('no embeddings list');
  const vectors: number[][] = [];
  for (const embedding of body.embeddings) {
    if (!isObject(embedding) || !isVector(embedding.values)) return badResponse('an embedding has no values');
    vectors.push(embedding.values);
  }
  return { ok: true, body: answer(vectors, undefined, context), usage: undefined };
}

/** Parses Vertex `predict`; each prediction reports its input's token count. */
export function parseVertexEmbeddings(
  text: string,
  context: ResponseContext,
): ParseResult<EmbeddingsResponse> {
  const body = parseJson(text) as VertexPredictResponse | undefined;
  if (!body || !Array.isArray(body.predictions)) return badResponse('no predictions list');
  const vectors: number[][] = [];
  let tokens: number | undefined;
  for (const prediction of body.predictions) {
    const embeddings =
      isObject(prediction) && isObject(prediction.embeddings) ? prediction.embeddings : undefined;
    if (!embeddings || !isVector(embeddings.values))
      return badResponse('a prediction has no embedding values');
    vectors.push(embeddings.values);
    const count = isObject(embeddings.statistics) ? embeddings.statistics.token_count : undefined;
    if (typeof count === 'number') tokens = (tokens ?? 0) + count;
  }
  const response = answer(vectors, tokens, context);
  return {
    ok: true,
    body: response,
    usage: tokens === undefined ? undefined : withFields(response.usage, { completion_tokens: 0 }),
  };
}
