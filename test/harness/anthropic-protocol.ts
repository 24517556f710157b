/**
 * Teaches the fake upstream to answer like the Anthropic Messages API: whole messages, SSE streams framed as
 * Anthropic frames them (`event: <type>\ndata: <json>\n\n`), errors in Anthropic's shape, and a default handler
 * for `POST …/messages` that answers from the request body and checks `x-api-key` / `anthropic-version`.
 */
import type { ServerResponse } from 'node:http';
import type {
  AnthropicResponse,
  AnthropicResponseBlock,
  AnthropicUsage,
} from '../../src/core/providers/anthropic/wire.js';
import type { RecordedRequest, Reply, Route } from './fake-upstream.js';
import { resetConnection, sleep, write } from './fake-upstream-replies.js';

export const ANTHROPIC_FAKE_MODEL = 'claude-fake-1';

/** One SSE event as Anthropic sends it: the `event:` name is always the payload's `type`. */
export interface AnthropicSseEvent {
  event: string;
  data: Record<string, unknown>;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const sse = (data: Record<string, unknown> & { type: string }): AnthropicSseEvent => ({
  event: data.type,
  data,
});

/** Builders for every Anthropic stream event, so tests can script streams event by event. */
export const anthropicEvents = {
  messageStart: (options: { id?: string; model?: string; usage?: AnthropicUsage } = {}) =>
    sse({
      type: 'message_start',
      message: {
        id: options.id ?? 'msg_fake_stream',
        type: 'message',
        role: 'assistant',
        content: [],
        model: options.model ?? ANTHROPIC_FAKE_MODEL,
        stop_reason: null,
        stop_sequence: null,
        usage: { input_tokens: 1, output_tokens: 1, ...options.usage },
      },
    }),
  contentBlockStart: (index: number, block: Record<string, unknown>) =>
    sse({ type: 'content_block_start', index, content_block: block }),
  textDelta: (index: number, text: string) =>
    sse({ type: 'content_block_delta', index, delta: { type: 'text_delta', text } }),
  inputJsonDelta: (index: number, partialJson: string) =>
    sse({
      type: 'content_block_delta',
      index,
      delta: { type: 'input_json_delta', partial_json: partialJson },
    }),
  thinkingDelta: (index: number, thinking: string) =>
    sse({ type: 'content_block_delta', index, delta: { type: 'thinking_delta', thinking } }),
  signatureDelta: (index: number, signature: string) =>
    sse({ type: 'content_block_delta', index, delta: { type: 'signature_delta', signature } }),
  contentBlockStop: (index: number) => sse({ type: 'content_block_stop', index }),
  messageDelta: (stopReason: string, usage: AnthropicUsage = { output_tokens: 1 }) =>
    sse({ type: 'message_delta', delta: { stop_reason: stopReason, stop_sequence: null }, usage }),
  messageStop: () => sse({ type: 'message_stop' }),
  ping: () => sse({ type: 'ping' }),
  error: (type: string, message: string) => sse({ type: 'error', error: { type, message } }),
};

/** A whole Messages API answer; `content` may be plain text for the common case. */
export function anthropicMessage(
  options: {
    content?: string | AnthropicResponseBlock[];
    id?: string;
    model?: string;
    stopReason?: string;
    usage?: AnthropicUsage;
  } = {},
): AnthropicResponse {
  const content = options.content ?? 'fake';
  return {
    id: options.id ?? 'msg_fake',
    type: 'message',
    role: 'assistant',
    model: options.model ?? ANTHROPIC_FAKE_MODEL,
    content: typeof content === 'string' ? [{ type: 'text', text: content }] : content,
    stop_reason: options.stopReason ?? 'end_turn',
    stop_sequence: null,
    usage: { input_tokens: 1, output_tokens: 1, ...options.usage },
  };
}

/** A 200 JSON reply carrying a message. */
export function anthropicMessageReply(message: AnthropicResponse): Reply {
  return { kind: 'json', body: message };
}

/** Anthropic's error body: `{type:'error', error:{type, message}}`. */
export function anthropicErrorBody(type: string, message: string): Record<string, unknown> {
  return { type: 'error', error: { type, message }, request_id: 'req_fake' };
}

/** A failed answer in Anthropic's shape (e.g. 429 rate_limit_error, 529 overloaded_error). */
export function anthropicErrorReply(status: number, type: string, message: string): Reply {
  return { kind: 'json', status, body: anthropicErrorBody(type, message) };
}

/** The wire text of one event. */
export function formatAnthropicEvent(event: AnthropicSseEvent): string {
  return `event: ${event.event}\ndata: ${JSON.stringify(event.data)}\n\n`;
}

/** Splits text into word-sized pieces that concatenate back to it. */
function pieces(text: string): string[] {
  return text.match(/\s*\S+\s*$|\s*\S+/g) ?? [text];
}

/**
 * The stream Anthropic would send for a message: text in word pieces, tool input JSON in two halves, thinking
 * with its signature, a ping after the first block starts, and the usage split between start and delta.
 */
export function anthropicStreamEvents(message: AnthropicResponse): AnthropicSseEvent[] {
  const events = [
    anthropicEvents.messageStart({
      id: message.id,
      model: message.model,
      usage: { ...message.usage, output_tokens: 1 },
    }),
  ];
  message.content.forEach((block, index) => {
    if (block.type === 'text' && typeof block.text === 'string') {
      events.push(anthropicEvents.contentBlockStart(index, { type: 'text', text: '' }));
      for (const piece of pieces(block.text)) events.push(anthropicEvents.textDelta(index, piece));
    } else if (block.type === 'tool_use') {
      events.push(anthropicEvents.contentBlockStart(index, { ...block, input: {} }));
      const json = JSON.stringify(block.input ?? {});
      const middle = Math.ceil(json.length / 2);
      events.push(anthropicEvents.inputJsonDelta(index, ''));
      events.push(anthropicEvents.inputJsonDelta(index, json.slice(0, middle)));
      events.push(anthropicEvents.inputJsonDelta(index, json.slice(middle)));
    } else if (block.type === 'thinking' && typeof block.thinking === 'string') {
      events.push(anthropicEvents.contentBlockStart(index, { type: 'thinking', thinking: '' }));
      for (const piece of pieces(block.thinking)) events.push(anthropicEvents.thinkingDelta(index, piece));
      events.push(anthropicEvents.signatureDelta(index, String(block.signature)));
    } else {
      events.push(anthropicEvents.contentBlockStart(index, block));
    }
    if (index === 0) events.push(anthropicEvents.ping());
    events.push(anthropicEvents.contentBlockStop(index));
  });
  events.push(
    anthropicEvents.messageDelta(message.stop_reason ?? 'end_turn', {
      output_tokens: message.usage.output_tokens,
    }),
  );
  events.push(anthropicEvents.messageStop());
  return events;
}

/** The whole stream as one SSE text reply: enough when a test does not care about pacing. */
export function anthropicSseTextReply(events: readonly AnthropicSseEvent[]): Reply {
  return { kind: 'text', contentType: 'text/event-stream', body: events.map(formatAnthropicEvent).join('') };
}

export interface AnthropicSseReplyOptions {
  /** Pause between events. */
  intervalMs?: number;
  /** Write only this many events, then apply `end` (a stream cut short never gets its `message_stop`). */
  afterEvents?: number;
  /** 'close' ends cleanly (default), 'reset' sends an RST, 'stall' goes silent. */
  end?: 'close' | 'reset' | 'stall';
}

async function writeSse(
  response: ServerResponse,
  events: readonly AnthropicSseEvent[],
  options: AnthropicSseReplyOptions,
): Promise<void> {
  const closed = new AbortController();
  response.once('close', () => closed.abort());
  response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  response.flushHeaders();
  const count = Math.min(options.afterEvents ?? events.length, events.length);
  for (const [index, event] of events.slice(0, count).entries()) {
    if (index > 0 && !(await sleep(options.intervalMs ?? 0, closed.signal))) return;
    if (!(await write(response, formatAnthropicEvent(event), closed.signal))) return;
  }
  const end = options.end ?? 'close';
  if (end === 'close') response.end();
  else if (end === 'reset') resetConnection(response);
  // 'stall': nothing more is written; the fake's close() destroys the socket.
}

/** A paced SSE reply, event by event, with the fake's usual ways of ending badly. */
export function anthropicSseReply(
  events: readonly AnthropicSseEvent[],
  options: AnthropicSseReplyOptions = {},
): Reply {
  return { kind: 'handler', handle: (_request, response) => writeSse(response, events, options) };
}

export interface AnthropicHandlerOptions {
  /** The only `x-api-key` accepted; anything else gets Anthropic's 401. */
  apiKey: string;
}

function sendJson(response: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  response.writeHead(status, { 'content-type': 'application/json', 'request-id': 'req_fake' });
  response.end(text);
}

function blockText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content
    .map((block: unknown) => (isRecord(block) && block.type === 'text' ? String(block.text) : ''))
    .join('');
}

