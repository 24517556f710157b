/**
 * Builds the Bedrock runtime request for one OpenAI chat request. Models Bedrock serves through its
 * OpenAI-compatible endpoint (`openai.*`, the gpt-oss family) get the client's bytes with only `model`
 * replaced; every other model goes through Converse, which speaks one message format for all model families.
 */
import { GatewayError } from '../../errors/gateway-error.js';
import { replaceTopLevelValue } from '../../json/top-level-field.js';
import type { ChatCompletionRequest, ChatContentPart, ChatMessage } from '../../wire/openai.js';
import type { AdapterTarget, BuildInput, BuildResult } from '../adapter.js';
import { withStreamUsage } from '../openai-wire/build-passthrough.js';
import {
  type ConverseContentBlock,
  type ConverseImageBlock,
  type ConverseMessage,
  type ConverseRequest,
  type ConverseToolSpec,
  isRecord,
} from './wire.js';

const PROVIDER = 'bedrock';
const OPENAI_PATH = '/openai/v1';

/** Thinking budgets for `reasoning_effort` on Claude; 1024 is the smallest budget Claude accepts. */
const THINKING_BUDGETS: Readonly<Record<string, number>> = {
  minimal: 1024,
  low: 1024,
  medium: 2048,
  high: 4096,
};

/** OpenAI parameters Converse has no counterpart for; they are dropped with a warning. */
const UNSUPPORTED_PARAMETERS = [
  'frequency_penalty',
  'presence_penalty',
  'logit_bias',
  'top_logprobs',
  'seed',
  'prediction',
  'audio',
  'web_search_options',
] as const;

/**
 * The prefix the runtime operations live under. The entry's default base URL ends in Bedrock's `/openai/v1`,
 * yet Converse and InvokeModel live at the host root; any other prefix (a private-link proxy path) is kept.
 */
export function runtimePrefix(basePath: string): string {
  return basePath.endsWith(OPENAI_PATH) ? basePath.slice(0, -OPENAI_PATH.length) : basePath;
}

