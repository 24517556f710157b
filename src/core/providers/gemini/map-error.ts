/**
 * Reads Google's error body, `{error:{code, message, status}}`, which both the Gemini API and Vertex AI use
 * (sometimes wrapped in a one-element array, as their non-SSE streaming endpoints do).
 */
import type { UpstreamErrorDetail } from '../adapter.js';

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The `error` object of a parsed Google body, when it is one. */
export function googleErrorOf(body: unknown): Record<string, unknown> | undefined {
  const unwrapped = Array.isArray(body) && body.length === 1 ? body[0] : body;
  return isRecord(unwrapped) && isRecord(unwrapped.error) ? unwrapped.error : undefined;
}

/** The message and status (`INVALID_ARGUMENT`, `RESOURCE_EXHAUSTED`, …), or nothing for non-JSON bodies. */
export function readGoogleError(_status: number, text: string): UpstreamErrorDetail {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return { message: undefined, providerCode: undefined };
  }
  const error = googleErrorOf(parsed);
  if (!error) return { message: undefined, providerCode: undefined };
  const message = typeof error.message === 'string' && error.message !== '' ? error.message : undefined;
  const providerCode = typeof error.status === 'string' && error.status !== '' ? error.status : undefined;
  return { message, providerCode };
}
