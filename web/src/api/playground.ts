// The Playground talks to the gateway's own data plane (`/v1/*`, same origin) with an API key the person pastes.
// The key is passed in by the caller on every call and kept nowhere here: not in storage, not in a query cache, not
// in a log. Data-plane calls send no cookie (`credentials: 'omit'`): the key is their only credential. The cost of
// a request is read afterwards from the admin API's usage records, by the request's `x-request-id`.

import { useQuery, useQueryClient } from '@tanstack/react-query';
import { readChatStreamData, readUsage, SseParser, type StreamUsage } from '../lib/sse';
import { request } from './client';
import { queryKeys } from './queryKeys';
import type { ListResponse, Model } from './types';

/** One entry of `GET /v1/models`: what the key may call, with Junction's metadata. */
export interface GatewayModel {
  id: string;
  owned_by?: string;
  kind?: 'chat' | 'embedding' | string;
  context_window?: number | null;
  dimension?: number | null;
  /** For an alias: the version it points at. */
  version?: string;
  capabilities?: { streaming?: boolean; tools?: boolean; vision?: boolean; json_mode?: boolean };
}

/** An error answered by `/v1` (OpenAI's error JSON), or a network failure (`status` 0). */
export class GatewayCallError extends Error {
  readonly status: number;
  readonly code: string | null;
  readonly info: ResponseInfo | null;

  constructor(status: number, message: string, code: string | null, info: ResponseInfo | null) {
    super(message);
    this.name = 'GatewayCallError';
    this.status = status;
    this.code = code;
    this.info = info;
  }
}

/** What the gateway's response headers say about how a request was served. */
export interface ResponseInfo {
  status: number;
  requestId: string | null;
  /** `x-junction-backend`: the deployment that served (or the last one tried). */
  backend: string | null;
  attempts: number | null;
  /** `x-junction-model-version`: the version that served (an alias's target). */
  modelVersion: string | null;
  /** `x-junction-route`: the routing rule that matched, when one did. */
  route: string | null;
  warnings: string[];
}

export function readResponseInfo(response: Response): ResponseInfo {
  const header = (name: string) => {
    const value = response.headers.get(name);
    return value === null || value === '' ? null : value;
  };
  const attempts = header('x-junction-attempts');
  const warnings = header('x-junction-warnings');
  return {
    status: response.status,
    requestId: header('x-request-id'),
    backend: header('x-junction-backend'),
    attempts: attempts !== null && /^\d+$/.test(attempts) ? Number(attempts) : null,
    modelVersion: header('x-junction-model-version'),
    route: header('x-junction-route'),
    warnings: warnings === null ? [] : warnings.split('; ').filter((warning) => warning.length > 0),
  };
}

/**
 * A request id for one Playground call, sent as `x-request-id` (the gateway keeps a well-formed one), so even a
 * request stopped before any answer can be found in usage by its id.
 */
export function newRequestId(): string {
  const bytes = new Uint8Array(12);
  crypto.getRandomValues(bytes);
  return `playground-${Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('')}`;
}

function networkError(cause: unknown): GatewayCallError {
  return new GatewayCallError(
    0,
    `Could not reach the gateway (${cause instanceof Error ? cause.message : 'unknown error'}).`,
    null,
    null,
  );
}

/** Reads an error answer: OpenAI's `{"error":{"message",...}}`, else the status line. */
async function readError(response: Response): Promise<GatewayCallError> {
  const info = readResponseInfo(response);
  let message = `The gateway answered HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ''}.`;
  let code: string | null = null;
  try {
    const parsed: unknown = JSON.parse(await response.text());
    const error = (parsed as { error?: { message?: unknown; code?: unknown } } | null)?.error;
    if (error && typeof error.message === 'string' && error.message !== '') message = error.message;
    if (error && typeof error.code === 'string') code = error.code;
  } catch {
    // not JSON: keep the status line
  }
  return new GatewayCallError(response.status, message, code, info);
}

