/**
 * Request capture: the prompt and answer bodies of requests whose key or team has capture on, for the request
 * log. A capture travels through the usage spool as its own line (`kind: "capture"`) after the request's usage
 * record, and is stored in `request_captures` under the same id.
 *
 * Secrets are redacted here, before the capture reaches the spool or any other disk: nothing a caller sent in a
 * prompt or a model echoed in an answer is written anywhere unredacted. A streamed answer is first assembled
 * into one chat completion (content, tool calls, finish reason, usage), so a secret split across events is
 * whole again when it is redacted, and the stored answer reads like a JSON answer. A body longer than the
 * capture limit is cut, redacted first; a token cut in half at the end is dropped so no fragment of a secret
 * survives the cut.
 */

import { SseParser } from '../core/sse/sse-parser.js';
import { redactBody } from '../core/text/redact.js';

/** One captured request as the spool and `request_captures` hold it. */
export interface CaptureRecord {
  kind: 'capture';
  /** The request's usage record id. */
  id: string;
  requestId: string;
  /** ISO time the request arrived. */
  at: string;
  keyId: string | null;
  teamId: string | null;
  requestBody: string | null;
  responseBody: string | null;
  /** A body was cut at the capture limit. */
  truncated: boolean;
}

export interface CaptureInput {
  id: string;
  requestId: string;
  at: string;
  keyId: string | null;
  teamId: string | null;
  requestText: string | null;
  /** What the client was sent: a JSON answer, an error, or an event stream. */
  responseText: string | null;
  /** The answer was an event stream. */
  stream: boolean;
  /** The response was already cut before it reached here (the tap's own limit). */
  responseCut: boolean;
  /** Most bytes kept of each body. */
  maxBytes: number;
}

/** The redacted, size-limited capture of one request. */
export function captureRecord(input: CaptureInput): CaptureRecord {
  const request =
    input.requestText === null ? undefined : limited(redactBody(input.requestText), input.maxBytes);
  const answer =
    input.responseText === null
      ? undefined
      : limited(
          redactBody(input.stream ? assembleChatStream(input.responseText) : input.responseText),
          input.maxBytes,
        );
  return {
    kind: 'capture',
    id: input.id,
    requestId: input.requestId,
    at: input.at,
    keyId: input.keyId,
    teamId: input.teamId,
    requestBody: request?.text ?? null,
    responseBody: answer?.text ?? null,
    truncated: (request?.cut ?? false) || (answer?.cut ?? false) || input.responseCut,
  };
}

/** `text` cut to `maxBytes` of UTF-8 at a character boundary, without a trailing token fragment. */
export function limited(text: string, maxBytes: number): { text: string; cut: boolean } {
  if (text.length <= maxBytes / 3 || Buffer.byteLength(text) <= maxBytes) return { text, cut: false };
  let cut = Buffer.from(text).subarray(0, maxBytes).toString('utf8');
  if (cut.endsWith('\uFFFD')) cut = cut.slice(0, -1);
  return { text: cut.replace(/[A-Za-z0-9_+/=.~-]{1,512}$/, ''), cut: true };
}

interface StreamedChoice {
  index: number;
  message: { role: string; content: string | null; tool_calls?: StreamedToolCall[]; refusal?: string };
  finish_reason: string | null;
}

interface StreamedToolCall {
  index: number;
  id?: string;
  type?: string;
  function: { name: string; arguments: string };
}

interface ChunkDelta {
  role?: string;
  content?: string | null;
  refusal?: string | null;
  tool_calls?: Array<{
    index?: number;
    id?: string;
    type?: string;
    function?: { name?: string; arguments?: string };
  }>;
}

interface Chunk {
  id?: string;
  model?: string;
  created?: number;
  choices?: Array<{ index?: number; delta?: ChunkDelta; finish_reason?: string | null }>;
  usage?: unknown;
  error?: unknown;
}

/**
 * An OpenAI chat completion event stream as one `chat.completion` JSON text: each choice's content, refusal and
 * tool calls joined in order, with the last finish reason, the usage and any error event. Events that are not
 * JSON are kept under `unparsed`.
 */
export function assembleChatStream(sse: string): string {
  const parser = new SseParser();
  const events = [...parser.push(sse), ...parser.push('\n\n')];
  const choices = new Map<number, StreamedChoice>();
  const assembled: Record<string, unknown> = { object: 'chat.completion' };
  const unparsed: string[] = [];
  for (const event of events) {
    if (event.data === '[DONE]') continue;
    let chunk: Chunk;
    try {
      chunk = JSON.parse(event.data) as Chunk;
    } catch {
      unparsed.push(event.data);
      continue;
    }
    if (chunk === null || typeof chunk !== 'object') continue;
    if (chunk.id !== undefined) assembled.id ??= chunk.id;
    if (chunk.model !== undefined) assembled.model ??= chunk.model;
    if (chunk.created !== undefined) assembled.created ??= chunk.created;
    if (chunk.usage) assembled.usage = chunk.usage;
    if (chunk.error !== undefined) assembled.error = chunk.error;
    for (const part of chunk.choices ?? []) addDelta(choices, part);
  }
  assembled.choices = [...choices.values()].sort((a, b) => a.index - b.index);
  if (unparsed.length > 0) assembled.unparsed = unparsed;
  return JSON.stringify(assembled);
}

function addDelta(
  choices: Map<number, StreamedChoice>,
  part: { index?: number; delta?: ChunkDelta; finish_reason?: string | null },
): void {
  const index = part.index ?? 0;
  let choice = choices.get(index);
  if (!choice) {
    choice = { index, message: { role: 'assistant', content: null }, finish_reason: null };
    choices.set(index, choice);
  }
  const delta = part.delta ?? {};
  if (delta.role) choice.message.role = delta.role;
  if (typeof delta.content === 'string')
    choice.message.content = (choice.message.content ?? '') + delta.content;
  if (typeof delta.refusal === 'string')
    choice.message.refusal = (choice.message.refusal ?? '') + delta.refusal;
  for (const call of delta.tool_calls ?? []) {
    choice.message.tool_calls ??= [];
    const calls = choice.message.tool_calls;
    const callIndex = call.index ?? calls.length;
    let target = calls.find((existing) => existing.index === callIndex);
    if (!target) {
      target = { index: callIndex, function: { name: '', arguments: '' } };
      calls.push(target);
    }
    if (call.id) target.id = call.id;
    if (call.type) target.type = call.type;
    if (call.function?.name) target.function.name += call.function.name;
    if (call.function?.arguments) target.function.arguments += call.function.arguments;
  }
  if (part.finish_reason) choice.finish_reason = part.finish_reason;
}
