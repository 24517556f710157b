/**
 * streamGenerateContent (`?alt=sse`) → OpenAI chunks. Every SSE event is a whole GenerateContentResponse
 * holding the next parts of each candidate; function calls arrive complete, never split across events.
 *
 * Gemini has no terminal event: a stream is complete once an event has given every candidate seen so far its
 * `finishReason` (that event also carries the final usage). A stream that ends before it is incomplete.
 */
import { GatewayError } from '../../errors/gateway-error.js';
import type { ChatCompletionChunk, Usage } from '../../wire/openai.js';
import type { ResponseContext, StreamMapper, StreamStep, UpstreamEvent } from '../adapter.js';
import { googleErrorOf } from './map-error.js';
import { mapGeminiFinishReason } from './map-finish-reason.js';
import { encodeToolCallId, mapGeminiUsage, partsOf, readPart, toolCallOf } from './parse-response.js';

type Choice = ChatCompletionChunk['choices'][number];

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

interface ChoiceState {
  toolCalls: number;
  finished: boolean;
}

/** Creates the mapper for one stream. */
export function createGeminiStreamMapper(context: ResponseContext): StreamMapper {
  const choices = new Map<number, ChoiceState>();
  let calls = 0;
  let usage: Usage | undefined;
  /** The last usageMetadata counted the candidates' tokens (a running total when the stream is not done). */
  let countsCandidates = false;
  let done = false;

  const chunk = (choice: Choice): ChatCompletionChunk => ({
    id: context.responseId,
    object: 'chat.completion.chunk',
    created: context.created,
    model: context.requestedModel,
    choices: [choice],
  });

  const stateOf = (index: number, out: ChatCompletionChunk[]): ChoiceState => {
    let state = choices.get(index);
    if (!state) {
      state = { toolCalls: 0, finished: false };
      choices.set(index, state);
      out.push(chunk({ index, delta: { role: 'assistant', content: '' }, finish_reason: null }));
    }
    return state;
  };

  const finish = (out: ChatCompletionChunk[]): StreamStep => {
    done = true;
    if (context.includeUsage && usage) {
      out.push({
        id: context.responseId,
        object: 'chat.completion.chunk',
        created: context.created,
        model: context.requestedModel,
        choices: [],
        usage,
      });
    }
    return { chunks: out, done: true };
  };

  const push = (event: UpstreamEvent): StreamStep => {
    if (done || event.kind !== 'sse' || event.data.trim() === '') return { chunks: [] };
    let parsed: unknown;
    try {
      parsed = JSON.parse(event.data);
    } catch {
      return failure('upstream_bad_response', 'Gemini sent a stream event that is not JSON');
    }
    const error = googleErrorOf(parsed);
    if (error) {
      const message = typeof error.message === 'string' ? error.message : 'no message';
      const status = typeof error.status === 'string' ? ` (${error.status})` : '';
      return failure('upstream_error', `Gemini reported an error mid-stream: ${message}${status}`);
    }
    if (!isObject(parsed))
      return failure('upstream_bad_response', 'Gemini sent a stream event that is not an object');
    if (isObject(parsed.usageMetadata)) {
      usage = mapGeminiUsage(parsed.usageMetadata);
      countsCandidates = typeof parsed.usageMetadata.candidatesTokenCount === 'number';
    }

    const out: ChatCompletionChunk[] = [];
    const candidates = Array.isArray(parsed.candidates) ? parsed.candidates : [];
    const feedback = isObject(parsed.promptFeedback) ? parsed.promptFeedback : undefined;
    if (candidates.length === 0 && typeof feedback?.blockReason === 'string') {
      stateOf(0, out);
      out.push(chunk({ index: 0, delta: {}, finish_reason: 'content_filter' }));
      return finish(out);
    }

    let finishedNow = false;
    candidates.forEach((candidate: unknown, position) => {
      const index = isObject(candidate) && typeof candidate.index === 'number' ? candidate.index : position;
      const state = stateOf(index, out);
      if (state.finished) return;
      for (const part of partsOf(candidate)) {
        const reading = readPart(part);
        if (reading.kind === 'text' && reading.text !== '') {
          out.push(chunk({ index, delta: { content: reading.text }, finish_reason: null }));
        } else if (reading.kind === 'reasoning' && reading.text !== '') {
          out.push(chunk({ index, delta: { reasoning_content: reading.text }, finish_reason: null }));
        } else if (reading.kind === 'call') {
          // A function call arrives whole, so its one delta carries the id, the name and all the arguments.
          const call = toolCallOf(reading.call, encodeToolCallId(reading.call, calls++, reading.signature));
          out.push(
            chunk({
              index,
              delta: { tool_calls: [{ index: state.toolCalls++, ...call }] },
              finish_reason: null,
            }),
          );
        }
      }
      const reason = isObject(candidate) ? candidate.finishReason : undefined;
      if (typeof reason === 'string' && reason !== '') {
        state.finished = true;
        finishedNow = true;
        const finishReason = mapGeminiFinishReason(reason, state.toolCalls > 0);
        out.push(chunk({ index, delta: {}, finish_reason: finishReason }));
      }
    });
    const allFinished = [...choices.values()].every((state) => state.finished);
    if (finishedNow && allFinished) return finish(out);
    return { chunks: out };
  };

  // usageMetadata before the finishing event holds running counts, which may lack candidatesTokenCount: without
  // it, a stream cut before its end keeps the prompt count and has its completion estimated from what was sent.
  return { push, usage: () => usage, usageCoversCompletion: () => done || countsCandidates };
}

function failure(code: 'upstream_error' | 'upstream_bad_response', message: string): StreamStep {
  return { chunks: [], error: new GatewayError(code, message) };
}
