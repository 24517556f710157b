/**
 * Mistral's La Plateforme. Its chat and embeddings APIs answer in OpenAI's format (relayed as received), but
 * its request schema is strict: any field it does not know is a 422 ("Extra inputs are not permitted"), at
 * the top level and inside messages. So requests are checked against the fields Mistral accepts (per its
 * published API schema): OpenAI spellings are renamed (`max_completion_tokens` → `max_tokens`, `seed` →
 * `random_seed`, `dimensions` → `output_dimension`), fields Mistral lacks are dropped with a warning, and
 * tool call ids from other providers are rewritten to the 9 alphanumerics Mistral requires. A request that
 * needs none of this is forwarded as the client's own bytes with only `model` patched.
 *
 * `stream_options` is dropped silently: Mistral rejects `include_usage` but always reports usage on its last
 * stream chunk, so the client still gets the usage it asked for.
 */
import { GatewayError } from '../../errors/gateway-error.js';
import { withFields } from '../../objects.js';
import type { ChatCompletionRequest, ChatMessage, EmbeddingsRequest } from '../../wire/openai.js';
import type { BuildInput, BuildResult, ProviderAdapter } from '../adapter.js';
import {
  editFields,
  type FieldPlan,
  relayedRequest,
  serialiseBody,
  unsupportedWarning,
} from '../openai-wire/build-passthrough.js';
import { readOpenAIError } from '../openai-wire/read-openai-error.js';

const LABEL = 'mistral';

type JsonObject = Record<string, unknown>;

const isObject = (value: unknown): value is JsonObject =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const chatPlan: FieldPlan = {
  label: LABEL,
  renamed: { max_completion_tokens: 'max_tokens', seed: 'random_seed' },
  ignored: ['stream_options'],
  accepted: new Set([
    'model',
    'messages',
    'temperature',
    'top_p',
    'max_tokens',
    'stream',
    'stop',
    'random_seed',
    'metadata',
    'response_format',
    'tools',
    'tool_choice',
    'presence_penalty',
    'frequency_penalty',
    'n',
    'prediction',
    'parallel_tool_calls',
    'reasoning_effort',
    'prompt_mode',
    'guardrails',
    'prompt_cache_key',
    'safe_prompt',
  ]),
};

const embeddingsPlan: FieldPlan = {
  label: LABEL,
  renamed: { dimensions: 'output_dimension' },
  accepted: new Set(['model', 'input', 'metadata', 'output_dimension', 'output_dtype', 'encoding_format']),
};

/** Mistral's reasoning effort levels; OpenAI's others (minimal, low, medium, xhigh) have no equivalent. */
const reasoningEfforts = new Set(['none', 'high']);

/** The message fields Mistral accepts, by role. */
const messageFields: Readonly<Record<string, ReadonlySet<string>>> = {
  system: new Set(['role', 'content']),
  user: new Set(['role', 'content']),
  assistant: new Set(['role', 'content', 'tool_calls', 'prefix']),
  tool: new Set(['role', 'content', 'tool_call_id', 'name']),
};

/**
 * Fields clients echo back from earlier answers (OpenAI's `refusal` and `annotations`, Junction's own
 * reasoning fields) that carry nothing Mistral could use: dropped without a warning.
 */
const echoedFields = new Set(['refusal', 'annotations', 'reasoning_content', 'thinking_blocks']);

const MISTRAL_TOOL_CALL_ID = /^[A-Za-z0-9]{9}$/;
const BASE62 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

function unsupported(param: string, message: string): GatewayError {
  return new GatewayError('unsupported_parameter', message, { param });
}

/**
 * A Mistral-valid tool call id (exactly 9 of [A-Za-z0-9]) for any id. Derived from the id itself, so an
 * assistant's `tool_calls[].id` and the tool message answering it map to the same value.
 */
export function mistralToolCallId(id: string): string {
  if (MISTRAL_TOOL_CALL_ID.test(id)) return id;
  // Two FNV-1a lanes with different offsets give 64 bits, of which 9 base-62 digits use about 54.
  let high = 0x811c9dc5;
  let low = 0x050c5d1f;
  for (let index = 0; index < id.length; index++) {
    const code = id.charCodeAt(index);
    high = Math.imul(high ^ code, 0x01000193) >>> 0;
    low = Math.imul(low ^ code, 0x01000193) >>> 0;
  }
  let value = (BigInt(high) << 32n) | BigInt(low);
  let result = '';
  for (let digit = 0; digit < 9; digit++) {
    result += BASE62[Number(value % 62n)];
    value /= 62n;
  }
  return result;
}

/** Rewrites the messages into Mistral's schema; undefined when they can be sent as they are. */
function translateMessages(
  messages: readonly ChatMessage[],
  warnings: Set<string>,
): { messages: JsonObject[] | undefined } | { error: GatewayError } {
  let changed = false;
  const translated: JsonObject[] = [];
  for (const [index, message] of messages.entries()) {
    const result = translateMessage(message, index, warnings);
    if ('error' in result) return result;
    if (result.message !== message) changed = true;
    translated.push(result.message);
  }
  return { messages: changed ? translated : undefined };
}

