/**
 * Azure OpenAI. The entry's base URL is the resource endpoint (`https://{resource}.openai.azure.com`); a
 * non-empty base path is kept as a prefix (an API Management gateway path), minus a trailing `/openai` or
 * `/openai/v1` that people paste from the portal. `settings.apiVersion` picks the API:
 *
 * - `v1` (or `preview`): the next-generation API, `{prefix}/openai/v1/chat/completions`, which follows
 *   OpenAI's current schema and takes the deployment name as `model`; the body is passed through.
 * - a dated version (default `2024-10-21`, the latest GA):
 *   `{prefix}/openai/deployments/{deployment}/chat/completions?api-version=…`. Azure ignores `model` in the
 *   body on these routes, so the client's bytes go untouched. Dated versions reject parameters newer than
 *   themselves ("Unrecognized request argument supplied"), so those are adapted per the version's schema,
 *   as published in Azure's API specs and changelog (see `chatFeatures`).
 *
 * Answers are OpenAI's format (with Azure's content-filter annotations) and are relayed as received. Streamed
 * chats ask for the final usage chunk (`stream_options.include_usage`) on every API that has it (v1, and dated
 * versions from 2024-09-01-preview / 2024-10-21); the data plane removes it for a client that did not ask.
 */
import { GatewayError } from '../../errors/gateway-error.js';
import { withFields } from '../../objects.js';
import type { ChatCompletionRequest, ChatMessage, EmbeddingsRequest } from '../../wire/openai.js';
import type { AdapterTarget, BuildInput, BuildResult, ProviderAdapter } from '../adapter.js';
import {
  editFields,
  type FieldPlan,
  passthroughBody,
  relayedRequest,
  serialiseBody,
  withStreamUsage,
} from '../openai-wire/build-passthrough.js';
import { readOpenAIError } from '../openai-wire/read-openai-error.js';

/** The latest generally available dated API version. */
export const DEFAULT_AZURE_API_VERSION = '2024-10-21';

/** When a request feature appeared: in a preview API version, and in a GA version (null: in none yet). */
interface Availability {
  readonly preview: string;
  readonly stable: string | null;
}

/**
 * Chat features newer than the oldest supported dated versions. From Azure's inference specs and API
 * lifecycle notes: structured outputs came in 2024-08-01-preview; max_completion_tokens,
 * parallel_tool_calls and stream_options in 2024-09-01-preview; all four are in the 2024-10-21 GA.
 * Stored completions (store, metadata) came in 2024-10-01-preview, reasoning_effort and the developer role
 * in 2024-12-01-preview, prediction, modalities and audio in 2025-01-01-preview; no dated GA has them.
 */
const chatFeatures = {
  json_schema: { preview: '2024-08-01', stable: '2024-10-21' },
  max_completion_tokens: { preview: '2024-09-01', stable: '2024-10-21' },
  parallel_tool_calls: { preview: '2024-09-01', stable: '2024-10-21' },
  stream_options: { preview: '2024-09-01', stable: '2024-10-21' },
  store: { preview: '2024-10-01', stable: null },
  metadata: { preview: '2024-10-01', stable: null },
  reasoning_effort: { preview: '2024-12-01', stable: null },
  developer_role: { preview: '2024-12-01', stable: null },
  prediction: { preview: '2025-01-01', stable: null },
  modalities: { preview: '2025-01-01', stable: null },
  audio: { preview: '2025-01-01', stable: null },
} as const satisfies Record<string, Availability>;

/** Embeddings `dimensions` and `encoding_format`: 2024-03-01-preview, GA since 2024-06-01. */
const embeddingFeature: Availability = { preview: '2024-03-01', stable: '2024-06-01' };

/** Fields dropped with a warning when the version predates them. */
const droppableChatFields = [
  'parallel_tool_calls',
  'stream_options',
  'store',
  'metadata',
  'reasoning_effort',
  'prediction',
  'modalities',
  'audio',
] as const;

type ApiStyle =
  | { readonly kind: 'next'; readonly query: string }
  | {
      readonly kind: 'dated';
      readonly version: string;
      readonly date: string | null;
      readonly preview: boolean;
    };

