/** A whole Anthropic message → an OpenAI chat completion. */
import { GatewayError } from '../../errors/gateway-error.js';
import type { ChatCompletion, ThinkingBlock, ToolCall } from '../../wire/openai.js';
import type { ParseResult, ResponseContext } from '../adapter.js';
import { mapAnthropicStopReason } from './map-finish-reason.js';
import { mapAnthropicUsage } from './map-usage.js';
import type { AnthropicUsage } from './wire.js';

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function badResponse(why: string): ParseResult<ChatCompletion> {
  return { ok: false, error: new GatewayError('upstream_bad_response', `anthropic sent ${why}`) };
}

type Message = ChatCompletion['choices'][number]['message'];

/** Reads the content blocks in order; block types the gateway cannot express (server tools) are skipped. */
function readContent(blocks: readonly unknown[]): Message {
  const texts: string[] = [];
  const reasoning: string[] = [];
  const toolCalls: ToolCall[] = [];
  const thinkingBlocks: ThinkingBlock[] = [];
  for (const block of blocks) {
    if (!isRecord(block)) continue;
    if (block.type === 'text' && typeof block.text === 'string') {
      texts.push(block.text);
    } else if (block.type === 'tool_use' && typeof block.id === 'string' && typeof block.name === 'string') {
      toolCalls.push({
        id: block.id,
        type: 'function',
        function: { name: block.name, arguments: JSON.stringify(block.input ?? {}) },
      });
    } else if (block.type === 'thinking' && typeof block.thinking === 'string') {
      reasoning.push(block.thinking);
      thinkingBlocks.push(
        typeof block.signature === 'string'
          ? { type: 'thinking', thinking: block.thinking, signature: block.signature }
          : { type: 'thinking', thinking: block.thinking },
      );
    } else if (block.type === 'redacted_thinking' && typeof block.data === 'string') {
      thinkingBlocks.push({ type: 'redacted_thinking', data: block.data });
    }
  }
  const message: Message = { role: 'assistant', content: texts.length > 0 ? texts.join('') : null };
  if (reasoning.length > 0) message.reasoning_content = reasoning.join('');
  if (thinkingBlocks.length > 0) message.thinking_blocks = thinkingBlocks;
  if (toolCalls.length > 0) message.tool_calls = toolCalls;
  return message;
}

/** Parses a `type: 'message'` body; anything else is an upstream that cannot be understood. */
export function parseAnthropicChat(text: string, context: ResponseContext): ParseResult<ChatCompletion> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return badResponse('a body that is not JSON');
  }
  if (!isRecord(parsed) || parsed.type !== 'message' || !Array.isArray(parsed.content)) {
    return badResponse('a body that is not a message');
  }
  const usage = isRecord(parsed.usage) ? mapAnthropicUsage(parsed.usage as AnthropicUsage) : undefined;
  const stopReason = typeof parsed.stop_reason === 'string' ? parsed.stop_reason : null;
  const body: ChatCompletion = {
    id: context.responseId,
    object: 'chat.completion',
    created: context.created,
    model: context.requestedModel,
    choices: [
      {
        index: 0,
        message: readContent(parsed.content),
        finish_reason: mapAnthropicStopReason(stopReason),
        logprobs: null,
      },
    ],
  };
  if (usage) body.usage = usage;
  return { ok: true, body, usage };
}
