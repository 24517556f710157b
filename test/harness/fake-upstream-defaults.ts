/**
 * The answers the fake gives when no route matches: plausible OpenAI responses derived from the request, so
 * most tests need no setup and can still assert on content (`fake:` + the last user message) and usage.
 */
import type { ChatMessage, Usage } from '../../src/core/wire/openai.js';
import type { RecordedRequest, Reply } from './fake-upstream.js';
import {
  chatCompletion,
  chatStream,
  embeddingsResponse,
  modelObject,
  openAIError,
  usage,
} from './openai-fixtures.js';

export const DEFAULT_EMBEDDING_DIMENSIONS = 8;

export function pathnameOf(request: RecordedRequest): string {
  return request.path.split('?', 1)[0] ?? request.path;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function notFound(request: RecordedRequest, why = 'Invalid URL'): Reply {
  return {
    kind: 'json',
    status: 404,
    body: openAIError(`${why} (${request.method} ${request.path})`, 'invalid_request_error', 'unknown_url'),
  };
}

function badRequest(message: string, param: string): Reply {
  return { kind: 'json', status: 400, body: openAIError(message, 'invalid_request_error', null, param) };
}

/** The OpenAI answer for a request no route claimed. */
export function defaultReply(request: RecordedRequest, nextId: () => string): Reply {
  const pathname = pathnameOf(request);
  const body = isRecord(request.json) ? request.json : {};
  if (request.method === 'POST' && pathname.endsWith('/chat/completions')) return chatReply(body, nextId());
  if (request.method === 'POST' && pathname.endsWith('/embeddings')) return embeddingsReply(body);
  if (request.method === 'GET' && pathname.endsWith('/models')) {
    return {
      kind: 'json',
      body: { object: 'list', data: [modelObject('fake-model-1'), modelObject('fake-embed-1')] },
    };
  }
  return notFound(request);
}

function messageText(message: unknown): string {
  if (!isRecord(message)) return '';
  const content = (message as ChatMessage).content;
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content
    .map((part: unknown) =>
      isRecord(part) && part.type === 'text' && typeof part.text === 'string' ? part.text : '',
    )
    .join('');
}

/** A crude but deterministic token count: whitespace-separated words. */
function countTokens(text: string): number {
  return text.split(/\s+/).filter((word) => word !== '').length;
}

/** Splits text into word-sized pieces that concatenate back to the original, leading spaces kept. */
function splitPieces(text: string): string[] {
  return text.match(/\s*\S+\s*$|\s*\S+/g) ?? [text];
}

function chatReply(body: Record<string, unknown>, id: string): Reply {
  const model = typeof body.model === 'string' ? body.model : 'fake-model-1';
  const messages = Array.isArray(body.messages) ? body.messages : [];
  const lastUser = [...messages].reverse().find((m) => isRecord(m) && m.role === 'user');
  const content = `fake:${messageText(lastUser)}`;
  const pieces = splitPieces(content);
  const promptTokens = Math.max(
    1,
    messages.reduce<number>((sum, m) => sum + countTokens(messageText(m)), 0),
  );
  const chatUsage: Usage = usage(promptTokens, pieces.length);

  if (body.stream !== true) {
    return { kind: 'json', body: chatCompletion({ id, model, content, usage: chatUsage }) };
  }
  const streamOptions = isRecord(body.stream_options) ? body.stream_options : {};
  const includeUsage = streamOptions.include_usage === true;
  return {
    kind: 'sse',
    events: chatStream({ id, model, words: pieces, usage: includeUsage ? chatUsage : undefined }),
  };
}

function embeddingInputs(input: unknown): string[] | undefined {
  if (typeof input === 'string') return [input];
  if (!Array.isArray(input) || input.length === 0) return undefined;
  if (input.every((item) => typeof item === 'string')) return input;
  // Token-id inputs: one array of numbers is one input, an array of such arrays is several.
  if (input.every((item) => typeof item === 'number')) return [input.join(' ')];
  if (input.every((item) => Array.isArray(item))) return input.map((item: unknown[]) => item.join(' '));
  return undefined;
}

function embeddingsReply(body: Record<string, unknown>): Reply {
  const inputs = embeddingInputs(body.input);
  if (inputs === undefined) return badRequest("'input' must be a string or an array of strings", 'input');
  const dims =
    typeof body.dimensions === 'number' && Number.isInteger(body.dimensions) && body.dimensions > 0
      ? body.dimensions
      : DEFAULT_EMBEDDING_DIMENSIONS;
  const base64 = body.encoding_format === 'base64';
  const vectors = inputs.map((text) => {
    const vector = fakeEmbedding(text, dims);
    return base64 ? Buffer.from(new Float32Array(vector).buffer).toString('base64') : vector;
  });
  const tokens = inputs.reduce((sum, text) => sum + Math.max(1, countTokens(text)), 0);
  return {
    kind: 'json',
    body: embeddingsResponse({
      model: typeof body.model === 'string' ? body.model : 'fake-embed-1',
      vectors,
      usage: { prompt_tokens: tokens, total_tokens: tokens },
    }),
  };
}

/**
 * A unit vector seeded from the text: equal inputs give equal vectors across runs, different inputs differ,
 * which is all cache and fan-out tests need.
 */
export function fakeEmbedding(text: string, dimensions: number): number[] {
  // FNV-1a for the seed, then mulberry32 for the stream of values.
  let seed = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) seed = Math.imul(seed ^ text.charCodeAt(i), 0x01000193);
  const raw: number[] = [];
  for (let i = 0; i < dimensions; i++) {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    raw.push((((t ^ (t >>> 14)) >>> 0) / 4294967296) * 2 - 1);
  }
  const norm = Math.hypot(...raw) || 1;
  return raw.map((value) => value / norm);
}