/** `/model/{id}/{operation}` with the model id encoded as one path segment (`:` and `/` of ARNs included). */
export function modelPath(basePath: string, modelId: string, operation: string): string {
  // encodeURIComponent leaves !'()* alone; AWS encodes them, and the signer must see the same bytes as the wire.
  const segment = encodeURIComponent(modelId).replace(
    /[!'()*]/g,
    (character) => `%${character.charCodeAt(0).toString(16).toUpperCase()}`,
  );
  return `${runtimePrefix(basePath)}/model/${segment}/${operation}`;
}

/** Which Bedrock API serves the target: `settings.api` may force one, otherwise the model id decides. */
export function chooseApi(target: AdapterTarget): 'openai' | 'converse' {
  const forced = target.settings.api;
  if (forced === 'openai' || forced === 'converse') return forced;
  return target.upstreamModel.startsWith('openai.') ? 'openai' : 'converse';
}

/** Builds the upstream request for a chat completion. */
export function buildBedrockChat(input: BuildInput<ChatCompletionRequest>): BuildResult {
  const { target } = input;
  if (chooseApi(target) === 'openai') {
    return {
      ok: true,
      request: {
        method: 'POST',
        path: `${runtimePrefix(target.basePath)}${OPENAI_PATH}/chat/completions`,
        headers: { 'content-type': 'application/json' },
        // A stream asks for its final usage chunk, as on OpenAI (removed again for a client that did not ask).
        body: withStreamUsage(
          replaceTopLevelValue(input.bodyText, 'model', JSON.stringify(target.upstreamModel)),
          input.request,
        ),
        framing: 'openai',
      },
      warnings: [],
    };
  }
  const warnings: string[] = [];
  let body: ConverseRequest;
  try {
    body = converseBody(input.request, target, warnings);
  } catch (error) {
    if (error instanceof GatewayError) return { ok: false, error };
    throw error;
  }
  const stream = input.request.stream === true;
  return {
    ok: true,
    request: {
      method: 'POST',
      path: modelPath(target.basePath, target.upstreamModel, stream ? 'converse-stream' : 'converse'),
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
      framing: stream ? 'aws-event-stream' : 'json',
    },
    warnings,
  };
}

function refuse(param: string, message: string): GatewayError {
  return new GatewayError('unsupported_parameter', message, { param });
}

function present(value: unknown): boolean {
  return value !== undefined && value !== null;
}

function converseBody(
  request: ChatCompletionRequest,
  target: AdapterTarget,
  warnings: string[],
): ConverseRequest {
  if (typeof request.n === 'number' && request.n > 1) {
    throw refuse('n', 'n > 1 is not supported by bedrock: Converse returns one choice per request');
  }
  const { system, messages } = convertMessages(request.messages);
  const body: ConverseRequest = { messages };
  if (system.length > 0) body.system = system;

  const inference: NonNullable<ConverseRequest['inferenceConfig']> = {};
  const maxTokens = request.max_completion_tokens ?? request.max_tokens;
  if (typeof maxTokens === 'number') inference.maxTokens = maxTokens;
  if (typeof request.temperature === 'number') inference.temperature = request.temperature;
  if (typeof request.top_p === 'number') inference.topP = request.top_p;
  if (typeof request.stop === 'string') inference.stopSequences = [request.stop];
  else if (Array.isArray(request.stop) && request.stop.length > 0)
    inference.stopSequences = request.stop.map(String);
  if (Object.keys(inference).length > 0) body.inferenceConfig = inference;

  const toolConfig = convertTools(request, hasToolHistory(messages), warnings);
  if (toolConfig) body.toolConfig = toolConfig;

  const thinking = thinkingField(request, target, inference.maxTokens, warnings);
  if (thinking) body.additionalModelRequestFields = { thinking };

  const outputConfig = convertResponseFormat(request.response_format, warnings);
  if (outputConfig) body.outputConfig = outputConfig;

  for (const name of UNSUPPORTED_PARAMETERS) {
    if (present(request[name])) warnings.push(`${name} is not supported by ${PROVIDER} and was ignored`);
  }
  if (request.logprobs === true) warnings.push(`logprobs is not supported by ${PROVIDER} and was ignored`);
  if (request.parallel_tool_calls === false) {
    warnings.push(`parallel_tool_calls is not supported by ${PROVIDER} and was ignored`);
  }
  return body;
}

function convertMessages(input: readonly ChatMessage[]): {
  system: Array<{ text: string }>;
  messages: ConverseMessage[];
} {
  const system: Array<{ text: string }> = [];
  const messages: ConverseMessage[] = [];
  // Converse wants strictly alternating turns, so consecutive messages of one role share a turn.
  const push = (role: ConverseMessage['role'], content: ConverseContentBlock[]): void => {
    if (content.length === 0) return;
    const last = messages[messages.length - 1];
    if (last?.role === role) last.content.push(...content);
    else messages.push({ role, content });
  };
  input.forEach((message, index) => {
    const at = `messages[${index}]`;
    switch (message.role) {
      case 'system':
      case 'developer': {
        // Converse has no mid-conversation system turn; every instruction joins the system prompt, in order.
        const text = plainText(message.content, at);
        if (text !== '') system.push({ text });
        return;
      }
      case 'user':
        push('user', userContent(message.content, at));
        return;
      case 'assistant':
        push('assistant', assistantContent(message, at));
        return;
      case 'tool': {
        if (typeof message.tool_call_id !== 'string') {
          throw refuse(`${at}.tool_call_id`, 'A tool message needs the tool_call_id of the call it answers');
        }
        const text = plainText(message.content, at);
        push('user', [{ toolResult: { toolUseId: message.tool_call_id, content: [{ text }] } }]);
        return;
      }
      default:
        throw refuse(`${at}.role`, `Messages with role '${message.role}' are not supported by ${PROVIDER}`);
    }
  });
  return { system, messages };
}

/** The text of a message whose content must be text only (system, tool). */
function plainText(content: ChatMessage['content'], at: string): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content
    .map((part, index) => {
      if (part.type === 'text' && typeof part.text === 'string') return part.text;
      throw refuse(`${at}.content[${index}]`, `Only text parts are supported here by ${PROVIDER}`);
    })
    .join('');
}

