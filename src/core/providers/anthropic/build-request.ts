/**
 * OpenAI chat request → Anthropic Messages request (https://platform.claude.com/docs/en/api/messages).
 *
 * Choices worth knowing:
 * - `response_format: json_schema` uses Anthropic's native structured outputs (`output_config.format`), which
 *   is generally available without a beta header; the answer arrives as ordinary text holding the JSON, so
 *   nothing has to be translated back. Models older than Claude 4.5 reject it, and the upstream says so.
 * - `response_format: json_object` has no Anthropic equivalent: a system instruction asks for JSON, with a
 *   warning that it is not enforced.
 * - `reasoning_effort` becomes extended thinking with a fixed budget per level; `max_tokens` (which Anthropic
 *   requires, and which covers thinking too) is raised when it would not leave room above the budget.
 */
import { GatewayError } from '../../errors/gateway-error.js';
import type { ChatCompletionRequest } from '../../wire/openai.js';
import type { AdapterTarget, BuildInput, BuildResult } from '../adapter.js';
import { translateMessages } from './build-messages.js';
import type {
  AnthropicRequest,
  AnthropicTextBlock,
  AnthropicThinkingConfig,
  AnthropicTool,
  AnthropicToolChoice,
} from './wire.js';

/** The API version sent when the entry does not set `anthropicVersion`. */
export const DEFAULT_ANTHROPIC_VERSION = '2023-06-01';
/** Output tokens asked for when neither the client nor the entry says. */
export const DEFAULT_MAX_TOKENS = 4096;

/** Thinking budgets per OpenAI reasoning effort; Anthropic's minimum budget is 1024. */
const THINKING_BUDGETS: Readonly<Record<string, number>> = {
  minimal: 1024,
  low: 2048,
  medium: 8192,
  high: 16384,
  xhigh: 24576,
};

/** OpenAI parameters Anthropic has no counterpart for: dropped with a warning. */
const IGNORED_PARAMETERS = [
  'frequency_penalty',
  'presence_penalty',
  'logit_bias',
  'logprobs',
  'top_logprobs',
  'seed',
  'service_tier',
  'store',
  'metadata',
  'modalities',
  'audio',
  'prediction',
  'web_search_options',
  'verbosity',
  'prompt_cache_key',
  'safety_identifier',
] as const;

const JSON_OBJECT_INSTRUCTION =
  'Respond with a single valid JSON object and nothing else: no prose before or after it, no Markdown code fences.';

/** The translated body with its warnings, or why the request cannot be served. */
export type AnthropicBodyResult =
  | { ok: true; body: AnthropicRequest; warnings: string[] }
  | { ok: false; error: GatewayError };

