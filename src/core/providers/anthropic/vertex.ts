/**
 * Claude on Google Vertex AI: the Anthropic translators with Vertex's framing
 * (https://platform.claude.com/docs/en/build-with-claude/claude-on-vertex-ai). The model is named in the path
 * instead of the body, `anthropic_version` moves from a header into the body, and Google authentication is
 * the auth decorator's business. The Vertex adapter calls `buildVertexAnthropicChat` for `claude*` models.
 */
import { GatewayError } from '../../errors/gateway-error.js';
import type { ChatCompletionRequest } from '../../wire/openai.js';
import type { BuildInput, BuildResult, ProviderAdapter } from '../adapter.js';
import { translateChatRequest } from './build-request.js';
import { readAnthropicError } from './map-error.js';
import { parseAnthropicChat } from './parse-response.js';
import { createAnthropicStreamMapper } from './stream-mapper.js';

/** The body version Vertex requires in place of the `anthropic-version` header. */
export const VERTEX_ANTHROPIC_VERSION = 'vertex-2023-10-16';

/** Whether a Vertex model is a Claude model, served through Anthropic's wire format. */
export function isVertexAnthropicModel(upstreamModel: string): boolean {
  return upstreamModel.toLowerCase().startsWith('claude');
}

/** Vertex model versions are written `claude-…@20250929`; the `@` stays readable in the path. */
function pathSegment(value: string): string {
  return encodeURIComponent(value).replace(/%40/g, '@');
}

function missingSetting(providerId: string, setting: string): BuildResult {
  return {
    ok: false,
    error: new GatewayError(
      'backend_misconfigured',
      `provider entry '${providerId}' has no ${setting}, which Claude on Vertex needs`,
      { param: setting },
    ),
  };
}

/**
 * `POST <basePath or /v1>/projects/{project}/locations/{region}/publishers/anthropic/models/{model}:rawPredict`
 * (`:streamRawPredict` when streaming), with the Anthropic body minus `model`, plus `anthropic_version`.
 */
export function buildVertexAnthropicChat(input: BuildInput<ChatCompletionRequest>): BuildResult {
  const { target } = input;
  const project = target.settings.projectId;
  if (!project) return missingSetting(target.providerId, 'settings.projectId');
  if (!target.region) return missingSetting(target.providerId, 'region');
  const translated = translateChatRequest(input.request, target);
  if (!translated.ok) return translated;
  const { model: _model, ...rest } = translated.body;
  const body = { anthropic_version: VERTEX_ANTHROPIC_VERSION, ...rest };
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (target.settings.anthropicBeta) headers['anthropic-beta'] = target.settings.anthropicBeta;
  const method = body.stream ? 'streamRawPredict' : 'rawPredict';
  const base = target.basePath || '/v1';
  const path =
    `${base}/projects/${pathSegment(project)}/locations/${pathSegment(target.region)}` +
    `/publishers/anthropic/models/${pathSegment(target.upstreamModel)}:${method}`;
  return {
    ok: true,
    request: {
      method: 'POST',
      path,
      headers,
      body: JSON.stringify(body),
      framing: body.stream ? 'sse' : 'json',
    },
    warnings: translated.warnings,
  };
}

/** Vertex answers Claude requests in Anthropic's own format, so the Anthropic readers apply unchanged. */
export {
  createAnthropicStreamMapper as createVertexAnthropicStreamMapper,
  parseAnthropicChat as parseVertexAnthropicChat,
  readAnthropicError as readVertexAnthropicError,
};

/** The full adapter for a Vertex entry's Claude models, for a Vertex adapter to delegate to. */
export const vertexAnthropicAdapter: ProviderAdapter = {
  buildChat: buildVertexAnthropicChat,
  parseChat: parseAnthropicChat,
  createStreamMapper: createAnthropicStreamMapper,
  readError: readAnthropicError,
};
