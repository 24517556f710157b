/**
 * Translates a ConverseStream, message by message, into OpenAI chunks. Bedrock's order is messageStart,
 * then per content block contentBlockStart (tool calls only) / contentBlockDelta... / contentBlockStop, then
 * messageStop (the stop reason) and finally metadata (usage), which is the stream's terminal event.
 */
import { GatewayError } from '../../errors/gateway-error.js';
import type { ChatCompletionChunk, FinishReason, ThinkingBlock, Usage } from '../../wire/openai.js';
import type { ResponseContext, StreamMapper, StreamStep, UpstreamEvent } from '../adapter.js';
import { streamExceptionError } from './map-error.js';
import { mapStopReason } from './map-finish-reason.js';
import { toUsage } from './parse-response.js';
import { type ConverseStreamPayloads, isRecord } from './wire.js';

type Delta = ChatCompletionChunk['choices'][number]['delta'];

interface ReasoningBlock {
  text: string;
  signature: string | undefined;
  redacted: string | undefined;
}

const NOTHING: StreamStep = { chunks: [] };

class ConverseStreamMapper implements StreamMapper {
  private started = false;
  private stopped = false;
  private reported: Usage | undefined;
  /** OpenAI tool call index of each Converse content block that is a tool call. */
  private readonly toolIndexes = new Map<number, number>();
  private readonly reasoningBlocks = new Map<number, ReasoningBlock>();

  constructor(private readonly context: ResponseContext) {}

  usage(): Usage | undefined {
    return this.reported;
  }

  push(event: UpstreamEvent): StreamStep {
    if (event.kind !== 'aws') {
      return this.fail('upstream_bad_response', 'Bedrock stream carried a non event-stream event');
    }
    if (event.messageType !== 'event')
      return { chunks: [], error: streamExceptionError(event.eventType, event.payload) };
    let payload: unknown;
    try {
      payload = JSON.parse(event.payload);
    } catch {
      return this.fail('upstream_bad_response', `Bedrock sent an unreadable ${event.eventType} event`);
    }
    if (!isRecord(payload))
      return this.fail('upstream_bad_response', `Bedrock sent an empty ${event.eventType} event`);
    switch (event.eventType) {
      case 'messageStart':
        return { chunks: this.opening() };
      case 'contentBlockStart':
        return this.blockStart(payload as ConverseStreamPayloads['contentBlockStart']);
      case 'contentBlockDelta':
        return this.blockDelta(payload as ConverseStreamPayloads['contentBlockDelta']);
      case 'contentBlockStop':
        return this.blockStop(payload as ConverseStreamPayloads['contentBlockStop']);
      case 'messageStop':
        return this.messageStop(payload as ConverseStreamPayloads['messageStop']);
      case 'metadata':
        return this.metadata(payload as ConverseStreamPayloads['metadata']);
      default:
        // Events Junction has no use for (e.g. a future addition) are skipped rather than fatal.
        return NOTHING;
    }
  }

  private fail(code: 'upstream_bad_response', message: string): StreamStep {
    return { chunks: [], error: new GatewayError(code, message) };
  }

  private chunk(delta: Delta, finishReason: FinishReason | null = null): ChatCompletionChunk {
    return {
      id: this.context.responseId,
      object: 'chat.completion.chunk',
      created: this.context.created,
      model: this.context.requestedModel,
      choices: [{ index: 0, delta, finish_reason: finishReason, logprobs: null }],
    };
  }

  /** The role chunk, once, before anything else. */
  private opening(): ChatCompletionChunk[] {
    if (this.started) return [];
    this.started = true;
    return [this.chunk({ role: 'assistant', content: '' })];
  }