/** Calls the data plane with the API key and nothing else. */
async function callGateway(
  path: string,
  apiKey: string,
  init: { method: 'GET' | 'POST'; body?: unknown; signal?: AbortSignal; accept?: string; requestId?: string },
): Promise<Response> {
  const headers = new Headers({
    Authorization: `Bearer ${apiKey}`,
    Accept: init.accept ?? 'application/json',
  });
  if (init.requestId !== undefined) headers.set('x-request-id', init.requestId);
  if (init.body !== undefined) headers.set('Content-Type', 'application/json');
  try {
    return await fetch(path, {
      method: init.method,
      headers,
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
      signal: init.signal,
      credentials: 'omit',
      cache: 'no-store',
      referrerPolicy: 'no-referrer',
    });
  } catch (cause) {
    if (init.signal?.aborted) throw cause;
    throw networkError(cause);
  }
}

/** `GET /v1/models`: exactly the models the key may use, sorted by name. */
export async function listGatewayModels(apiKey: string, signal?: AbortSignal): Promise<GatewayModel[]> {
  const response = await callGateway('/v1/models', apiKey, { method: 'GET', signal });
  if (!response.ok) throw await readError(response);
  const body = (await response.json()) as { data?: unknown };
  const data = Array.isArray(body.data) ? body.data : [];
  return data
    .filter((entry): entry is GatewayModel => !!entry && typeof (entry as GatewayModel).id === 'string')
    .sort((a, b) => a.id.localeCompare(b.id));
}

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

export interface ChatInput {
  model: string;
  messages: ChatMessage[];
  temperature?: number | undefined;
  maxTokens?: number | undefined;
  /** Stream the answer (the default); false for models not declared with streaming. */
  stream: boolean;
}

export interface ChatCallbacks {
  /** The response headers arrived (the stream is open). */
  onOpen?: (info: ResponseInfo) => void;
  /** More answer text arrived. */
  onText?: (text: string) => void;
  /** More reasoning text arrived (providers that stream it apart). */
  onReasoning?: (text: string) => void;
}

export interface ChatOutcome {
  /** `complete`: ended with `[DONE]` (or a whole JSON answer); `stopped`: aborted here; `error`: see `error`. */
  end: 'complete' | 'stopped' | 'error';
  error: string | null;
  /** The request's id: the gateway's `x-request-id`, else the one sent (a request stopped before any answer). */
  requestId: string;
  info: ResponseInfo | null;
  usage: StreamUsage | null;
  finishReason: string | null;
  /** Milliseconds from sending to the first answer text, measured in the browser. */
  firstTokenMs: number | null;
  /** Milliseconds from sending to the end. */
  totalMs: number;
}

function isAbort(error: unknown): boolean {
  return error instanceof DOMException && error.name === 'AbortError';
}

function chatBody(input: ChatInput): Record<string, unknown> {
  const body: Record<string, unknown> = { model: input.model, messages: input.messages };
  if (input.temperature !== undefined) body.temperature = input.temperature;
  if (input.maxTokens !== undefined) body.max_tokens = input.maxTokens;
  if (input.stream) {
    body.stream = true;
    body.stream_options = { include_usage: true };
  }
  return body;
}

/**
 * `POST /v1/chat/completions`. A streamed answer is read with `fetch` + `ReadableStream` and the SSE parser, each
 * piece of text handed to `onText` as it arrives; `signal` stops it. Never throws: the outcome says how it ended.
 */
