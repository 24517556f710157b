/**
 * GenerateContentResponse → OpenAI chat completion, plus the pieces the stream mapper shares: usage, tool call
 * ids, and reading a candidate's parts.
 */
import { GatewayError } from '../../errors/gateway-error.js';
import type { ChatCompletion, ToolCall, Usage } from '../../wire/openai.js';
import type { ParseResult, ResponseContext } from '../adapter.js';
import { googleErrorOf } from './map-error.js';
import { blockedPromptMessage, mapGeminiFinishReason } from './map-finish-reason.js';
import type { GeminiFunctionCall, GeminiPart, GeminiResponse, GeminiUsageMetadata } from './wire.js';

/**
 * Gemini function calls have no id (some models add one) but may carry a thought signature that Gemini 3
 * requires back on the next turn. OpenAI clients reliably return only the tool call id, so the signature rides
 * in it: `<id>__thought__<signature>`, split again when the conversation comes back.
 */
const SIGNATURE_SEPARATOR = '__thought__';

/** The OpenAI tool call id for a function call: its own id or `call_<n>`, with its signature appended. */
export function encodeToolCallId(call: GeminiFunctionCall, position: number, signature: unknown): string {
  const base = typeof call.id === 'string' && call.id !== '' ? call.id : `call_${position}`;
  return typeof signature === 'string' && signature !== ''
    ? `${base}${SIGNATURE_SEPARATOR}${signature}`
    : base;
}

/** Splits a tool call id made by encodeToolCallId back into the id and the thought signature. */
export function decodeToolCallId(id: string): { id: string; signature: string | undefined } {
  const at = id.indexOf(SIGNATURE_SEPARATOR);
  if (at < 0) return { id, signature: undefined };
  const signature = id.slice(at + SIGNATURE_SEPARATOR.length);
  return { id: id.slice(0, at), signature: signature === '' ? undefined : signature };
}

const count = (value: unknown): number => (typeof value === 'number' && Number.isFinite(value) ? value : 0);

/**
 * Google counts the prompt with its cached part included (as OpenAI does) and the answer without thoughts;
 * OpenAI's completion tokens include reasoning. Tool-use prompt tokens (server-side tool results) are prompt.
 */
export function mapGeminiUsage(usage: GeminiUsageMetadata): Usage {
  const promptTokens = count(usage.promptTokenCount) + count(usage.toolUsePromptTokenCount);
  const thoughts = count(usage.thoughtsTokenCount);
  const completionTokens = count(usage.candidatesTokenCount) + thoughts;
  const result: Usage = {
    prompt_tokens: promptTokens,
    completion_tokens: completionTokens,
    total_tokens: promptTokens + completionTokens,
  };
  if (typeof usage.cachedContentTokenCount === 'number') {
    result.prompt_tokens_details = { cached_tokens: usage.cachedContentTokenCount };
  }
  if (typeof usage.thoughtsTokenCount === 'number') {
    result.completion_tokens_details = { reasoning_tokens: usage.thoughtsTokenCount };
  }
  return result;
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** What one part contributes to an answer; parts of other kinds (code execution, images…) contribute nothing. */
export type PartReading =
  | { kind: 'text'; text: string }
  | { kind: 'reasoning'; text: string }
  | { kind: 'call'; call: GeminiFunctionCall; signature: unknown }
  | { kind: 'other' };

/** Classifies one part of a candidate's content. */
export function readPart(part: unknown): PartReading {
  if (!isObject(part)) return { kind: 'other' };
  const call = part.functionCall;
  if (isObject(call) && typeof call.name === 'string') {
    return { kind: 'call', call: call as unknown as GeminiFunctionCall, signature: part.thoughtSignature };
  }
  if (typeof part.text === 'string') {
    return part.thought === true ? { kind: 'reasoning', text: part.text } : { kind: 'text', text: part.text };
  }
  return { kind: 'other' };
}

/** The OpenAI form of a function call; `args` is re-serialised since Gemini sends it as an object. */
export function toolCallOf(call: GeminiFunctionCall, id: string): ToolCall {
  return {
    id,
    type: 'function',
    function: { name: call.name, arguments: JSON.stringify(isObject(call.args) ? call.args : {}) },
  };
}

/** The parts of a candidate, or nothing when it has no content (a blocked answer). */
export function partsOf(candidate: unknown): readonly GeminiPart[] {
  if (!isObject(candidate) || !isObject(candidate.content)) return [];
  const parts = candidate.content.parts;
  return Array.isArray(parts) ? (parts as GeminiPart[]) : [];
}

/** Parses a whole GenerateContent answer. */
export function parseGeminiChat(text: string, context: ResponseContext): ParseResult<ChatCompletion> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return badResponse('the answer is not JSON');
  }
  if (!isObject(parsed)) return badResponse('the answer is not a JSON object');
  const error = googleErrorOf(parsed);
  if (error) {
    const message = typeof error.message === 'string' ? error.message : 'the provider reported an error';
    return { ok: false, error: new GatewayError('upstream_error', message) };
  }
  const body = parsed as GeminiResponse;
  const usage = isObject(body.usageMetadata) ? mapGeminiUsage(body.usageMetadata) : undefined;
  const candidates = Array.isArray(body.candidates) ? body.candidates : [];
  const completion: ChatCompletion = {
    id: context.responseId,
    object: 'chat.completion',
    created: context.created,
    model: context.requestedModel,
    choices: [],
  };
  if (candidates.length === 0) {
    const feedback = isObject(body.promptFeedback) ? body.promptFeedback : {};
    if (typeof feedback.blockReason !== 'string') return badResponse('the answer has no candidates');
    // A blocked prompt is the provider's verdict, not a broken answer: report it as OpenAI reports filtering.
    const detail = typeof feedback.blockReasonMessage === 'string' ? feedback.blockReasonMessage : undefined;
    completion.choices.push({
      index: 0,
      message: {
        role: 'assistant',
        content: null,
        refusal: blockedPromptMessage(feedback.blockReason, detail),
      },
      finish_reason: 'content_filter',
      logprobs: null,
    });
  }
  let calls = 0;
  candidates.forEach((candidate, position) => {
    let content: string | null = null;
    let reasoning: string | undefined;
    const toolCalls: ToolCall[] = [];
    for (const part of partsOf(candidate)) {
      const reading = readPart(part);
      if (reading.kind === 'text') content = (content ?? '') + reading.text;
      else if (reading.kind === 'reasoning') reasoning = (reasoning ?? '') + reading.text;
      else if (reading.kind === 'call') {
        toolCalls.push(toolCallOf(reading.call, encodeToolCallId(reading.call, calls++, reading.signature)));
      }
    }
    const message: ChatCompletion['choices'][number]['message'] = { role: 'assistant', content };
    if (reasoning !== undefined) message.reasoning_content = reasoning;
    if (toolCalls.length > 0) message.tool_calls = toolCalls;
    const finishReason = isObject(candidate) ? candidate.finishReason : undefined;
    completion.choices.push({
      index: isObject(candidate) && typeof candidate.index === 'number' ? candidate.index : position,
      message,
      finish_reason: mapGeminiFinishReason(
        typeof finishReason === 'string' ? finishReason : undefined,
        toolCalls.length > 0,
      ),
      logprobs: null,
    });
  });
  if (usage) completion.usage = usage;
  return { ok: true, body: completion, usage };
}

function badResponse(why: string): { ok: false; error: GatewayError } {
  return {
    ok: false,
    error: new GatewayError('upstream_bad_response', `Gemini answer not understood: ${why}`),
  };
}