/** Which API the entry's `apiVersion` setting selects. */
function apiStyle(target: AdapterTarget): ApiStyle {
  const version = target.settings.apiVersion?.trim() || DEFAULT_AZURE_API_VERSION;
  if (version === 'v1') return { kind: 'next', query: '' };
  if (version === 'preview') return { kind: 'next', query: '?api-version=preview' };
  const match = /^(\d{4}-\d{2}-\d{2})(-preview)?$/.exec(version);
  // An unrecognised version string is sent as given, with nothing adapted: Azure is the judge of it.
  return { kind: 'dated', version, date: match?.[1] ?? null, preview: match?.[2] !== undefined };
}

function supports(style: Extract<ApiStyle, { kind: 'dated' }>, feature: Availability): boolean {
  if (style.date === null) return true;
  if (style.preview) return style.date >= feature.preview;
  return feature.stable !== null && style.date >= feature.stable;
}

/** The base path without a trailing `/openai` or `/openai/v1` (the adapter adds those itself). */
function prefixOf(target: AdapterTarget): string {
  return target.basePath.replace(/\/+$/, '').replace(/\/openai(\/v1)?$/, '');
}

function datedPath(target: AdapterTarget, style: { version: string }, operation: string): string {
  const deployment = encodeURIComponent(target.upstreamModel);
  const version = encodeURIComponent(style.version);
  return `${prefixOf(target)}/openai/deployments/${deployment}/${operation}?api-version=${version}`;
}

function buildChat(input: BuildInput<ChatCompletionRequest>): BuildResult {
  const { request, target } = input;
  const stream = request.stream === true;
  const style = apiStyle(target);
  if (style.kind === 'next') {
    const body = withStreamUsage(
      passthroughBody(input.bodyText, request.model, target.upstreamModel),
      request,
    );
    return relayedRequest(`${prefixOf(target)}/openai/v1/chat/completions${style.query}`, body, stream, []);
  }

  const label = `azure-openai API version ${style.version}`;
  const format = request.response_format;
  const isJsonSchema =
    typeof format === 'object' && format !== null && 'type' in format && format.type === 'json_schema';
  if (isJsonSchema && !supports(style, chatFeatures.json_schema)) {
    const message = `response_format json_schema (structured outputs) needs Azure OpenAI API version ${chatFeatures.json_schema.stable} (or ${chatFeatures.json_schema.preview}-preview) or later; this entry uses ${style.version}`;
    return {
      ok: false,
      error: new GatewayError('unsupported_parameter', message, { param: 'response_format' }),
    };
  }

  const plan: FieldPlan = {
    label,
    // Before max_completion_tokens existed, max_tokens was the same limit under its older name.
    renamed: supports(style, chatFeatures.max_completion_tokens)
      ? {}
      : { max_completion_tokens: 'max_tokens' },
    unsupported: droppableChatFields.filter((field) => !supports(style, chatFeatures[field])),
  };
  const edit = editFields(request, plan);
  let fields = edit.fields;
  if (!supports(style, chatFeatures.developer_role) && request.messages.some((m) => m.role === 'developer')) {
    // The developer role is OpenAI's newer name for the system role; older versions know only `system`.
    const messages = request.messages.map(
      (message): ChatMessage =>
        message.role === 'developer' ? withFields(message, { role: 'system' as const }) : message,
    );
    fields = withFields(fields ?? request, { messages });
  }
  let body = serialiseBody(input.bodyText, request.model, fields, undefined);
  // Versions that have stream_options report a stream's usage when asked; older ones cannot be asked.
  if (supports(style, chatFeatures.stream_options)) body = withStreamUsage(body, request);
  return relayedRequest(datedPath(target, style, 'chat/completions'), body, stream, edit.warnings);
}

function buildEmbeddings(input: BuildInput<EmbeddingsRequest>): BuildResult {
  const { request, target } = input;
  const style = apiStyle(target);
  if (style.kind === 'next') {
    const body = passthroughBody(input.bodyText, request.model, target.upstreamModel);
    return relayedRequest(`${prefixOf(target)}/openai/v1/embeddings${style.query}`, body, false, []);
  }
  const plan: FieldPlan = {
    label: `azure-openai API version ${style.version}`,
    unsupported: supports(style, embeddingFeature) ? [] : ['dimensions', 'encoding_format'],
  };
  const edit = editFields(request, plan);
  const body = serialiseBody(input.bodyText, request.model, edit.fields, undefined);
  return relayedRequest(datedPath(target, style, 'embeddings'), body, false, edit.warnings);
}

/** The adapter for Azure OpenAI (dated and v1 APIs). */
export const azureOpenAIAdapter: ProviderAdapter = {
  buildChat,
  buildEmbeddings,
  readError: (_status, text) => readOpenAIError(text),
};