export async function runChat(
  apiKey: string,
  input: ChatInput,
  callbacks: ChatCallbacks,
  signal: AbortSignal,
): Promise<ChatOutcome> {
  const started = performance.now();
  const sentId = newRequestId();
  let firstTokenMs: number | null = null;
  let info: ResponseInfo | null = null;
  let usage: StreamUsage | null = null;
  let finishReason: string | null = null;
  const outcome = (end: ChatOutcome['end'], error: string | null = null): ChatOutcome => ({
    end,
    error,
    requestId: info?.requestId ?? sentId,
    info,
    usage,
    finishReason,
    firstTokenMs,
    totalMs: Math.round(performance.now() - started),
  });
  const text = (piece: string) => {
    if (piece === '') return;
    if (firstTokenMs === null) firstTokenMs = Math.round(performance.now() - started);
    callbacks.onText?.(piece);
  };

  let response: Response;
  try {
    response = await callGateway('/v1/chat/completions', apiKey, {
      method: 'POST',
      body: chatBody(input),
      signal,
      accept: input.stream ? 'text/event-stream' : 'application/json',
      requestId: sentId,
    });
  } catch (error) {
    if (isAbort(error)) return outcome('stopped');
    return outcome('error', error instanceof Error ? error.message : String(error));
  }
  info = readResponseInfo(response);
  if (!response.ok) {
    const error = await readError(response).catch((cause: unknown) => networkError(cause));
    if (signal.aborted) return outcome('stopped');
    return outcome('error', error.message);
  }
  callbacks.onOpen?.(info);

  const contentType = response.headers.get('content-type') ?? '';
  if (!contentType.includes('text/event-stream') || !response.body) {
    try {
      const body = (await response.json()) as {
        choices?: Array<{
          message?: { content?: unknown; reasoning_content?: unknown };
          finish_reason?: unknown;
        }>;
        usage?: unknown;
      };
      const choice = body.choices?.[0];
      if (typeof choice?.message?.reasoning_content === 'string')
        callbacks.onReasoning?.(choice.message.reasoning_content);
      if (typeof choice?.message?.content === 'string') text(choice.message.content);
      if (typeof choice?.finish_reason === 'string') finishReason = choice.finish_reason;
      usage = readUsage(body.usage);
      return outcome('complete');
    } catch (error) {
      if (isAbort(error)) return outcome('stopped');
      return outcome('error', 'The answer could not be read as JSON.');
    }
  }

  const reader = response.body.getReader();
  const parser = new SseParser();
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      for (const event of parser.push(value)) {
        const data = readChatStreamData(event.data);
        switch (data.kind) {
          case 'done':
            parser.end();
            return outcome('complete');
          case 'error':
            parser.end();
            return outcome('error', data.message);
          case 'chunk':
            if (data.reasoning !== '') callbacks.onReasoning?.(data.reasoning);
            text(data.content);
            if (data.finishReason !== null) finishReason = data.finishReason;
            if (data.usage) usage = data.usage;
            break;
          case 'invalid':
            // An event that is not JSON says nothing the Playground can show; the stream goes on.
            break;
        }
      }
    }
  } catch (error) {
    if (isAbort(error) || signal.aborted) return outcome('stopped');
    return outcome(
      'error',
      `The connection broke during the answer (${error instanceof Error ? error.message : 'unknown error'}).`,
    );
  } finally {
    // Ends the body if the answer stopped early (an error event): nothing more is read from it.
    reader.cancel().catch(() => undefined);
  }
  parser.end();
  return outcome('error', 'The stream ended without [DONE]: the answer may be incomplete.');
}

export interface EmbeddingsOutcome {
  info: ResponseInfo;
  /** One vector per input, in input order. */
  vectors: number[][];
  /** The `model` the answer names. */
  model: string | null;
  promptTokens: number | null;
  totalMs: number;
}

/** Decodes a base64 `float32` little-endian vector (`encoding_format: "base64"`). */
function decodeBase64Vector(text: string): number[] {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  const view = new DataView(bytes.buffer);
  const out: number[] = [];
  for (let at = 0; at + 4 <= bytes.length; at += 4) out.push(view.getFloat32(at, true));
  return out;
}