function translateMessage(
  message: ChatMessage,
  index: number,
  warnings: Set<string>,
): { message: JsonObject } | { error: GatewayError } {
  if (message.role === 'function') {
    return {
      error: unsupported(
        `messages[${index}].role`,
        "Messages with role 'function' are not supported by mistral; send tool calls and tool messages instead",
      ),
    };
  }
  // `developer` is OpenAI's newer name for the system role.
  const role = message.role === 'developer' ? 'system' : message.role;
  const allowed = messageFields[role] ?? messageFields.user!;
  let changed = role !== message.role;
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(message)) {
    if (value === undefined) continue;
    if (!allowed.has(key)) {
      changed = true;
      const empty = value === null || value === '' || (Array.isArray(value) && value.length === 0);
      if (!empty && !echoedFields.has(key)) warnings.add(unsupportedWarning(`messages[].${key}`, LABEL));
      continue;
    }
    out[key] = value;
  }
  out.role = role;

  if (Array.isArray(message.content)) {
    const content = translateContent(message.content, index);
    if ('error' in content) return content;
    if (content.parts !== message.content) {
      out.content = content.parts;
      changed = true;
    }
  }
  if (role === 'assistant' && Array.isArray(message.tool_calls)) {
    const calls = message.tool_calls.map((call) => {
      if (!isObject(call) || typeof call.id !== 'string') return call;
      const id = mistralToolCallId(call.id);
      return id === call.id ? call : withFields(call, { id });
    });
    if (calls.some((call, position) => call !== message.tool_calls?.[position])) {
      out.tool_calls = calls;
      changed = true;
    }
  }
  if (role === 'tool' && typeof message.tool_call_id === 'string') {
    const id = mistralToolCallId(message.tool_call_id);
    if (id !== message.tool_call_id) {
      out.tool_call_id = id;
      changed = true;
    }
  }
  return { message: changed ? out : message };
}

/** Content parts in Mistral's shapes: OpenAI's `input_audio` object becomes Mistral's audio string. */
function translateContent(
  parts: readonly unknown[],
  index: number,
): { parts: readonly unknown[] } | { error: GatewayError } {
  let changed = false;
  const out: unknown[] = [];
  for (const part of parts) {
    if (!isObject(part)) {
      out.push(part);
      continue;
    }
    if (part.type === 'file') {
      return {
        error: unsupported(
          `messages[${index}].content`,
          'File content parts are not supported by mistral; send documents as document_url parts instead',
        ),
      };
    }
    if (part.type === 'input_audio' && isObject(part.input_audio)) {
      const data = part.input_audio.data;
      if (typeof data !== 'string') {
        return { error: unsupported(`messages[${index}].content`, 'An input_audio part has no data') };
      }
      out.push({ type: 'input_audio', input_audio: data });
      changed = true;
      continue;
    }
    out.push(part);
  }
  return { parts: changed ? out : parts };
}

/** Refuses what Mistral cannot do faithfully: the deprecated `functions` API and non-function tools. */
function refusal(request: ChatCompletionRequest): GatewayError | undefined {
  for (const field of ['functions', 'function_call']) {
    if (request[field] !== undefined && request[field] !== null) {
      return unsupported(field, `${field} is not supported by mistral; use tools and tool_choice instead`);
    }
  }
  const choice = request.tool_choice;
  if (isObject(choice) && choice.type !== 'function') {
    return unsupported(
      'tool_choice',
      `tool_choice of type ${String(choice.type)} is not supported by mistral`,
    );
  }
  if (
    Array.isArray(request.tools) &&
    request.tools.some((tool) => isObject(tool) && tool.type === 'custom')
  ) {
    return unsupported('tools', 'Custom (free-form) tools are not supported by mistral');
  }
  return undefined;
}

function buildChat(input: BuildInput<ChatCompletionRequest>): BuildResult {
  const { request, target } = input;
  const refused = refusal(request);
  if (refused) return { ok: false, error: refused };

  const edit = editFields(request, chatPlan);
  let fields = edit.fields;
  const warnings = new Set(edit.warnings);

  const effort = request.reasoning_effort;
  if (typeof effort === 'string' && !reasoningEfforts.has(effort)) {
    const { reasoning_effort: _ignored, ...others } = fields ?? request;
    fields = others;
    warnings.add(
      `reasoning_effort "${effort}" is not supported by mistral (it has "none" and "high") and was ignored`,
    );
  }

  const messages = translateMessages(request.messages, warnings);
  if ('error' in messages) return { ok: false, error: messages.error };
  if (messages.messages) fields = withFields(fields ?? request, { messages: messages.messages });

  const body = serialiseBody(input.bodyText, request.model, fields, target.upstreamModel);
  return relayedRequest(`${target.basePath}/chat/completions`, body, request.stream === true, [...warnings]);
}

function buildEmbeddings(input: BuildInput<EmbeddingsRequest>): BuildResult {
  const { request, target } = input;
  const text = typeof request.input === 'string' || request.input.every((item) => typeof item === 'string');
  if (!text) {
    return {
      ok: false,
      error: unsupported('input', 'mistral embeds text only; token-id inputs are not supported'),
    };
  }
  const edit = editFields(request, embeddingsPlan);
  const body = serialiseBody(input.bodyText, request.model, edit.fields, target.upstreamModel);
  return relayedRequest(`${target.basePath}/embeddings`, body, false, edit.warnings);
}

/** The adapter for Mistral's API. */
export const mistralAdapter: ProviderAdapter = {
  buildChat,
  buildEmbeddings,
  readError: (_status, text) => readOpenAIError(text),
};