/** A placeholder value for one JSON-schema property, so forced tool calls carry plausible input. */
function placeholder(schema: unknown): unknown {
  if (!isRecord(schema)) return 'fake';
  if (Array.isArray(schema.enum) && schema.enum.length > 0) return schema.enum[0];
  switch (schema.type) {
    case 'integer':
    case 'number':
      return 1;
    case 'boolean':
      return true;
    case 'array':
      return [];
    case 'object':
      return {};
    default:
      return 'fake';
  }
}

function forcedToolUse(body: Record<string, unknown>): AnthropicResponseBlock | undefined {
  const tools = Array.isArray(body.tools) ? body.tools.filter(isRecord) : [];
  const choice = isRecord(body.tool_choice) ? body.tool_choice : undefined;
  if (tools.length === 0 || (choice?.type !== 'any' && choice?.type !== 'tool')) return undefined;
  const tool = choice.type === 'tool' ? tools.find((candidate) => candidate.name === choice.name) : tools[0];
  if (!tool) return undefined;
  const schema = isRecord(tool.input_schema) ? tool.input_schema : {};
  const properties = isRecord(schema.properties) ? schema.properties : {};
  const required = Array.isArray(schema.required) ? schema.required.map(String) : Object.keys(properties);
  const input = Object.fromEntries(required.map((name) => [name, placeholder(properties[name])]));
  return { type: 'tool_use', id: 'toolu_fake_1', name: String(tool.name), input };
}