/** `POST /v1/embeddings`. Throws `GatewayCallError` (with the response info when there was a response). */
export async function runEmbeddings(
  apiKey: string,
  input: { model: string; input: string | string[] },
  signal: AbortSignal,
  /** Sent as `x-request-id`. */
  requestId?: string,
): Promise<EmbeddingsOutcome> {
  const started = performance.now();
  const response = await callGateway('/v1/embeddings', apiKey, {
    method: 'POST',
    body: { model: input.model, input: input.input, encoding_format: 'float' },
    signal,
    requestId,
  });
  const info = readResponseInfo(response);
  if (!response.ok) throw await readError(response);
  let body: { data?: unknown; model?: unknown; usage?: { prompt_tokens?: unknown } };
  try {
    body = await response.json();
  } catch (error) {
    if (isAbort(error)) throw error;
    throw new GatewayCallError(response.status, 'The answer could not be read as JSON.', null, info);
  }
  const data = Array.isArray(body.data) ? (body.data as Array<{ index?: unknown; embedding?: unknown }>) : [];
  const ordered = [...data].sort((a, b) => Number(a.index ?? 0) - Number(b.index ?? 0));
  const vectors = ordered.map((entry) => {
    if (Array.isArray(entry.embedding)) return entry.embedding.map((value) => Number(value));
    if (typeof entry.embedding === 'string') return decodeBase64Vector(entry.embedding);
    return [];
  });
  return {
    info,
    vectors,
    model: typeof body.model === 'string' ? body.model : null,
    promptTokens: typeof body.usage?.prompt_tokens === 'number' ? body.usage.prompt_tokens : null,
    totalMs: Math.round(performance.now() - started),
  };
}

/** The parts of a usage record the Playground shows. */
export interface PlaygroundUsageRecord {
  id: string;
  requestId: string;
  status: number;
  outcome: string;
  promptTokens: number | null;
  completionTokens: number | null;
  costUsd: string | null;
  priceWarning: string | null;
  usageEstimated: boolean;
  latencyMs: number;
  firstByteMs: number | null;
}

/** How often and how long to look for a request's usage record (records are stored in batches, every second). */
const USAGE_POLL_MS = 1000;
const USAGE_POLLS = 12;

/**
 * The usage record of the request `requestId` (`GET /admin/v1/usage/records?requestId=`), looked for every
 * second for about 12 s: `data` stays `null` while it is not stored yet, and `exhausted` says the lookup gave up.
 * Needs `usage.read`.
 */
export function useUsageRecord(requestId: string | null, enabled: boolean) {
  const client = useQueryClient();
  const queryKey = ['playground-usage', requestId] as const;
  const query = useQuery({
    queryKey,
    enabled: enabled && requestId !== null,
    queryFn: async () => {
      const search = new URLSearchParams({ requestId: requestId ?? '', limit: '1' });
      const page = await request<{ data: PlaygroundUsageRecord[] }>(`/admin/v1/usage/records?${search}`);
      return page.data[0] ?? null;
    },
    refetchInterval: (current) =>
      current.state.data === null && current.state.dataUpdateCount < USAGE_POLLS ? USAGE_POLL_MS : false,
    retry: 1,
    staleTime: Number.POSITIVE_INFINITY,
    refetchOnWindowFocus: false,
  });
  const polls = client.getQueryState(queryKey)?.dataUpdateCount ?? 0;
  return { ...query, exhausted: query.data === null && polls >= USAGE_POLLS };
}

/** A cost in USD (exact decimal text, 12 places) for display: `$0.000123`, trailing zeros dropped. */
export function formatCost(costUsd: string): string {
  const match = /^(-?)(\d+)(?:\.(\d+))?$/.exec(costUsd.trim());
  if (!match) return `$${costUsd}`;
  const [, sign, whole, fraction = ''] = match;
  const trimmed = fraction.replace(/0+$/, '');
  const shown = trimmed.length < 2 ? trimmed.padEnd(2, '0') : trimmed;
  return `${sign}$${whole}.${shown}`;
}

/** The admin API's models (`models.read`), only when `enabled`; shares the Models page's cache. */
export function useAdminModels(enabled: boolean) {
  return useQuery({
    queryKey: queryKeys.models,
    queryFn: async () => (await request<ListResponse<Model>>('/admin/v1/models')).data,
    enabled,
  });
}
