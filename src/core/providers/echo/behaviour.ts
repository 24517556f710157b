/**
 * The echo provider's upstream model name selects how it misbehaves, so tests and demos can exercise the
 * gateway's error handling, timeouts and stream failures without a real provider.
 */

/** What the echo provider does for one request. */
export type EchoBehaviour =
  | { kind: 'ok' }
  /** Answer with this HTTP error status (4xx or 5xx) and an OpenAI error body. */
  | { kind: 'error'; status: number }
  /** Wait this long before the first byte; once answering, stream chunks are not delayed. */
  | { kind: 'slow'; delayMs: number }
  /** Stream this many content chunks, then go silent forever; a non-streamed request never answers. */
  | { kind: 'stall-after'; chunks: number }
  /** Stream this many content chunks, then break the stream; a non-streamed request fails at connection level. */
  | { kind: 'cut-after'; chunks: number };

// Frozen because it is shared by every request that names no behaviour.
const OK: EchoBehaviour = Object.freeze({ kind: 'ok' });
/** Timers clamp anything above 2^31-1 ms to 1 ms, which would turn a huge `slow-` into no delay at all. */
const MAX_NUMBER = 2_147_483_647;

/**
 * Reads the behaviour from an upstream model name. Only the part after the last '/' counts and it must be
 * exactly one of `error-<4xx|5xx>`, `slow-<ms>`, `stall-after-<n>`, `cut-after-<n>` (lower case, decimal
 * digits), so 'error-500' and 'acme/error-500' select an error while 'demo-error-429' is simply ok.
 */
export function parseEchoBehaviour(upstreamModel: string): EchoBehaviour {
  const name = upstreamModel.slice(upstreamModel.lastIndexOf('/') + 1);
  if (name.startsWith('error-')) {
    const status = parseDigits(name, 6);
    return name.length === 9 && status >= 400 && status <= 599 ? { kind: 'error', status } : OK;
  }
  if (name.startsWith('slow-')) {
    const delayMs = parseDigits(name, 5);
    return delayMs >= 0 ? { kind: 'slow', delayMs } : OK;
  }
  if (name.startsWith('stall-after-')) {
    const chunks = parseDigits(name, 12);
    return chunks >= 0 ? { kind: 'stall-after', chunks } : OK;
  }
  if (name.startsWith('cut-after-')) {
    const chunks = parseDigits(name, 10);
    return chunks >= 0 ? { kind: 'cut-after', chunks } : OK;
  }
  return OK;
}

/** The decimal number making up text[start..], or -1 when it is empty, not all digits, or too large. */
function parseDigits(text: string, start: number): number {
  if (start >= text.length) return -1;
  let value = 0;
  for (let i = start; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 48 || code > 57) return -1;
    value = value * 10 + (code - 48);
    if (value > MAX_NUMBER) return -1;
  }
  return value;
}
