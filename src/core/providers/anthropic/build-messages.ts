/**
 * OpenAI `messages` → Anthropic `system` + `messages`. Anthropic keeps the system prompt out of the turns,
 * wants tool results inside a user turn, and combines consecutive same-role turns, so this merges them itself
 * to keep the request it sends the request that is served.
 */
import { GatewayError } from '../../errors/gateway-error.js';
import { withFields } from '../../objects.js';
import type { ChatMessage } from '../../wire/openai.js';
import type {
  AnthropicCacheControl,
  AnthropicContentBlock,
  AnthropicImageBlock,
  AnthropicMessage,
  AnthropicTextBlock,
  AnthropicToolResultBlock,
} from './wire.js';

/** The translated conversation, or why it cannot be sent. */
export type MessagesResult =
  | { ok: true; system: AnthropicTextBlock[]; messages: AnthropicMessage[] }
  | { ok: false; error: GatewayError };

interface Turn {
  role: 'user' | 'assistant';
  blocks: AnthropicContentBlock[];
}

/** Image types the Messages API accepts (https://platform.claude.com/docs/en/build-with-claude/vision). */
const IMAGE_MEDIA_TYPES = new Set(['image/jpeg', 'image/png', 'image/gif', 'image/webp']);

class TranslationError extends Error {
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

function cacheControlOf(part: Record<string, unknown>): AnthropicCacheControl | undefined {
  const control = part.cache_control;
  return isRecord(control) && control.type === 'ephemeral'
    ? (control as unknown as AnthropicCacheControl)
    : undefined;
}

function textBlock(text: string, part?: Record<string, unknown>): AnthropicTextBlock {
  const control = part ? cacheControlOf(part) : undefined;
  return control ? { type: 'text', text, cache_control: control } : { type: 'text', text };
}

/** A `data:` URL becomes a base64 source; an http(s) URL a URL source Anthropic fetches itself. */
function imageBlock(part: Record<string, unknown>, param: string): AnthropicImageBlock {
  const imageUrl = part.image_url;
  const url = typeof imageUrl === 'string' ? imageUrl : isRecord(imageUrl) ? imageUrl.url : undefined;
  if (typeof url !== 'string' || url === '') throw new TranslationError(param, `${param} has no image URL`);
  const control = cacheControlOf(part);
  const withControl = (block: AnthropicImageBlock): AnthropicImageBlock =>
    control ? withFields(block, { cache_control: control }) : block;
  if (/^https?:\/\//i.test(url)) return withControl({ type: 'image', source: { type: 'url', url } });
  const match = /^data:([^;,]*)((?:;[^;,]*)*),(.*)$/is.exec(url);
  if (!match) {
    throw new TranslationError(param, `${param}: anthropic accepts images as https URLs or base64 data URLs`);
  }
  const mediaType = (match[1] ?? '').toLowerCase().replace('image/jpg', 'image/jpeg');
  const isBase64 = (match[2] ?? '').toLowerCase().split(';').includes('base64');
  if (!isBase64) throw new TranslationError(param, `${param}: image data URLs must be base64-encoded`);
  if (!IMAGE_MEDIA_TYPES.has(mediaType)) {
    throw new TranslationError(
      param,
      `${param}: image type '${mediaType}' is not supported by anthropic (jpeg, png, gif or webp)`,
    );
  }
  return withControl({
    type: 'image',
    source: { type: 'base64', media_type: mediaType, data: match[3] ?? '' },
  });
}

/** The blocks of a message's `content`; `allowImages` is false where Anthropic takes text only. */
function contentBlocks(
  content: ChatMessage['content'],
  param: string,
  allowImages: boolean,
): Array<AnthropicTextBlock | AnthropicImageBlock> {
  if (content === undefined || content === null) return [];
  if (typeof content === 'string') return content === '' ? [] : [textBlock(content)];
  if (!Array.isArray(content)) throw new TranslationError(param, `${param} must be a string or an array`);
  const blocks: Array<AnthropicTextBlock | AnthropicImageBlock> = [];
  content.forEach((part, index) => {
    const partParam = `${param}[${index}]`;
    if (!isRecord(part)) throw new TranslationError(partParam, `${partParam} is not a content part`);
    if (part.type === 'text' && typeof part.text === 'string') {
      // Anthropic refuses empty text blocks; an empty part carries nothing anyway.
      if (part.text !== '') blocks.push(textBlock(part.text, part));
    } else if (part.type === 'image_url' && allowImages) {
      blocks.push(imageBlock(part, partParam));
    } else {
      throw new TranslationError(
        partParam,
        `${partParam}: content part type '${String(part.type)}' is not supported by anthropic here`,
      );
    }
  });
  return blocks;
}

/** Thinking blocks an assistant turn carries back; ones without a signature cannot be verified, so are dropped. */
function thinkingBlocks(value: unknown): AnthropicContentBlock[] {
  if (!Array.isArray(value)) return [];
  const blocks: AnthropicContentBlock[] = [];
  for (const block of value) {
    if (!isRecord(block)) continue;
    if (
      block.type === 'thinking' &&
      typeof block.thinking === 'string' &&
      typeof block.signature === 'string'
    ) {
      blocks.push({ type: 'thinking', thinking: block.thinking, signature: block.signature });
    } else if (block.type === 'redacted_thinking' && typeof block.data === 'string') {
      blocks.push({ type: 'redacted_thinking', data: block.data });
    }
  }
  return blocks;
}

function toolUseBlocks(toolCalls: unknown, param: string): AnthropicContentBlock[] {
  if (!Array.isArray(toolCalls)) return [];
  return toolCalls.map((call, index) => {
    const callParam = `${param}[${index}]`;
    const fn = isRecord(call) && isRecord(call.function) ? call.function : undefined;
    if (!isRecord(call) || typeof call.id !== 'string' || !fn || typeof fn.name !== 'string') {
      throw new TranslationError(callParam, `${callParam} needs an id and a function name`);
    }
    const text = typeof fn.arguments === 'string' ? fn.arguments.trim() : '';
    let input: unknown = {};
    if (text !== '') {
      try {
        input = JSON.parse(text);
      } catch {
        input = undefined;
      }
    }
    if (!isRecord(input)) {
      throw new TranslationError(
        `${callParam}.function.arguments`,
        `${callParam}.function.arguments is not a JSON object; anthropic needs tool inputs as objects`,
      );
    }
    return { type: 'tool_use' as const, id: call.id, name: fn.name, input };
  });
}

function toolResultBlock(message: ChatMessage, param: string): AnthropicToolResultBlock {
  if (typeof message.tool_call_id !== 'string' || message.tool_call_id === '') {
    throw new TranslationError(`${param}.tool_call_id`, `${param} has no tool_call_id`);
  }
  const content = message.content;
  return {
    type: 'tool_result',
    tool_use_id: message.tool_call_id,
    content:
      typeof content === 'string' || content == null
        ? (content ?? '')
        : contentBlocks(content, `${param}.content`, true),
  };
}

function systemBlocks(message: ChatMessage, param: string): AnthropicTextBlock[] {
  return contentBlocks(message.content, `${param}.content`, false) as AnthropicTextBlock[];
}

/** A turn's content as Anthropic's shorthand string when it is one plain text block, else its blocks. */
function finishTurn(turn: Turn): AnthropicMessage {
  // Tool results must open the user turn that answers the tool calls; any text follows them.
  const blocks =
    turn.role === 'user'
      ? [
          ...turn.blocks.filter((block) => block.type === 'tool_result'),
          ...turn.blocks.filter((block) => block.type !== 'tool_result'),
        ]
      : turn.blocks;
  const only = blocks.length === 1 ? blocks[0] : undefined;
  if (only?.type === 'text' && !only.cache_control) return { role: turn.role, content: only.text };
  return { role: turn.role, content: blocks };
}

/** Translates the conversation; system and developer messages, wherever they are, join the system prompt. */
export function translateMessages(messages: readonly ChatMessage[]): MessagesResult {
  const system: AnthropicTextBlock[] = [];
  const turns: Turn[] = [];
  const append = (role: Turn['role'], blocks: AnthropicContentBlock[]): void => {
    if (blocks.length === 0) return;
    const last = turns.at(-1);
    if (last?.role === role) last.blocks.push(...blocks);
    else turns.push({ role, blocks: [...blocks] });
  };
  try {
    messages.forEach((message, index) => {
      const param = `messages[${index}]`;
      switch (message.role) {
        case 'system':
        case 'developer':
          system.push(...systemBlocks(message, param));
          break;
        case 'user':
          append('user', contentBlocks(message.content, `${param}.content`, true));
          break;
        case 'assistant':
          append('assistant', [
            ...thinkingBlocks(message.thinking_blocks),
            ...contentBlocks(message.content, `${param}.content`, false),
            ...toolUseBlocks(message.tool_calls, `${param}.tool_calls`),
          ]);
          break;
        case 'tool':
          append('user', [toolResultBlock(message, param)]);
          break;
        default:
          throw new TranslationError(
            `${param}.role`,
            `${param}: role '${String(message.role)}' is not supported by anthropic; use tool messages`,
          );
      }
    });
  } catch (error) {
    if (!(error instanceof TranslationError)) throw error;
    return {
      ok: false,
      error: new GatewayError('unsupported_parameter', error.message, { param: error.param }),
    };
  }
  return { ok: true, system, messages: turns.map(finishTurn) };
}