function userContent(content: ChatMessage['content'], at: string): ConverseContentBlock[] {
  if (typeof content === 'string') return content === '' ? [] : [{ text: content }];
  if (!Array.isArray(content)) return [];
  const blocks: ConverseContentBlock[] = [];
  content.forEach((part: ChatContentPart, index) => {
    const where = `${at}.content[${index}]`;
    if (part.type === 'text' && typeof part.text === 'string') {
      // Bedrock rejects blank text blocks.
      if (part.text !== '') blocks.push({ text: part.text });
    } else if (
      part.type === 'image_url' &&
      isRecord(part.image_url) &&
      typeof part.image_url.url === 'string'
    ) {
      blocks.push({ image: imageBlock(part.image_url.url, where) });
    } else {
      throw refuse(where, `Content parts of type '${part.type}' are not supported by ${PROVIDER}`);
    }
  });
  return blocks;
}

const IMAGE_FORMATS: Readonly<Record<string, ConverseImageBlock['format']>> = {
  'image/png': 'png',
  'image/jpeg': 'jpeg',
  'image/jpg': 'jpeg',
  'image/gif': 'gif',
  'image/webp': 'webp',
};

/** Converse takes image bytes only, so only base64 `data:` URLs can be forwarded. */
function imageBlock(url: string, where: string): ConverseImageBlock {
  const comma = url.indexOf(',');
  const header = comma === -1 ? '' : url.slice(0, comma).toLowerCase();
  if (!header.startsWith('data:')) {
    throw refuse(
      where,
      `${PROVIDER} needs images as bytes and cannot fetch image URLs; send the image as a base64 data: URL`,
    );
  }
  const [mediaType = '', ...parameters] = header.slice('data:'.length).split(';');
  const format = IMAGE_FORMATS[mediaType];
  if (!format)
    throw refuse(
      where,
      `Images of type '${mediaType}' are not supported by ${PROVIDER} (png, jpeg, gif, webp)`,
    );
  if (!parameters.includes('base64')) throw refuse(where, 'Image data: URLs must be base64-encoded');
  return { format, source: { bytes: url.slice(comma + 1) } };
}

function assistantContent(message: ChatMessage, at: string): ConverseContentBlock[] {
  const blocks: ConverseContentBlock[] = [];
  // Claude checks that the signed thinking of the previous turn comes back first and unchanged.
  if (Array.isArray(message.thinking_blocks)) {
    for (const block of message.thinking_blocks) {
      if (!isRecord(block)) continue;
      if (block.type === 'thinking' && typeof block.thinking === 'string') {
        const reasoningText: { text: string; signature?: string } = { text: block.thinking };
        if (typeof block.signature === 'string') reasoningText.signature = block.signature;
        blocks.push({ reasoningContent: { reasoningText } });
      } else if (block.type === 'redacted_thinking' && typeof block.data === 'string') {
        blocks.push({ reasoningContent: { redactedContent: block.data } });
      }
    }
  }
  const text = plainText(message.content, at);
  if (text !== '') blocks.push({ text });
  (message.tool_calls ?? []).forEach((call, index) => {
    const where = `${at}.tool_calls[${index}]`;
    if (!isRecord(call) || !isRecord(call.function) || typeof call.id !== 'string') {
      throw refuse(where, 'A tool call needs an id and a function');
    }
    const name = String(call.function.name ?? '');
    const argumentsText = typeof call.function.arguments === 'string' ? call.function.arguments : '';
    blocks.push({ toolUse: { toolUseId: call.id, name, input: toolInput(argumentsText, where) } });
  });
  return blocks;
}

/** Converse carries tool input as a JSON object, not as text. */
function toolInput(argumentsText: string, where: string): unknown {
  if (argumentsText.trim() === '') return {};
  try {
    const input: unknown = JSON.parse(argumentsText);
    if (isRecord(input)) return input;
  } catch {
    // Reported below.
  }
  throw refuse(`${where}.function.arguments`, `${PROVIDER} needs tool call arguments as a JSON object`);
}

