/**
 * Anthropic stream events → OpenAI chunks, one event at a time
 * (https://platform.claude.com/docs/en/build-with-claude/streaming). Anthropic numbers content blocks across
 * all kinds; OpenAI numbers tool calls among themselves, so the mapper keeps its own tool-call counter.
 */
import { GatewayError } from '../../errors/gateway-error.js';
import type { ChatCompletionChunk, FinishReason, Usage } from '../../wire/openai.js';
import type { ResponseContext, StreamMapper, StreamStep, UpstreamEvent } from '../adapter.js';
import { mapAnthropicStopReason } from './map-finish-reason.js';
import { mapAnthropicUsage, mergeAnthropicUsage } from './map-usage.js';
import type { AnthropicUsage } from './wire.js';

type Delta = ChatCompletionChunk['choices'][number]['delta'];

type BlockState =
  | { kind: 'text' }
  | { kind: 'tool'; toolIndex: number; sentArguments: boolean }
  | { kind: 'thinking'; text: string; signature: string | undefined }
  | { kind: 'redacted'; data: string }
  /** Server-tool blocks and future kinds: nothing OpenAI's format can carry. */
  | { kind: 'other' };

const NOTHING: StreamStep = { chunks: [] };

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function text(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

class AnthropicStreamMapper implements StreamMapper {
  private started = false;
  private finished = false;
  private toolCount = 0;
  private readonly blocks = new Map<number, BlockState>();
  private anthropicUsage: AnthropicUsage | undefined;
  /** `message_delta` brought the output count (message_start's is a placeholder). */
  private outputCounted = false;

  constructor(private readonly context: ResponseContext) {}

  push(event: UpstreamEvent): StreamStep {
    if (event.kind !== 'sse') return NOTHING;
    let data: unknown;
    try {
      data = JSON.parse(event.data);
    } catch {
      return {
        chunks: [],
        error: new GatewayError('upstream_bad_response', 'anthropic sent a stream event that is not JSON'),
      };
    }
    if (!isRecord(data)) return NOTHING;
    const type = typeof data.type === 'string' ? data.type : event.event;
    switch (type) {
      case 'message_start':
        return this.messageStart(data);
      case 'content_block_start':
        return this.blockStart(data);
      case 'content_block_delta':
        return this.blockDelta(data);
      case 'content_block_stop':
        return this.blockStop(data);
      case 'message_delta':
        return this.messageDelta(data);
      case 'message_stop':
        return this.messageStop();
      case 'error':
        return { chunks: [], error: streamError(data) };
      default:
        // `ping`, and event types Anthropic may add: its versioning policy says to ignore unknown ones.
        return NOTHING;
    }
  }

  usage(): Usage | undefined {
    return this.anthropicUsage ? mapAnthropicUsage(this.anthropicUsage) : undefined;
  }

  usageCoversCompletion(): boolean {
    return this.outputCounted;
  }

  private chunk(delta: Delta, finishReason: FinishReason | null = null): ChatCompletionChunk {
    return {
      id: this.context.responseId,
      object: 'chat.completion.chunk',
      created: this.context.created,
      model: this.context.requestedModel,
      choices: [{ index: 0, delta, finish_reason: finishReason }],
    };
  }

  /** The chunks for a delta, preceded by the role chunk when nothing has been sent yet. */
  private emit(...deltas: Delta[]): StreamStep {
    const chunks: ChatCompletionChunk[] = [];
    if (!this.started) {
      this.started = true;
      chunks.push(this.chunk({ role: 'assistant', content: '' }));
    }
    for (const delta of deltas) chunks.push(this.chunk(delta));
    return { chunks };
  }

  private recordUsage(usage: unknown): void {
    if (!isRecord(usage)) return;
    this.anthropicUsage = mergeAnthropicUsage(this.anthropicUsage ?? {}, usage as AnthropicUsage);
  }

  private messageStart(data: Record<string, unknown>): StreamStep {
    if (isRecord(data.message)) this.recordUsage(data.message.usage);
    return this.emit();
  }

  private blockStart(data: Record<string, unknown>): StreamStep {
    const index = typeof data.index === 'number' ? data.index : -1;
    const block = isRecord(data.content_block) ? data.content_block : {};
    switch (block.type) {
      case 'text': {
        this.blocks.set(index, { kind: 'text' });
        const initial = text(block.text);
        return initial === '' ? this.emit() : this.emit({ content: initial });
      }
      case 'tool_use': {
        const state = { kind: 'tool' as const, toolIndex: this.toolCount++, sentArguments: false };
        this.blocks.set(index, state);
        const deltas: Delta[] = [
          {
            tool_calls: [
              {
                index: state.toolIndex,
                id: text(block.id),
                type: 'function',
                function: { name: text(block.name), arguments: '' },
              },
            ],
          },
        ];
        // Anthropic starts tool blocks with an empty input; a non-empty one is sent whole rather than lost.
        if (isRecord(block.input) && Object.keys(block.input).length > 0) {
          state.sentArguments = true;
          deltas.push(this.argumentsDelta(state.toolIndex, JSON.stringify(block.input)));
        }
        return this.emit(...deltas);
      }
      case 'thinking': {
        const initial = text(block.thinking);
        const signature = text(block.signature) || undefined;
        this.blocks.set(index, { kind: 'thinking', text: initial, signature });
        return initial === '' ? this.emit() : this.emit({ reasoning_content: initial });
      }
      case 'redacted_thinking':
        this.blocks.set(index, { kind: 'redacted', data: text(block.data) });
        return this.emit();
      default:
        this.blocks.set(index, { kind: 'other' });
        return NOTHING;
    }
  }

  private argumentsDelta(toolIndex: number, piece: string): Delta {
    return { tool_calls: [{ index: toolIndex, function: { arguments: piece } }] };
  }

  private blockDelta(data: Record<string, unknown>): StreamStep {
    const index = typeof data.index === 'number' ? data.index : -1;
    const delta = isRecord(data.delta) ? data.delta : {};
    const state =
      this.blocks.get(index) ?? (delta.type === 'text_delta' ? { kind: 'text' as const } : undefined);
    if (!state) return NOTHING;
    switch (delta.type) {
      case 'text_delta': {
        const piece = text(delta.text);
        return state.kind === 'text' && piece !== '' ? this.emit({ content: piece }) : NOTHING;
      }
      case 'input_json_delta': {
        const piece = text(delta.partial_json);
        if (state.kind !== 'tool' || piece === '') return NOTHING;
        state.sentArguments = true;
        return this.emit(this.argumentsDelta(state.toolIndex, piece));
      }
      case 'thinking_delta': {
        const piece = text(delta.thinking);
        if (state.kind !== 'thinking' || piece === '') return NOTHING;
        state.text += piece;
        return this.emit({ reasoning_content: piece });
      }
      case 'signature_delta':
        if (state.kind === 'thinking') state.signature = (state.signature ?? '') + text(delta.signature);
        return NOTHING;
      default:
        // citations_delta and future kinds carry nothing OpenAI's format has a place for.
        return NOTHING;
    }
  }

  private blockStop(data: Record<string, unknown>): StreamStep {
    const index = typeof data.index === 'number' ? data.index : -1;
    const state = this.blocks.get(index);
    this.blocks.delete(index);
    if (state?.kind === 'thinking') {
      const block =
        state.signature === undefined
          ? { type: 'thinking' as const, thinking: state.text }
          : { type: 'thinking' as const, thinking: state.text, signature: state.signature };
      return this.emit({ thinking_blocks: [block] });
    }
    if (state?.kind === 'redacted') {
      return this.emit({ thinking_blocks: [{ type: 'redacted_thinking', data: state.data }] });
    }
    // A tool that takes no input streams no JSON; '{}' keeps the accumulated arguments parseable.
    if (state?.kind === 'tool' && !state.sentArguments)
      return this.emit(this.argumentsDelta(state.toolIndex, '{}'));
    return NOTHING;
  }

  private messageDelta(data: Record<string, unknown>): StreamStep {
    this.recordUsage(data.usage);
    if (isRecord(data.usage) && typeof data.usage.output_tokens === 'number') this.outputCounted = true;
    const delta = isRecord(data.delta) ? data.delta : {};
    const stopReason = typeof delta.stop_reason === 'string' ? delta.stop_reason : undefined;
    if (stopReason === undefined || this.finished) return NOTHING;
    return this.finish(mapAnthropicStopReason(stopReason));
  }

  private finish(reason: FinishReason): StreamStep {
    this.finished = true;
    const step = this.emit();
    return { chunks: [...step.chunks, this.chunk({}, reason)] };
  }

  private messageStop(): StreamStep {
    const chunks = this.finished ? [] : [...this.finish('stop').chunks];
    const usage = this.usage();
    if (this.context.includeUsage && usage) {
      chunks.push({
        id: this.context.responseId,
        object: 'chat.completion.chunk',
        created: this.context.created,
        model: this.context.requestedModel,
        choices: [],
        usage,
      });
    }
    return { chunks, done: true };
  }
}

/** An `error` event: Anthropic's way of failing a stream that has already started (e.g. `overloaded_error`). */
function streamError(data: Record<string, unknown>): GatewayError {
  const error = isRecord(data.error) ? data.error : {};
  const kind = text(error.type) || 'error';
  const message = text(error.message) || 'no message';
  return new GatewayError('upstream_error', `anthropic failed mid-stream with ${kind}: ${message}`);
}

/** A mapper for one Anthropic (or Claude on Vertex) stream. */
export function createAnthropicStreamMapper(context: ResponseContext): StreamMapper {
  return new AnthropicStreamMapper(context);
}