class RequestError extends Error {
  constructor(
    readonly param: string,
    message: string,
  ) {
    super(message);
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function positiveInteger(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isInteger(value) && value > 0 ? value : undefined;
}

function isHarmlessDefault(name: string, value: unknown): boolean {
  if (value === undefined || value === null || value === false) return true;
  return (name === 'frequency_penalty' || name === 'presence_penalty') && value === 0;
}

function translateTools(tools: unknown): AnthropicTool[] | undefined {
  if (!Array.isArray(tools) || tools.length === 0) return undefined;
  return tools.map((tool, index) => {
    const param = `tools[${index}]`;
    const fn = isRecord(tool) && isRecord(tool.function) ? tool.function : undefined;
    if (!isRecord(tool) || tool.type !== 'function' || !fn || typeof fn.name !== 'string') {
      throw new RequestError(param, `${param}: anthropic supports only function tools with a name`);
    }
    return {
      name: fn.name,
      ...(typeof fn.description === 'string' ? { description: fn.description } : {}),
      input_schema: isRecord(fn.parameters) ? fn.parameters : { type: 'object', properties: {} },
      ...(fn.strict === true ? { strict: true } : {}),
    };
  });
}

function translateToolChoice(
  toolChoice: unknown,
  hasTools: boolean,
  parallelToolCalls: unknown,
): AnthropicToolChoice | undefined {
  const disableParallel = parallelToolCalls === false ? { disable_parallel_tool_use: true } : {};
  if (toolChoice === undefined || toolChoice === null) {
    return hasTools && parallelToolCalls === false ? { type: 'auto', ...disableParallel } : undefined;
  }
  if (toolChoice === 'auto') return hasTools ? { type: 'auto', ...disableParallel } : undefined;
  if (toolChoice === 'none') return hasTools ? { type: 'none' } : undefined;
  if (!hasTools) throw new RequestError('tool_choice', 'tool_choice requires tools');
  if (toolChoice === 'required') return { type: 'any', ...disableParallel };
  if (isRecord(toolChoice) && toolChoice.type === 'function' && isRecord(toolChoice.function)) {
    const name = toolChoice.function.name;
    if (typeof name === 'string') return { type: 'tool', name, ...disableParallel };
  }
  throw new RequestError('tool_choice', 'tool_choice is not a form anthropic can serve');
}

function translateThinking(
  request: ChatCompletionRequest,
  warnings: string[],
): AnthropicThinkingConfig | undefined {
  const effort = request.reasoning_effort;
  if (isRecord(request.thinking) && typeof request.thinking.type === 'string') {
    if (effort !== undefined && effort !== null) {
      warnings.push('reasoning_effort was ignored because thinking was given');
    }
    return request.thinking as AnthropicThinkingConfig;
  }
  if (effort === undefined || effort === null || effort === 'none') return undefined;
  const budget = typeof effort === 'string' ? THINKING_BUDGETS[effort] : undefined;
  if (budget === undefined) {
    warnings.push(`reasoning_effort '${String(effort)}' is not supported by anthropic and was ignored`);
    return undefined;
  }
  return { type: 'enabled', budget_tokens: budget };
}

/**
 * temperature, top_p and top_k, within Anthropic's limits: temperature at most 1, not both temperature and top_p
 * (recent models refuse the pair), and with thinking only temperature 1 and top_p ≥ 0.95
 * (https://platform.claude.com/docs/en/build-with-claude/extended-thinking).
 */
function translateSampling(
  request: ChatCompletionRequest,
  thinking: boolean,
  body: AnthropicRequest,
  warnings: string[],
): void {
  let temperature = typeof request.temperature === 'number' ? request.temperature : undefined;
  let topP = typeof request.top_p === 'number' ? request.top_p : undefined;
  const topK = typeof request.top_k === 'number' ? request.top_k : undefined;
  if (temperature !== undefined && temperature > 1) {
    temperature = 1;
    warnings.push('temperature above 1 is not supported by anthropic and was lowered to 1');
  }
  if (thinking && temperature !== undefined && temperature !== 1) {
    temperature = undefined;
    warnings.push('temperature is not supported by anthropic with thinking and was ignored');
  }
  if (thinking && topP !== undefined && topP < 0.95) {
    topP = undefined;
    warnings.push('top_p below 0.95 is not supported by anthropic with thinking and was ignored');
  }
  if (temperature !== undefined && topP !== undefined) {
    topP = undefined;
    warnings.push('top_p is not supported by anthropic together with temperature and was ignored');
  }
  if (temperature !== undefined) body.temperature = temperature;
  if (topP !== undefined) body.top_p = topP;
  if (topK !== undefined && thinking)
    warnings.push('top_k is not supported by anthropic with thinking and was ignored');
  else if (topK !== undefined) body.top_k = topK;
}

function translateStop(stop: unknown): string[] | undefined {
  const sequences = typeof stop === 'string' ? [stop] : Array.isArray(stop) ? stop : [];
  const strings = sequences.filter((item): item is string => typeof item === 'string' && item !== '');
  return strings.length > 0 ? strings : undefined;
}

interface ResponseFormatTranslation {
  instruction?: string;
  outputConfig?: AnthropicRequest['output_config'];
}

function translateResponseFormat(
  request: ChatCompletionRequest,
  warnings: string[],
): ResponseFormatTranslation {
  const format = request.response_format;
  if (!isRecord(format) || format.type === 'text') return {};
  if (format.type === 'json_object') {
    warnings.push(
      'response_format json_object is emulated on anthropic with a system instruction; JSON is not guaranteed',
    );
    return { instruction: JSON_OBJECT_INSTRUCTION };
  }
  if (format.type === 'json_schema') {
    const schema = isRecord(format.json_schema) ? format.json_schema.schema : undefined;
    if (!isRecord(schema)) {
      throw new RequestError(
        'response_format.json_schema.schema',
        'response_format json_schema needs a schema',
      );
    }
    return { outputConfig: { format: { type: 'json_schema', schema } } };
  }
  throw new RequestError(
    'response_format',
    `response_format '${String(format.type)}' is not supported by anthropic`,
  );
}

function maxTokensOf(
  request: ChatCompletionRequest,
  target: AdapterTarget,
): { requested?: number; fallback: number } {
  const requested = positiveInteger(request.max_completion_tokens) ?? positiveInteger(request.max_tokens);
  const fallback = positiveInteger(Number(target.settings.defaultMaxTokens)) ?? DEFAULT_MAX_TOKENS;
  return requested === undefined ? { fallback } : { requested, fallback };
}

function translateBody(
  request: ChatCompletionRequest,
  target: AdapterTarget,
  warnings: string[],
): AnthropicRequest {
  if (typeof request.n === 'number' && request.n > 1) {
    throw new RequestError('n', 'n > 1 is not supported by anthropic: it returns one completion per request');
  }
  if (request.functions !== undefined && request.functions !== null) {
    throw new RequestError('functions', 'functions is not supported by anthropic; use tools');
  }
  const conversation = translateMessages(request.messages ?? []);
  if (!conversation.ok) throw conversation.error;

  const { requested, fallback } = maxTokensOf(request, target);
  const responseFormat = translateResponseFormat(request, warnings);
  const system: AnthropicTextBlock[] = [...conversation.system];
  if (responseFormat.instruction) system.push({ type: 'text', text: responseFormat.instruction });
  // Blocks only when one carries cache_control: otherwise the plain string, as most people write it.
  const systemField = system.some((block) => block.cache_control)
    ? system
    : system.map((block) => block.text).join('\n\n');
  const body: AnthropicRequest = {
    model: target.upstreamModel,
    max_tokens: requested ?? fallback,
    ...(system.length > 0 ? { system: systemField } : {}),
    messages: conversation.messages,
  };

  const thinking = translateThinking(request, warnings);
  const thinkingActive = thinking !== undefined && thinking.type !== 'disabled';
  translateSampling(request, thinkingActive, body, warnings);
  const stop = translateStop(request.stop);
  if (stop) body.stop_sequences = stop;
  if (request.stream === true) body.stream = true;
  if (typeof request.user === 'string' && request.user !== '') body.metadata = { user_id: request.user };

  const tools = translateTools(request.tools);
  if (tools) body.tools = tools;
  const toolChoice = translateToolChoice(
    request.tool_choice,
    tools !== undefined,
    request.parallel_tool_calls,
  );
  if (toolChoice) body.tool_choice = toolChoice;

  if (thinking) {
    body.thinking = thinking;
    const forced = body.tool_choice?.type === 'any' || body.tool_choice?.type === 'tool';
    if (thinkingActive && forced) {
      throw new RequestError('tool_choice', 'anthropic cannot force a tool call while thinking is enabled');
    }
    const budget = typeof thinking.budget_tokens === 'number' ? thinking.budget_tokens : undefined;
    if (budget !== undefined && requested === undefined) body.max_tokens = budget + fallback;
    else if (budget !== undefined && requested !== undefined && requested <= budget) {
      body.max_tokens = budget + requested;
      warnings.push(
        `max_tokens was raised to ${body.max_tokens} to leave room above the thinking budget of ${budget}`,
      );
    }
  }
  if (responseFormat.outputConfig) body.output_config = responseFormat.outputConfig;

  for (const name of IGNORED_PARAMETERS) {
    if (!isHarmlessDefault(name, request[name]))
      warnings.push(`${name} is not supported by anthropic and was ignored`);
  }
  return body;
}

/** Translates the request body; shared by the Anthropic API and Claude on Vertex, which differ only around it. */
export function translateChatRequest(
  request: ChatCompletionRequest,
  target: AdapterTarget,
): AnthropicBodyResult {
  const warnings: string[] = [];
  try {
    return { ok: true, body: translateBody(request, target, warnings), warnings };
  } catch (error) {
    if (error instanceof GatewayError) return { ok: false, error };
    if (error instanceof RequestError) {
      return {
        ok: false,
        error: new GatewayError('unsupported_parameter', error.message, { param: error.param }),
      };
    }
    throw error;
  }
}

/** `POST <basePath>/messages` to the Anthropic API; the auth decorator adds `x-api-key` afterwards. */
export function buildAnthropicChat(input: BuildInput<ChatCompletionRequest>): BuildResult {
  const translated = translateChatRequest(input.request, input.target);
  if (!translated.ok) return translated;
  const settings = input.target.settings;
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'anthropic-version': settings.anthropicVersion || DEFAULT_ANTHROPIC_VERSION,
  };
  if (settings.anthropicBeta) headers['anthropic-beta'] = settings.anthropicBeta;
  return {
    ok: true,
    request: {
      method: 'POST',
      path: `${input.target.basePath}/messages`,
      headers,
      body: JSON.stringify(translated.body),
      framing: translated.body.stream ? 'sse' : 'json',
    },
    warnings: translated.warnings,
  };
}