/** Builds the answer for a valid request body, or the 400 Anthropic would give. */
function answer(body: Record<string, unknown>): AnthropicResponse | { error: string } {
  if (typeof body.model !== 'string') return { error: 'model: Field required' };
  const maxTokens = body.max_tokens;
  if (typeof maxTokens !== 'number' || !Number.isInteger(maxTokens) || maxTokens < 1) {
    return { error: 'max_tokens: Field required' };
  }
  const messages = Array.isArray(body.messages) ? body.messages.filter(isRecord) : [];
  if (messages.length === 0) return { error: 'messages: at least one message is required' };
  const words = (text: string) => text.split(/\s+/).filter((word) => word !== '').length;
  const inputTokens = Math.max(
    1,
    messages.reduce((sum, message) => sum + words(blockText(message.content)), 0),
  );
  const toolUse = forcedToolUse(body);
  if (toolUse) {
    return anthropicMessage({
      model: body.model,
      content: [toolUse],
      stopReason: 'tool_use',
      usage: { input_tokens: inputTokens, output_tokens: 12 },
    });
  }
  const lastUser = [...messages].reverse().find((message) => message.role === 'user');
  const all = pieces(`fake:${blockText(lastUser?.content)}`);
  const kept = all.slice(0, maxTokens);
  const content: AnthropicResponseBlock[] = [{ type: 'text', text: kept.join('') }];
  if (isRecord(body.thinking) && body.thinking.type === 'enabled') {
    content.unshift({ type: 'thinking', thinking: 'fake thinking', signature: 'fake-signature' });
  }
  return anthropicMessage({
    model: body.model,
    content,
    stopReason: kept.length < all.length ? 'max_tokens' : 'end_turn',
    usage: { input_tokens: inputTokens, output_tokens: kept.length },
  });
}

/**
 * Answers `POST …/messages` like Anthropic: 401 for a wrong key, 400 without `anthropic-version` or with a
 * malformed body, otherwise `fake:<last user text>` (a tool_use block when tool_choice forces one), streamed
 * when the body says `stream: true`.
 */
export function anthropicDefaultReply(options: AnthropicHandlerOptions): Reply {
  return {
    kind: 'handler',
    handle: async (request: RecordedRequest, response: ServerResponse) => {
      if (request.method !== 'POST' || !/\/messages$/.test(request.path.split('?', 1)[0] ?? '')) {
        sendJson(response, 404, anthropicErrorBody('not_found_error', 'Not found'));
        return;
      }
      if (request.headers['x-api-key'] !== options.apiKey) {
        sendJson(response, 401, anthropicErrorBody('authentication_error', 'invalid x-api-key'));
        return;
      }
      if (!request.headers['anthropic-version']) {
        sendJson(
          response,
          400,
          anthropicErrorBody('invalid_request_error', 'anthropic-version: header is required'),
        );
        return;
      }
      if (!isRecord(request.json)) {
        sendJson(
          response,
          400,
          anthropicErrorBody('invalid_request_error', 'The request body is not valid JSON.'),
        );
        return;
      }
      const result = answer(request.json);
      if ('error' in result) {
        sendJson(response, 400, anthropicErrorBody('invalid_request_error', result.error));
        return;
      }
      if (request.json.stream !== true) {
        sendJson(response, 200, result);
        return;
      }
      await writeSse(response, anthropicStreamEvents(result), {});
    },
  };
}

/** A route answering every `POST …/messages` with the default handler. */
export function anthropicRoute(options: AnthropicHandlerOptions): Route {
  return { method: 'POST', path: /\/messages$/, reply: anthropicDefaultReply(options) };
}
