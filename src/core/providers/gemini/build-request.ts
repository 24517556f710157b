/**
 * OpenAI chat request → GenerateContent body, shared by the Gemini API and Vertex AI (the paths differ, the
 * body does not). Reference: https://ai.google.dev/api/generate-content.
 */
import { GatewayError } from '../../errors/gateway-error.js';
import type { ChatCompletionRequest, ChatContentPart, ChatMessage } from '../../wire/openai.js';
import { decodeToolCallId } from './parse-response.js';
import type {
  GeminiContent,
  GeminiGenerationConfig,
  GeminiPart,
  GeminiRequest,
  GeminiThinkingConfig,
  GeminiTool,
  GeminiToolConfig,
} from './wire.js';

export type BodyResult =
  | { ok: true; body: GeminiRequest; warnings: string[] }
  | { ok: false; error: GatewayError };

type JsonObject = Record<string, unknown>;

const isObject = (value: unknown): value is JsonObject =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Google's documented stand-in for a function call whose signature was not kept (history from another model or
 * built by hand): Gemini 3 answers 400 when the first function call of a step has none.
 */
const SIGNATURE_PLACEHOLDER = 'skip_thought_signature_validator';

/** OpenAI parameters Gemini has no equivalent for; each becomes a warning when the client set it. */
const ignoredParameters = [
  'logit_bias',
  'logprobs',
  'top_logprobs',
  'service_tier',
  'prediction',
  'modalities',
  'audio',
  'web_search_options',
  'functions',
  'function_call',
] as const;

/** Raised inside the builder and turned into a BuildResult error at the top. */
class Refusal extends Error {
  constructor(
    readonly code: 'unsupported_parameter' | 'invalid_request',
    message: string,
    readonly param: string,
  ) {
    super(message);
  }
}

/** Builds the GenerateContent body for a chat request; `providerName` appears in warnings. */
export function buildGenerateContentBody(
  request: ChatCompletionRequest,
  upstreamModel: string,
  providerName: string,
): BodyResult {
  const warnings: string[] = [];
  try {
    const body: GeminiRequest = { contents: contents(request.messages) };
    const system = systemParts(request.messages);
    // Gemini refuses a request without contents, which OpenAI allows: a lone system prompt becomes the turn.
    if (system.length > 0 && body.contents.length === 0) body.contents = [{ role: 'user', parts: system }];
    else if (system.length > 0) body.systemInstruction = { parts: system };
    const tools = functionTools(request.tools);
    if (tools) {
      body.tools = tools;
      const toolConfig = functionCallingConfig(request.tool_choice);
      if (toolConfig) body.toolConfig = toolConfig;
    }
    if (request.parallel_tool_calls === false && tools) {
      warnings.push(`parallel_tool_calls=false is not supported by ${providerName} and was ignored`);
    }
    const config = generationConfig(request, upstreamModel, warnings);
    if (Object.keys(config).length > 0) body.generationConfig = config;
    for (const name of ignoredParameters) {
      const value = request[name];
      if (value === undefined || value === null || value === false) continue;
      // Text output is what Gemini gives anyway, so asking for it alone loses nothing.
      if (name === 'modalities' && Array.isArray(value) && value.every((item) => item === 'text')) continue;
      warnings.push(`${name} is not supported by ${providerName} and was ignored`);
    }
    return { ok: true, body, warnings };
  } catch (error) {
    if (!(error instanceof Refusal)) throw error;
    return { ok: false, error: new GatewayError(error.code, error.message, { param: error.param }) };
  }
}

function textOf(content: ChatMessage['content'], param: string): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content
    .map((part, index) => {
      if (part.type !== 'text' || typeof part.text !== 'string') {
        throw new Refusal('unsupported_parameter', `${param}[${index}] must be a text part`, param);
      }
      return part.text;
    })
    .join('');
}

function systemParts(messages: readonly ChatMessage[]): GeminiPart[] {
  const parts: GeminiPart[] = [];
  messages.forEach((message, index) => {
    if (message.role !== 'system' && message.role !== 'developer') return;
    const text = textOf(message.content, `messages[${index}].content`);
    if (text !== '') parts.push({ text });
  });
  return parts;
}

/** Turns the conversation into contents, merging consecutive turns of one role (tool results join one turn). */
function contents(messages: readonly ChatMessage[]): GeminiContent[] {
  const result: GeminiContent[] = [];
  const toolNames = new Map<string, string>();
  const push = (role: 'user' | 'model', parts: GeminiPart[]): void => {
    if (parts.length === 0) return;
    const last = result.at(-1);
    if (last?.role === role) last.parts?.push(...parts);
    else result.push({ role, parts });
  };
  messages.forEach((message, index) => {
    const param = `messages[${index}]`;
    switch (message.role) {
      case 'system':
      case 'developer':
        return;
      case 'user':
        push('user', userParts(message.content, `${param}.content`));
        return;
      case 'assistant':
        push('model', assistantParts(message, param, toolNames));
        return;
      case 'tool':
      case 'function':
        push('user', [functionResponsePart(message, param, toolNames)]);
        return;
    }
  });
  return result;
}