  private blockStart(payload: ConverseStreamPayloads['contentBlockStart']): StreamStep {
    const toolUse = payload.start?.toolUse;
    if (!isRecord(toolUse)) return NOTHING;
    const toolIndex = this.toolIndexes.size;
    this.toolIndexes.set(payload.contentBlockIndex ?? toolIndex, toolIndex);
    const chunks = this.opening();
    chunks.push(
      this.chunk({
        tool_calls: [
          {
            index: toolIndex,
            id: String(toolUse.toolUseId ?? ''),
            type: 'function',
            function: { name: String(toolUse.name ?? ''), arguments: '' },
          },
        ],
      }),
    );
    return { chunks };
  }

  private blockDelta(payload: ConverseStreamPayloads['contentBlockDelta']): StreamStep {
    const delta = payload.delta;
    if (!isRecord(delta)) return NOTHING;
    const blockIndex = payload.contentBlockIndex ?? 0;
    const chunks = this.opening();
    if (typeof delta.text === 'string') {
      if (delta.text !== '') chunks.push(this.chunk({ content: delta.text }));
    } else if (isRecord(delta.toolUse)) {
      const toolIndex = this.toolIndexes.get(blockIndex);
      if (toolIndex === undefined) {
        return this.fail(
          'upstream_bad_response',
          'Bedrock streamed tool input for a tool call it never started',
        );
      }
      const input = typeof delta.toolUse.input === 'string' ? delta.toolUse.input : '';
      if (input !== '')
        chunks.push(this.chunk({ tool_calls: [{ index: toolIndex, function: { arguments: input } }] }));
    } else if (isRecord(delta.reasoningContent)) {
      const reasoning = delta.reasoningContent;
      let block = this.reasoningBlocks.get(blockIndex);
      if (!block) {
        block = { text: '', signature: undefined, redacted: undefined };
        this.reasoningBlocks.set(blockIndex, block);
      }
      if (typeof reasoning.text === 'string' && reasoning.text !== '') {
        block.text += reasoning.text;
        chunks.push(this.chunk({ reasoning_content: reasoning.text }));
      }
      if (typeof reasoning.signature === 'string')
        block.signature = (block.signature ?? '') + reasoning.signature;
      if (typeof reasoning.redactedContent === 'string') {
        block.redacted = (block.redacted ?? '') + reasoning.redactedContent;
      }
    }
    return { chunks };
  }

  /** A finished reasoning block is handed over whole, signature included, so it can be sent back next turn. */
  private blockStop(payload: ConverseStreamPayloads['contentBlockStop']): StreamStep {
    const blockIndex = payload.contentBlockIndex ?? 0;
    const block = this.reasoningBlocks.get(blockIndex);
    if (!block) return NOTHING;
    this.reasoningBlocks.delete(blockIndex);
    const thinking: ThinkingBlock =
      block.redacted !== undefined
        ? { type: 'redacted_thinking', data: block.redacted }
        : block.signature !== undefined
          ? { type: 'thinking', thinking: block.text, signature: block.signature }
          : { type: 'thinking', thinking: block.text };
    return { chunks: [this.chunk({ thinking_blocks: [thinking] })] };
  }

  private messageStop(payload: ConverseStreamPayloads['messageStop']): StreamStep {
    this.stopped = true;
    const chunks = this.opening();
    chunks.push(this.chunk({}, mapStopReason(payload.stopReason)));
    return { chunks };
  }

  private metadata(payload: ConverseStreamPayloads['metadata']): StreamStep {
    if (!this.stopped) {
      return this.fail('upstream_bad_response', 'Bedrock ended the stream with metadata but no messageStop');
    }
    this.reported = toUsage(payload.usage);
    if (!this.context.includeUsage || !this.reported) return { chunks: [], done: true };
    const usageChunk: ChatCompletionChunk = {
      id: this.context.responseId,
      object: 'chat.completion.chunk',
      created: this.context.created,
      model: this.context.requestedModel,
      choices: [],
      usage: this.reported,
    };
    return { chunks: [usageChunk], done: true };
  }
}

/** A mapper for one ConverseStream answer. */
export function createBedrockStreamMapper(context: ResponseContext): StreamMapper {
  return new ConverseStreamMapper(context);
}