function hasToolHistory(messages: readonly ConverseMessage[]): boolean {
  return messages.some((message) =>
    message.content.some((block) => 'toolUse' in block || 'toolResult' in block),
  );
}

function convertTools(
  request: ChatCompletionRequest,
  toolHistory: boolean,
  warnings: string[],
): ConverseRequest['toolConfig'] {
  if (!Array.isArray(request.tools) || request.tools.length === 0) return undefined;
  const tools: ConverseToolSpec[] = request.tools.map((tool, index) => {
    if (!isRecord(tool) || tool.type !== 'function' || !isRecord(tool.function)) {
      throw refuse(`tools[${index}]`, `Only function tools are supported by ${PROVIDER}`);
    }
    const fn = tool.function;
    const toolSpec: ConverseToolSpec['toolSpec'] = {
      name: String(fn.name ?? ''),
      // Bedrock rejects an empty description.
      ...(typeof fn.description === 'string' && fn.description !== '' ? { description: fn.description } : {}),
      inputSchema: { json: isRecord(fn.parameters) ? fn.parameters : { type: 'object', properties: {} } },
    };
    if (fn.strict === true) toolSpec.strict = true;
    return { toolSpec };
  });
  const choice = request.tool_choice;
  if (choice === 'none') {
    if (!toolHistory) {
      warnings.push(`tool_choice 'none' has no ${PROVIDER} Converse equivalent: the tools were not sent`);
      return undefined;
    }
    // Converse refuses toolUse/toolResult blocks without a toolConfig, so the tools must go along.
    warnings.push(
      `tool_choice 'none' has no ${PROVIDER} Converse equivalent; the conversation holds tool calls, so the tools were sent and the model may still call one`,
    );
    return { tools };
  }
  if (choice === 'auto') return { tools, toolChoice: { auto: {} } };
  if (choice === 'required') return { tools, toolChoice: { any: {} } };
  if (isRecord(choice) && isRecord(choice.function) && typeof choice.function.name === 'string') {
    return { tools, toolChoice: { tool: { name: choice.function.name } } };
  }
  return { tools };
}

function thinkingField(
  request: ChatCompletionRequest,
  target: AdapterTarget,
  maxTokens: number | undefined,
  warnings: string[],
): Record<string, unknown> | undefined {
  const claude = target.upstreamModel.includes('anthropic.claude');
  if (isRecord(request.thinking)) {
    if (claude) return request.thinking;
    warnings.push(`thinking is only translated for Anthropic Claude models on ${PROVIDER} and was ignored`);
    return undefined;
  }
  const effort = request.reasoning_effort;
  if (typeof effort !== 'string' || effort === 'none') return undefined;
  if (!claude) {
    warnings.push(
      `reasoning_effort is only translated for Anthropic Claude models on ${PROVIDER} and was ignored`,
    );
    return undefined;
  }
  let budget = THINKING_BUDGETS[effort] ?? THINKING_BUDGETS.medium!;
  // Claude requires max_tokens > budget_tokens; shrink the budget rather than fail when the client capped output.
  if (maxTokens !== undefined && budget >= maxTokens) budget = Math.max(1024, maxTokens - 1);
  return { type: 'enabled', budget_tokens: budget };
}

function convertResponseFormat(format: unknown, warnings: string[]): ConverseRequest['outputConfig'] {
  if (!isRecord(format)) return undefined;
  if (format.type === 'json_schema' && isRecord(format.json_schema)) {
    const definition = format.json_schema;
    const jsonSchema: { schema: string; name?: string; description?: string } = {
      schema: JSON.stringify(isRecord(definition.schema) ? definition.schema : { type: 'object' }),
    };
    if (typeof definition.name === 'string') jsonSchema.name = definition.name;
    if (typeof definition.description === 'string') jsonSchema.description = definition.description;
    return { textFormat: { type: 'json_schema', structure: { jsonSchema } } };
  }
  if (format.type === 'json_object') {
    // Converse's structured output is schema-driven; there is no schema-free JSON mode to map onto.
    warnings.push(
      `response_format json_object is not supported by ${PROVIDER} Converse (use json_schema) and was ignored`,
    );
  }
  return undefined;
}