function userParts(content: ChatMessage['content'], param: string): GeminiPart[] {
  if (typeof content === 'string') return content === '' ? [] : [{ text: content }];
  if (!Array.isArray(content)) return [];
  return content.map((part, index) => userPart(part, `${param}[${index}]`));
}

function userPart(part: ChatContentPart, param: string): GeminiPart {
  if (part.type === 'text' && typeof part.text === 'string') return { text: part.text };
  if (part.type === 'image_url') {
    const url = isObject(part.image_url) ? part.image_url.url : undefined;
    if (typeof url !== 'string')
      throw new Refusal('invalid_request', `${param}.image_url.url is missing`, param);
    return mediaPart(url, `${param}.image_url.url`);
  }
  if (part.type === 'input_audio' && isObject(part.input_audio)) {
    const { data, format } = part.input_audio;
    if (typeof data === 'string' && typeof format === 'string') {
      return { inlineData: { mimeType: `audio/${format === 'mp3' ? 'mp3' : format}`, data } };
    }
  }
  if (part.type === 'file' && isObject(part.file) && typeof part.file.file_data === 'string') {
    return mediaPart(part.file.file_data, `${param}.file.file_data`);
  }
  throw new Refusal(
    'unsupported_parameter',
    `${param}: parts of type ${part.type} cannot be sent to Gemini`,
    param,
  );
}

const mimeByExtension: Record<string, string> = {
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  gif: 'image/gif',
  webp: 'image/webp',
  heic: 'image/heic',
  heif: 'image/heif',
  pdf: 'application/pdf',
};

/**
 * data: URLs travel inline; http(s) and gs:// URLs as fileData, which Google fetches itself (public or signed
 * URLs, Cloud Storage objects). fileData needs a MIME type, guessed from the extension; image/jpeg otherwise.
 */
