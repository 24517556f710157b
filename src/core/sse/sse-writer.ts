/**
 * Serialises Server-Sent Events the way OpenAI streams them: one `data:` event per JSON payload, a final
 * `data: [DONE]`, and mid-stream failures as a `data:` event carrying the OpenAI error envelope.
 */
import type { OpenAIErrorBody } from '../wire/openai.js';
import type { SseEvent } from './sse-parser.js';

/** The event that tells OpenAI clients the stream is complete. */
export const SSE_DONE = 'data: [DONE]\n\n';

/** One `data:` event carrying `json`; a payload with line breaks is split over several `data:` lines. */
export function formatSseData(json: string): string {
  // A single-line payload is the norm; line breaks only appear when relaying a multi-line upstream event,
  // and a raw one would end the event early.
  if (json.indexOf('\n') === -1 && json.indexOf('\r') === -1) return `data: ${json}\n\n`;
  return `${dataLines(json)}\n`;
}

/** A `data:` event carrying OpenAI's error envelope, which is how OpenAI reports a failure mid-stream. */
export function formatSseError(body: OpenAIErrorBody): string {
  return `data: ${JSON.stringify(body)}\n\n`;
}

/** A complete event with all of its fields; `event` and `id` must not contain line breaks, and any in `data` come back as LF. */
export function formatSseEvent(event: SseEvent): string {
  let out = '';
  if (event.event !== undefined) out += `event: ${event.event}\n`;
  if (event.id !== undefined) out += `id: ${event.id}\n`;
  if (event.retry !== undefined) out += `retry: ${event.retry}\n`;
  const data = event.data;
  // As in formatSseData: a single line (the norm) needs no splitting, and indexOf finds a line break far faster
  // than a per-character loop.
  if (data.indexOf('\n') === -1 && data.indexOf('\r') === -1) return `${out}data: ${data}\n\n`;
  return `${out}${dataLines(data)}\n`;
}

function dataLines(data: string): string {
  let out = '';
  let start = 0;
  const length = data.length;
  for (let i = 0; i < length; i++) {
    const code = data.charCodeAt(i);
    if (code !== 10 && code !== 13) continue;
    out += `data: ${data.slice(start, i)}\n`;
    // CRLF is one line break, as the parser reads it.
    if (code === 13 && data.charCodeAt(i + 1) === 10) i++;
    start = i + 1;
  }
  return `${out}data: ${data.slice(start)}\n`;
}
