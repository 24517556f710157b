/**
 * Translates a Converse answer into an OpenAI chat completion.
 */
import { GatewayError } from '../../errors/gateway-error.js';
import type { ChatCompletion, ThinkingBlock, ToolCall, Usage } from '../../wire/openai.js';
import type { ParseResult, ResponseContext } from '../adapter.js';
import { mapStopReason } from './map-finish-reason.js';
import { type ConverseResponse, type ConverseUsage, isRecord } from './wire.js';

function count(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : 0;
}

/**
 * OpenAI usage from Converse's. Bedrock counts cache reads and writes apart from `inputTokens` (as Anthropic
 * does), while OpenAI's prompt_tokens includes cached tokens, so they are added back in.
 */
export function toUsage(usage: ConverseUsage | undefined): Usage | undefined {
  if (!isRecord(usage)) return undefined;
  const cacheRead = count(usage.cacheReadInputTokens);
  const cacheWrite = count(usage.cacheWriteInputTokens);
  const prompt = count(usage.inputTokens) + cacheRead + cacheWrite;
  const completion = count(usage.outputTokens);
  const result: Usage = {
    prompt_tokens: prompt,
    completion_tokens: completion,
    total_tokens: prompt + completion,
  };
  if (usage.cacheReadInputTokens !== undefined || usage.cacheWriteInputTokens !== undefined) {
    const details: NonNullable<Usage['prompt_tokens_details']> = { cached_tokens: cacheRead };
    if (usage.cacheWriteInputTokens !== undefined) details.cache_write_tokens = cacheWrite;
    result.prompt_tokens_details = details;
  }
  return result;
}

function badResponse(why: string): ParseResult<ChatCompletion> {
  return {
    ok: false,
    error: new GatewayError('upstream_bad_response', `Bedrock sent an unreadable answer: ${why}`),
  };
}

/** Parses a `/converse` body into an OpenAI chat completion. */
export function parseBedrockChat(text: string, context: ResponseContext): ParseResult<ChatCompletion> {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return badResponse('the body is not JSON');
  }
  if (!isRecord(body)) return badResponse('the body is not a JSON object');
  const response = body as ConverseResponse;
  const content = response.output?.message?.content;
  if (!Array.isArray(content)) return badResponse('output.message.content is missing');

  const texts: string[] = [];
  const toolCalls: ToolCall[] = [];
  let reasoning = '';
  const thinkingBlocks: ThinkingBlock[] = [];
  for (const block of content) {
    if (!isRecord(block)) continue;
    if (typeof block.text === 'string') {
      texts.push(block.text);
    } else if (isRecord(block.toolUse)) {
      const use = block.toolUse;
      toolCalls.push({
        id: String(use.toolUseId ?? ''),
        type: 'function',
        function: { name: String(use.name ?? ''), arguments: JSON.stringify(use.input ?? {}) },
      });
    } else if (isRecord(block.reasoningContent)) {
      const reasoningContent = block.reasoningContent;
      if (isRecord(reasoningContent.reasoningText)) {
        const thinking = String(reasoningContent.reasoningText.text ?? '');
        reasoning += thinking;
        const signature = reasoningContent.reasoningText.signature;
        thinkingBlocks.push(
          typeof signature === 'string'
            ? { type: 'thinking', thinking, signature }
            : { type: 'thinking', thinking },
        );
      } else if (typeof reasoningContent.redactedContent === 'string') {
        thinkingBlocks.push({ type: 'redacted_thinking', data: reasoningContent.redactedContent });
      }
    }
    // Other blocks (citations, guard content) have no OpenAI counterpart.
  }

  const message: ChatCompletion['choices'][number]['message'] = {
    role: 'assistant',
    content: texts.length > 0 ? texts.join('') : null,
  };
  if (toolCalls.length > 0) message.tool_calls = toolCalls;
  if (reasoning !== '') message.reasoning_content = reasoning;
  if (thinkingBlocks.length > 0) message.thinking_blocks = thinkingBlocks;

  const usage = toUsage(response.usage);
  const completion: ChatCompletion = {
    id: context.responseId,
    object: 'chat.completion',
    created: context.created,
    model: context.requestedModel,
    choices: [{ index: 0, message, finish_reason: mapStopReason(response.stopReason), logprobs: null }],
  };
  if (usage) completion.usage = usage;
  return { ok: true, body: completion, usage };
}