function mediaPart(url: string, param: string): GeminiPart {
  if (url.startsWith('data:')) {
    const match = /^data:([^;,]+)((?:;[^;,]*)*);base64,(.*)$/s.exec(url);
    if (!match?.[1] || match[3] === undefined) {
      throw new Refusal(
        'unsupported_parameter',
        `${param}: only base64 data: URLs can be sent to Gemini`,
        param,
      );
    }
    return { inlineData: { mimeType: match[1], data: match[3] } };
  }
  if (/^(https?|gs):\/\//i.test(url)) {
    const path = url.split(/[?#]/, 1)[0] ?? url;
    const extension = /\.([a-z0-9]+)$/i.exec(path)?.[1]?.toLowerCase() ?? '';
    return { fileData: { mimeType: mimeByExtension[extension] ?? 'image/jpeg', fileUri: url } };
  }
  throw new Refusal(
    'unsupported_parameter',
    `${param}: Gemini accepts data:, http(s):// and gs:// URLs only`,
    param,
  );
}

function assistantParts(message: ChatMessage, param: string, toolNames: Map<string, string>): GeminiPart[] {
  const parts: GeminiPart[] = [];
  const text = textOf(message.content, `${param}.content`);
  if (text !== '') parts.push({ text });
  const calls = Array.isArray(message.tool_calls) ? message.tool_calls : [];
  let signed = false;
  calls.forEach((call, index) => {
    const callParam = `${param}.tool_calls[${index}]`;
    const fn = isObject(call) && isObject(call.function) ? call.function : undefined;
    if (!isObject(call) || !fn || typeof fn.name !== 'string') {
      throw new Refusal('invalid_request', `${callParam} must have a function name`, callParam);
    }
    const args = parseArguments(fn.arguments, `${callParam}.function.arguments`);
    const { signature } = decodeToolCallId(typeof call.id === 'string' ? call.id : '');
    if (typeof call.id === 'string') toolNames.set(call.id, fn.name);
    const part: GeminiPart = { functionCall: { name: fn.name, args } };
    if (signature) {
      part.thoughtSignature = signature;
      signed = true;
    }
    parts.push(part);
  });
  // Only the first call of a step carries the signature; without any, the documented placeholder stands in.
  const firstCall = parts.find((part) => part.functionCall);
  if (firstCall && !signed) firstCall.thoughtSignature = SIGNATURE_PLACEHOLDER;
  return parts;
}

function parseArguments(text: unknown, param: string): Record<string, unknown> {
  if (text === undefined || text === null || text === '') return {};
  if (isObject(text)) return text;
  let parsed: unknown;
  try {
    parsed = JSON.parse(String(text));
  } catch {
    throw new Refusal('invalid_request', `${param} is not valid JSON`, param);
  }
  if (!isObject(parsed)) throw new Refusal('invalid_request', `${param} must be a JSON object`, param);
  return parsed;
}

function functionResponsePart(
  message: ChatMessage,
  param: string,
  toolNames: Map<string, string>,
): GeminiPart {
  const id = message.tool_call_id;
  const name = (typeof id === 'string' ? toolNames.get(id) : undefined) ?? message.name;
  if (typeof name !== 'string' || name === '') {
    throw new Refusal(
      'invalid_request',
      `${param}.tool_call_id does not match a tool call of an earlier assistant message`,
      `${param}.tool_call_id`,
    );
  }
  const text = textOf(message.content, `${param}.content`);
  let response: Record<string, unknown> = { content: text };
  try {
    const parsed: unknown = JSON.parse(text);
    if (isObject(parsed)) response = parsed;
  } catch {
    // Plain text results are wrapped as { content } above.
  }
  return { functionResponse: { name, response } };
}

function functionTools(tools: unknown[] | undefined): GeminiTool[] | undefined {
  if (!Array.isArray(tools) || tools.length === 0) return undefined;
  const declarations = tools.map((tool, index) => {
    const param = `tools[${index}]`;
    if (!isObject(tool) || tool.type !== 'function' || !isObject(tool.function)) {
      throw new Refusal(
        'unsupported_parameter',
        `${param}: only function tools can be sent to Gemini`,
        param,
      );
    }
    const fn = tool.function;
    if (typeof fn.name !== 'string')
      throw new Refusal('invalid_request', `${param}.function.name is missing`, param);
    return {
      name: fn.name,
      ...(typeof fn.description === 'string' ? { description: fn.description } : {}),
      ...(isObject(fn.parameters) ? { parametersJsonSchema: fn.parameters } : {}),
    };
  });
  return [{ functionDeclarations: declarations }];
}

function functionCallingConfig(choice: unknown): GeminiToolConfig | undefined {
  if (choice === undefined || choice === null) return undefined;
  if (choice === 'auto') return { functionCallingConfig: { mode: 'AUTO' } };
  if (choice === 'none') return { functionCallingConfig: { mode: 'NONE' } };
  if (choice === 'required') return { functionCallingConfig: { mode: 'ANY' } };
  if (isObject(choice) && isObject(choice.function) && typeof choice.function.name === 'string') {
    return { functionCallingConfig: { mode: 'ANY', allowedFunctionNames: [choice.function.name] } };
  }
  throw new Refusal('unsupported_parameter', 'tool_choice is not one Gemini understands', 'tool_choice');
}

const numberOf = (value: unknown): number | undefined =>
  typeof value === 'number' && Number.isFinite(value) ? value : undefined;

function generationConfig(
  request: ChatCompletionRequest,
  upstreamModel: string,
  warnings: string[],
): GeminiGenerationConfig {
  const config: GeminiGenerationConfig = {};
  const set = <K extends keyof GeminiGenerationConfig>(key: K, value: GeminiGenerationConfig[K]): void => {
    if (value !== undefined) config[key] = value;
  };
  set('temperature', numberOf(request.temperature));
  set('topP', numberOf(request.top_p));
  set('maxOutputTokens', numberOf(request.max_completion_tokens) ?? numberOf(request.max_tokens));
  const stop = request.stop;
  if (typeof stop === 'string') config.stopSequences = [stop];
  else if (Array.isArray(stop) && stop.length > 0) config.stopSequences = stop.map(String);
  const n = numberOf(request.n);
  if (n !== undefined && n > 1) config.candidateCount = n;
  set('seed', numberOf(request.seed));
  set('presencePenalty', numberOf(request.presence_penalty));
  set('frequencyPenalty', numberOf(request.frequency_penalty));
  const format = request.response_format;
  if (isObject(format) && format.type === 'json_object') config.responseMimeType = 'application/json';
  if (isObject(format) && format.type === 'json_schema') {
    const schema = isObject(format.json_schema) ? format.json_schema.schema : undefined;
    config.responseMimeType = 'application/json';
    if (isObject(schema)) config.responseJsonSchema = schema;
  }
  const thinking = thinkingConfig(request.reasoning_effort, upstreamModel, warnings);
  if (thinking) config.thinkingConfig = thinking;
  return config;
}

/** Token budgets Google's own OpenAI-compatible endpoint uses for Gemini 2.5 models. */
const budgets: Record<string, number> = { minimal: 1024, low: 1024, medium: 8192, high: 24576, xhigh: 24576 };

/**
 * reasoning_effort → Gemini 3's `thinkingLevel`, or Gemini 2.5's `thinkingBudget` (which 0 turns off). Thought
 * summaries are asked for so the reasoning reaches the client as `reasoning_content`.
 */
function thinkingConfig(
  effort: unknown,
  upstreamModel: string,
  warnings: string[],
): GeminiThinkingConfig | undefined {
  if (typeof effort !== 'string') return undefined;
  if (budgets[effort] === undefined && effort !== 'none') {
    throw new Refusal(
      'unsupported_parameter',
      `reasoning_effort '${effort}' is not known`,
      'reasoning_effort',
    );
  }
  const generation = Number(/gemini-(\d+)/.exec(upstreamModel)?.[1] ?? '0');
  if (generation >= 3) {
    if (effort === 'none') {
      warnings.push(
        `reasoning_effort 'none' cannot turn thinking off on ${upstreamModel}; 'minimal' was used`,
      );
      return { thinkingLevel: 'minimal' };
    }
    return { thinkingLevel: effort === 'xhigh' ? 'high' : effort, includeThoughts: true };
  }
  if (effort === 'none') return { thinkingBudget: 0 };
  return { thinkingBudget: budgets[effort], includeThoughts: true };
}
