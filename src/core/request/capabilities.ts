/**
 * Which declared model capability a request needs: tools, image input, JSON output, streaming. A request that
 * needs one its model lacks is refused before any upstream is called, with the parameter named.
 */
import type { ModelCapabilities } from '../snapshot/source.js';
import type { ChatCompletionRequest, EmbeddingsRequest } from '../wire/openai.js';

export interface MissingCapability {
  /** What is missing, in words. */
  what: string;
  /** The request parameter that needs it. */
  param: string;
}

/** The first capability the request needs that the model lacks, or undefined. */
export function missingCapability(
  request: ChatCompletionRequest | EmbeddingsRequest,
  capabilities: ModelCapabilities,
  endpoint: 'chat' | 'embeddings',
): MissingCapability | undefined {
  if (endpoint !== 'chat') return undefined;
  const chat = request as ChatCompletionRequest;
  if (chat.stream === true && !capabilities.streaming) return { what: 'streaming', param: 'stream' };
  if (!capabilities.tools && Array.isArray(chat.tools) && chat.tools.length > 0)
    return { what: 'tools', param: 'tools' };
  if (!capabilities.jsonMode && isJsonFormat(chat.response_format))
    return { what: 'JSON output', param: 'response_format' };
  if (!capabilities.vision && hasImage(chat)) return { what: 'image input', param: 'messages' };
  return undefined;
}

function isJsonFormat(format: unknown): boolean {
  const type = (format as { type?: unknown } | null | undefined)?.type;
  return type === 'json_object' || type === 'json_schema';
}

function hasImage(request: ChatCompletionRequest): boolean {
  for (const message of request.messages) {
    if (!Array.isArray(message.content)) continue;
    for (const part of message.content) if (part.type === 'image_url') return true;
  }
  return false;
}
