/**
 * The Vertex AI adapter: Gemini models through the same translators as the Gemini API, on Vertex paths
 * (`/v1/projects/{project}/locations/{region}/publishers/google/models/{model}:…`), and text embeddings through
 * `:predict`. Claude models on Vertex are served by the Anthropic translator handed to createVertexAdapter;
 * every call dispatches on the upstream model, so a Claude request is built, parsed and streamed by it alone.
 * Authentication (an OAuth bearer token) is added by the data plane.
 */
import { GatewayError } from '../../errors/gateway-error.js';
import type { ChatCompletionRequest, EmbeddingsRequest } from '../../wire/openai.js';
import type {
  AdapterTarget,
  BuildInput,
  BuildResult,
  ProviderAdapter,
  ResponseContext,
  UpstreamErrorDetail,
} from '../adapter.js';
import {
  buildGenerateContentBody,
  createGeminiStreamMapper,
  embeddingTexts,
  modelSegment,
  parseGeminiChat,
  parseVertexEmbeddings,
  readGoogleError,
  vertexEmbeddingsBody,
} from '../gemini/index.js';

const JSON_HEADERS = { 'content-type': 'application/json' } as const;

/** Whether an upstream model is one of Anthropic's (served on Vertex in Anthropic's own format). */
export function isClaudeModel(upstreamModel: string): boolean {
  return upstreamModel.toLowerCase().startsWith('claude');
}

/**
 * `{basePath}/v1/projects/{project}/locations/{region}/publishers/google/models/{model}:{method}`, or the
 * error naming what the entry lacks. `global` is a valid region (served from aiplatform.googleapis.com).
 */
export function vertexModelPath(
  target: AdapterTarget,
  publisher: string,
  method: string,
): string | GatewayError {
  const project = target.settings.projectId;
  if (!project) {
    return new GatewayError(
      'invalid_configuration',
      `The Vertex AI entry ${target.providerId} has no projectId: set it, or use a service-account key with a project_id`,
    );
  }
  if (!target.region) {
    return new GatewayError(
      'invalid_configuration',
      `The Vertex AI entry ${target.providerId} has no region`,
    );
  }
  const location = `projects/${encodeURIComponent(project)}/locations/${encodeURIComponent(target.region)}`;
  return `${target.basePath}/v1/${location}/publishers/${publisher}/models/${modelSegment(target.upstreamModel)}:${method}`;
}

function buildGeminiChat(input: BuildInput<ChatCompletionRequest>): BuildResult {
  const stream = input.request.stream === true;
  const path = vertexModelPath(
    input.target,
    'google',
    stream ? 'streamGenerateContent?alt=sse' : 'generateContent',
  );
  if (path instanceof GatewayError) return { ok: false, error: path };
  const built = buildGenerateContentBody(input.request, input.target.upstreamModel, 'vertex');
  if (!built.ok) return built;
  return {
    ok: true,
    request: {
      method: 'POST',
      path,
      headers: JSON_HEADERS,
      body: JSON.stringify(built.body),
      framing: stream ? 'sse' : 'json',
    },
    warnings: built.warnings,
  };
}

function buildEmbeddings(input: BuildInput<EmbeddingsRequest>): BuildResult {
  const path = vertexModelPath(input.target, 'google', 'predict');
  if (path instanceof GatewayError) return { ok: false, error: path };
  const texts = embeddingTexts(input.request);
  if (!texts.ok) return texts;
  return {
    ok: true,
    request: {
      method: 'POST',
      path,
      headers: JSON_HEADERS,
      body: JSON.stringify(vertexEmbeddingsBody(input.request, texts.texts)),
      framing: 'json',
    },
    warnings: [],
  };
}

/** The Vertex adapter, with Claude requests handed to `claude` (refused when it is absent). */
export function createVertexAdapter(claude?: ProviderAdapter): ProviderAdapter {
  const claudeFor = (target: AdapterTarget): ProviderAdapter | undefined =>
    isClaudeModel(target.upstreamModel) ? claude : undefined;

  const buildChat = (input: BuildInput<ChatCompletionRequest>): BuildResult => {
    if (!isClaudeModel(input.target.upstreamModel)) return buildGeminiChat(input);
    if (claude) return claude.buildChat(input);
    return {
      ok: false,
      error: new GatewayError(
        'unsupported_parameter',
        `Claude on Vertex is not available in this build: ${input.target.upstreamModel} cannot be served by ${input.target.providerId}`,
        { param: 'model' },
      ),
    };
  };

  const parseChat = (text: string, context: ResponseContext) => {
    const other = claudeFor(context.target);
    return other?.parseChat ? other.parseChat(text, context) : parseGeminiChat(text, context);
  };

  const createStreamMapper = (context: ResponseContext) => {
    const other = claudeFor(context.target);
    return other?.createStreamMapper ? other.createStreamMapper(context) : createGeminiStreamMapper(context);
  };

  // readError has no target: Google's shape is tried first, then Anthropic's (Claude's own errors).
  const readError = (status: number, text: string): UpstreamErrorDetail => {
    const google = readGoogleError(status, text);
    if (google.providerCode === undefined && claude) {
      const anthropic = claude.readError(status, text);
      if (anthropic.message !== undefined) return anthropic;
    }
    return google;
  };

  return {
    buildChat,
    buildEmbeddings,
    parseChat,
    createStreamMapper,
    parseEmbeddings: parseVertexEmbeddings,
    readError,
  };
}

/** Vertex with Gemini models only; the lead composes the Claude translator in with createVertexAdapter. */
export const vertexAdapter: ProviderAdapter = createVertexAdapter();
