/**
 * The echo provider's answers: deterministic, in-process stand-ins for an OpenAI-compatible upstream, shaped
 * exactly like OpenAI's responses so clients and the gateway's own pipeline cannot tell the difference.
 * Token counts are estimates (see approximate-tokens.ts); to the echo "model" one word is one token when
 * max_tokens / max_completion_tokens cut the reply.
 */
import { approximatePromptTokens, approximateTokens } from '../../text/approximate-tokens.js';
import type {
  ChatCompletion,
  ChatCompletionChunk,
  ChatCompletionRequest,
  ChatMessage,
  EmbeddingsRequest,
  EmbeddingsResponse,
  FinishReason,
  Usage,
} from '../../wire/openai.js';

/** What the echo provider says to a request without user text. */
export const ECHO_GREETING =
  "Hello! I am Junction's echo provider: send me a message and I will repeat it back to you.";

/** Identity fields of one response, chosen by the caller so that this module stays pure. */
export interface EchoIds {
  id: string;
  created: number;
  model: string;
}

/** Text of the last user message (string content, or the text parts joined with '\n'); '' when none. */
export function lastUserText(messages: ChatMessage[]): string {
  for (let i = messages.length - 1; i >= 0; i--) {
    const message = messages[i];
    if (message?.role !== 'user') continue;
    const content = message.content;
    if (typeof content === 'string') return content;
    if (!Array.isArray(content)) return '';
    let text: string | undefined;
    for (const part of content) {
      if (part.type !== 'text' || typeof part.text !== 'string') continue;
      text = text === undefined ? part.text : `${text}\n${part.text}`;
    }
    return text ?? '';
  }
  return '';
}

/** Deterministic reply: `You said: ${lastUserText}` or, when empty, a fixed greeting sentence. */
export function echoReplyText(request: ChatCompletionRequest): string {
  const text = lastUserText(request.messages);
  return text.length > 0 ? `You said: ${text}` : ECHO_GREETING;
}

/** Splits the reply into stream pieces word by word, keeping the spaces so that concatenating the pieces gives the reply exactly. */
export function echoWords(text: string): string[] {
  // Each piece is leading whitespace plus a word, as tokenizers do; trailing whitespace joins the last piece.
  const pieces: string[] = [];
  const length = text.length;
  let start = 0;
  let pos = 0;
  while (pos < length) {
    while (pos < length && isSpace(text.charCodeAt(pos))) pos++;
    if (pos === length) break;
    while (pos < length && !isSpace(text.charCodeAt(pos))) pos++;
    pieces.push(text.slice(start, pos));
    start = pos;
  }
  if (start < length) {
    const last = pieces.pop();
    pieces.push(last === undefined ? text.slice(start) : last + text.slice(start));
  }
  return pieces;
}

/** A non-streamed chat completion echoing the last user message. */
export function echoChatCompletion(request: ChatCompletionRequest, ids: EchoIds): ChatCompletion {
  const { words, finishReason } = replyWords(request);
  const content = words.join('');
  return {
    id: ids.id,
    object: 'chat.completion',
    created: ids.created,
    model: ids.model,
    choices: [
      { index: 0, message: { role: 'assistant', content }, finish_reason: finishReason, logprobs: null },
    ],
    usage: replyUsage(request, content),
  };
}

/** The streamed form of echoChatCompletion, chunk by chunk, in OpenAI's exact sequence. */
export function echoStreamChunks(request: ChatCompletionRequest, ids: EchoIds): ChatCompletionChunk[] {
  const { words, finishReason } = replyWords(request);
  const includeUsage = request.stream_options?.include_usage === true;
  const chunk = (delta: ChatCompletionChunk['choices'][number]['delta'], finish: FinishReason | null) => {
    const out: ChatCompletionChunk = {
      id: ids.id,
      object: 'chat.completion.chunk',
      created: ids.created,
      model: ids.model,
      choices: [{ index: 0, delta, finish_reason: finish, logprobs: null }],
    };
    // With include_usage, OpenAI sends `usage: null` on every chunk but the final usage chunk.
    if (includeUsage) out.usage = null;
    return out;
  };
  const chunks: ChatCompletionChunk[] = [chunk({ role: 'assistant', content: '' }, null)];
  for (const word of words) chunks.push(chunk({ content: word }, null));
  chunks.push(chunk({}, finishReason));
  if (includeUsage) {
    chunks.push({
      id: ids.id,
      object: 'chat.completion.chunk',
      created: ids.created,
      model: ids.model,
      choices: [],
      usage: replyUsage(request, words.join('')),
    });
  }
  return chunks;
}

/** The chunks a `stall-after-<n>` / `cut-after-<n>` stream sends before failing: the role chunk and at most `contentChunks` word chunks, never the finish or usage chunk. */
export function echoStreamPrefix(
  chunks: ChatCompletionChunk[],
  contentChunks: number,
): ChatCompletionChunk[] {
  let end = 1;
  while (end <= contentChunks && end < chunks.length && chunks[end]?.choices[0]?.finish_reason === null)
    end++;
  return chunks.slice(0, Math.min(end, chunks.length));
}

