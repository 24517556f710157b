/**
 * Embeddings on Bedrock go through InvokeModel, whose body is the model vendor's own format: Amazon Titan Text
 * Embeddings (one text per call) and Cohere Embed (up to 96 texts per call).
 */
import { GatewayError } from '../../errors/gateway-error.js';
import { approximateTokens } from '../../text/approximate-tokens.js';
import type { EmbeddingsRequest, EmbeddingsResponse } from '../../wire/openai.js';
import type { BuildInput, BuildResult, ParseResult, ResponseContext } from '../adapter.js';
import { modelPath } from './build-request.js';
import {
  type CohereEmbeddingRequest,
  type CohereEmbeddingResponse,
  isRecord,
  type TitanEmbeddingRequest,
  type TitanEmbeddingResponse,
} from './wire.js';

const PROVIDER = 'bedrock';
const COHERE_MAX_TEXTS = 96;
const TITAN_V2_DIMENSIONS = [256, 512, 1024];
const COHERE_V4_DIMENSIONS = [256, 512, 1024, 1536];

type Family = 'titan' | 'cohere';

/** The embedding model family of a Bedrock model id (region-prefixed inference profiles included). */
function familyOf(modelId: string): Family | undefined {
  if (modelId.includes('amazon.titan-embed')) return 'titan';
  if (modelId.includes('cohere.embed')) return 'cohere';
  return undefined;
}

function refuse(param: string, message: string): BuildResult {
  return { ok: false, error: new GatewayError('unsupported_parameter', message, { param }) };
}

/** Builds the InvokeModel request for an embeddings request. */
export function buildBedrockEmbeddings(input: BuildInput<EmbeddingsRequest>): BuildResult {
  const { request, target } = input;
  const model = target.upstreamModel;
  const family = familyOf(model);
  if (!family) {
    return refuse(
      'model',
      `${model} is not an embedding model Junction can call on ${PROVIDER} (Titan or Cohere)`,
    );
  }
  const texts = inputTexts(request.input);
  if (!texts) {
    return refuse('input', `${PROVIDER} embeds text only: send input as a string or an array of strings`);
  }
  // encoding_format: the gateway encodes the parsed floats as base64 when the client asked for it.
  const warnings: string[] = [];
  const dimensions = request.dimensions;
  let body: TitanEmbeddingRequest | CohereEmbeddingRequest;
  if (family === 'titan') {
    if (texts.length !== 1) {
      return refuse(
        'input',
        `${model} embeds one input per request on ${PROVIDER}; send ${texts.length} separate requests, or use a Cohere embedding model, which takes up to ${COHERE_MAX_TEXTS} inputs`,
      );
    }
    const titan: TitanEmbeddingRequest = { inputText: texts[0]! };
    if (model.includes('titan-embed-text-v2')) {
      if (typeof dimensions === 'number') {
        if (!TITAN_V2_DIMENSIONS.includes(dimensions)) {
          return refuse('dimensions', `${model} supports dimensions ${TITAN_V2_DIMENSIONS.join(', ')} only`);
        }
        titan.dimensions = dimensions;
      }
      titan.normalize = true;
    } else if (typeof dimensions === 'number') {
      warnings.push(`dimensions is not supported by ${model} on ${PROVIDER} and was ignored`);
    }
    body = titan;
  } else {
    if (texts.length > COHERE_MAX_TEXTS) {
      return refuse('input', `${model} takes at most ${COHERE_MAX_TEXTS} inputs per request on ${PROVIDER}`);
    }
    const cohere: CohereEmbeddingRequest = {
      texts,
      input_type: target.settings.inputType ?? 'search_document',
    };
    if (target.settings.truncate) cohere.truncate = target.settings.truncate;
    if (typeof dimensions === 'number') {
      if (model.includes('embed-v4')) {
        if (!COHERE_V4_DIMENSIONS.includes(dimensions)) {
          return refuse('dimensions', `${model} supports dimensions ${COHERE_V4_DIMENSIONS.join(', ')} only`);
        }
        cohere.output_dimension = dimensions;
      } else {
        warnings.push(`dimensions is not supported by ${model} on ${PROVIDER} and was ignored`);
      }
    }
    body = cohere;
  }
  return {
    ok: true,
    request: {
      method: 'POST',
      path: modelPath(target.basePath, model, 'invoke'),
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify(body),
      framing: 'json',
    },
    warnings,
  };
}

/** The input as texts; token-id arrays have no meaning to Bedrock's models. */
function inputTexts(input: EmbeddingsRequest['input']): string[] | undefined {
  if (typeof input === 'string') return [input];
  if (Array.isArray(input) && input.length > 0 && input.every((item) => typeof item === 'string')) {
    return input as string[];
  }
  return undefined;
}

function badResponse(why: string): ParseResult<EmbeddingsResponse> {
  return {
    ok: false,
    error: new GatewayError('upstream_bad_response', `Bedrock sent an unreadable answer: ${why}`),
  };
}

function isVector(value: unknown): value is number[] {
  return Array.isArray(value) && value.every((item) => typeof item === 'number');
}

/** Parses an InvokeModel embeddings answer into OpenAI's list shape. */
export function parseBedrockEmbeddings(
  text: string,
  context: ResponseContext,
): ParseResult<EmbeddingsResponse> {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return badResponse('the body is not JSON');
  }
  if (!isRecord(body)) return badResponse('the body is not a JSON object');
  let vectors: number[][];
  let tokens: number;
  if (familyOf(context.target.upstreamModel) === 'cohere') {
    const cohere = body as CohereEmbeddingResponse;
    const embeddings = Array.isArray(cohere.embeddings) ? cohere.embeddings : cohere.embeddings?.float;
    if (!Array.isArray(embeddings) || !embeddings.every(isVector))
      return badResponse('embeddings is missing');
    vectors = embeddings;
    // Cohere on Bedrock reports no token count; estimate it from the texts it echoes back.
    tokens = (Array.isArray(cohere.texts) ? cohere.texts : []).reduce(
      (sum, item) => sum + (typeof item === 'string' ? approximateTokens(item) : 0),
      0,
    );
  } else {
    const titan = body as TitanEmbeddingResponse;
    if (!isVector(titan.embedding)) return badResponse('embedding is missing');
    vectors = [titan.embedding];
    tokens = typeof titan.inputTextTokenCount === 'number' ? titan.inputTextTokenCount : 0;
  }
  const response: EmbeddingsResponse = {
    object: 'list',
    data: vectors.map((embedding, index) => ({ object: 'embedding', index, embedding })),
    model: context.requestedModel,
    usage: { prompt_tokens: tokens, total_tokens: tokens },
  };
  return {
    ok: true,
    body: response,
    usage: { prompt_tokens: tokens, completion_tokens: 0, total_tokens: tokens },
  };
}
