/**
 * Shape checks for the bodies the data plane accepts. They reject what every provider would reject, early
 * and with the field named, and let every other field travel through untouched.
 */
import { GatewayError } from '../errors/gateway-error.js';
import type { ChatCompletionRequest, EmbeddingsRequest } from '../wire/openai.js';

const MAX_MODEL_NAME = 256;
const roles = new Set(['system', 'developer', 'user', 'assistant', 'tool', 'function']);

type JsonObject = Record<string, unknown>;

const isObject = (value: unknown): value is JsonObject =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function invalid(param: string, message: string): GatewayError {
  return new GatewayError('invalid_request', message, { param });
}

function checkModel(body: JsonObject): void {
  const model = body.model;
  if (model === undefined) throw invalid('model', 'The `model` field is required');
  if (typeof model !== 'string' || model.length === 0)
    throw invalid('model', '`model` must be a non-empty string');
  if (model.length > MAX_MODEL_NAME)
    throw invalid('model', `\`model\` must be at most ${MAX_MODEL_NAME} characters`);
}

function checkOptionalBoolean(body: JsonObject, field: string): void {
  const value = body[field];
  if (value !== undefined && value !== null && typeof value !== 'boolean')
    throw invalid(field, `\`${field}\` must be a boolean`);
}

function checkOptionalPositiveInteger(body: JsonObject, field: string): void {
  const value = body[field];
  if (value === undefined || value === null) return;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw invalid(field, `\`${field}\` must be a positive integer`);
  }
}

/** Returns the body as a chat request or throws a GatewayError naming the first bad field. */
export function validateChatRequest(body: unknown): ChatCompletionRequest {
  if (!isObject(body)) throw new GatewayError('invalid_request', 'The body must be a JSON object');
  checkModel(body);
  const messages = body.messages;
  if (!Array.isArray(messages)) throw invalid('messages', '`messages` must be an array of messages');
  if (messages.length === 0) throw invalid('messages', '`messages` must contain at least one message');
  for (let index = 0; index < messages.length; index++) {
    const message: unknown = messages[index];
    const param = `messages[${index}]`;
    if (!isObject(message)) throw invalid(param, `\`${param}\` must be an object`);
    if (typeof message.role !== 'string' || !roles.has(message.role)) {
      throw invalid(`${param}.role`, `\`${param}.role\` must be one of ${[...roles].join(', ')}`);
    }
    const content = message.content;
    if (content !== undefined && content !== null && typeof content !== 'string') {
      if (!Array.isArray(content))
        throw invalid(`${param}.content`, `\`${param}.content\` must be a string or an array of parts`);
      for (let part = 0; part < content.length; part++) {
        const item: unknown = content[part];
        if (!isObject(item) || typeof item.type !== 'string') {
          throw invalid(
            `${param}.content[${part}]`,
            `\`${param}.content[${part}]\` must be an object with a \`type\``,
          );
        }
      }
    }
  }
  checkOptionalBoolean(body, 'stream');
  checkOptionalPositiveInteger(body, 'max_tokens');
  checkOptionalPositiveInteger(body, 'max_completion_tokens');
  checkOptionalPositiveInteger(body, 'n');
  const streamOptions = body.stream_options;
  if (streamOptions !== undefined && streamOptions !== null && !isObject(streamOptions)) {
    throw invalid('stream_options', '`stream_options` must be an object');
  }
  if (body.tools !== undefined && body.tools !== null && !Array.isArray(body.tools)) {
    throw invalid('tools', '`tools` must be an array');
  }
  return body as ChatCompletionRequest;
}

/** Returns the body as an embeddings request or throws a GatewayError naming the first bad field. */
export function validateEmbeddingsRequest(body: unknown): EmbeddingsRequest {
  if (!isObject(body)) throw new GatewayError('invalid_request', 'The body must be a JSON object');
  checkModel(body);
  const input = body.input;
  const bad = () =>
    invalid('input', '`input` must be a non-empty string, an array of strings, or token arrays');
  if (typeof input === 'string') {
    if (input.length === 0) throw bad();
  } else if (Array.isArray(input)) {
    if (input.length === 0) throw bad();
    const first: unknown = input[0];
    if (typeof first === 'string') {
      for (const item of input) if (typeof item !== 'string' || item.length === 0) throw bad();
    } else if (typeof first === 'number') {
      for (const item of input) if (!Number.isInteger(item)) throw bad();
    } else if (Array.isArray(first)) {
      for (const item of input) {
        if (!Array.isArray(item) || item.length === 0 || !item.every((token) => Number.isInteger(token)))
          throw bad();
      }
    } else {
      throw bad();
    }
  } else {
    throw bad();
  }
  const format = body.encoding_format;
  if (format !== undefined && format !== null && format !== 'float' && format !== 'base64') {
    throw invalid('encoding_format', '`encoding_format` must be "float" or "base64"');
  }
  checkOptionalPositiveInteger(body, 'dimensions');
  return body as EmbeddingsRequest;
}