/** Deterministic embedding of a text: `dimension` floats, unit length, equal for equal text, different for different text. */
export function echoEmbedding(text: string, dimension: number): number[] {
  const size = Math.max(0, Math.floor(dimension));
  const next = sfc32(fnv1a(text, 0x811c9dc5), fnv1a(text, 0x050c5d1f), text.length, 0x9e3779b9);
  for (let i = 0; i < 12; i++) next();
  const values = new Array<number>(size);
  for (let i = 0; i < size; i++) values[i] = (next() / 0x1_0000_0000) * 2 - 1;
  return normalise(values);
}

/** An embeddings response for string or token-array input, honouring `dimensions` and `encoding_format`. */
export function echoEmbeddings(
  request: EmbeddingsRequest,
  dimension: number,
  model: string,
): EmbeddingsResponse {
  const { texts, tokens } = embeddingInputs(request.input);
  const wanted = request.dimensions;
  // Like OpenAI's text-embedding-3 models: a shorter vector is the full one truncated and re-normalised.
  const truncateTo =
    typeof wanted === 'number' && Number.isInteger(wanted) && wanted > 0 && wanted < dimension
      ? wanted
      : undefined;
  const base64 = request.encoding_format === 'base64';
  const data = texts.map((text, index) => {
    const full = echoEmbedding(text, dimension);
    const vector = truncateTo === undefined ? full : normalise(full.slice(0, truncateTo));
    return { object: 'embedding' as const, index, embedding: base64 ? float32Base64(vector) : vector };
  });
  return { object: 'list', data, model, usage: { prompt_tokens: tokens, total_tokens: tokens } };
}

/** The embeddings in OpenAI's base64 encoding: little-endian float32 values (the openai SDK's default). */
export function float32Base64(values: readonly number[]): string {
  const bytes = new Uint8Array(values.length * 4);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < values.length; i++) view.setFloat32(i * 4, values[i] ?? 0, true);
  let out = '';
  let i = 0;
  for (; i + 2 < bytes.length; i += 3) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8) | bytes[i + 2]!;
    out +=
      BASE64.charAt(n >> 18) +
      BASE64.charAt((n >> 12) & 63) +
      BASE64.charAt((n >> 6) & 63) +
      BASE64.charAt(n & 63);
  }
  const rest = bytes.length - i;
  if (rest > 0) {
    const n = (bytes[i]! << 16) | (rest === 2 ? bytes[i + 1]! << 8 : 0);
    out += BASE64.charAt(n >> 18) + BASE64.charAt((n >> 12) & 63);
    out += rest === 2 ? `${BASE64.charAt((n >> 6) & 63)}=` : '==';
  }
  return out;
}

const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

function isSpace(code: number): boolean {
  return code === 32 || (code >= 9 && code <= 13);
}

function replyWords(request: ChatCompletionRequest): { words: string[]; finishReason: FinishReason } {
  const words = echoWords(echoReplyText(request));
  // max_completion_tokens replaced max_tokens in OpenAI's API, so it wins when both are sent.
  const limit = request.max_completion_tokens ?? request.max_tokens;
  if (typeof limit === 'number' && limit >= 0 && words.length > limit) {
    return { words: words.slice(0, Math.floor(limit)), finishReason: 'length' };
  }
  return { words, finishReason: 'stop' };
}

function replyUsage(request: ChatCompletionRequest, content: string): Usage {
  const prompt = approximatePromptTokens(request.messages);
  const completion = approximateTokens(content);
  return { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion };
}

/** The texts to embed and their token count (exact for token arrays, estimated for strings). */
function embeddingInputs(input: EmbeddingsRequest['input']): { texts: string[]; tokens: number } {
  if (typeof input === 'string') return { texts: [input], tokens: approximateTokens(input) };
  if (input.length > 0 && typeof input[0] === 'number') {
    return { texts: [input.join(' ')], tokens: input.length };
  }
  const texts: string[] = [];
  let tokens = 0;
  for (const item of input) {
    if (typeof item === 'string') {
      texts.push(item);
      tokens += approximateTokens(item);
    } else if (Array.isArray(item)) {
      texts.push(item.join(' '));
      tokens += item.length;
    } else {
      texts.push(String(item));
      tokens += 1;
    }
  }
  return { texts, tokens };
}

function normalise(values: number[]): number[] {
  let sum = 0;
  for (const value of values) sum += value * value;
  if (sum === 0) {
    // Vanishingly unlikely, but a unit vector is promised.
    if (values.length > 0) values[0] = 1;
    return values;
  }
  const scale = 1 / Math.sqrt(sum);
  for (let i = 0; i < values.length; i++) values[i] = (values[i] ?? 0) * scale;
  return values;
}

/** 32-bit FNV-1a over UTF-16 code units. */
function fnv1a(text: string, seed: number): number {
  let hash = seed;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/** Chris Doty-Humphrey's sfc32: tiny, fast, and seeded from 128 bits so two hashes must both collide. */
function sfc32(a: number, b: number, c: number, d: number): () => number {
  return () => {
    a |= 0;
    b |= 0;
    c |= 0;
    d |= 0;
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return t >>> 0;
  };
}
