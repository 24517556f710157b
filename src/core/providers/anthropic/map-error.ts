/**
 * Reads Anthropic's error body, `{type:'error', error:{type, message}}`. Claude on Vertex may instead answer
 * in Google's shape, `{error:{code, message, status}}` (sometimes wrapped in an array), which is read too.
 */
import type { UpstreamErrorDetail } from '../adapter.js';

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The provider's message and error type, or nothing when the body is not a JSON error (an HTML page). */
export function readAnthropicError(_status: number, text: string): UpstreamErrorDetail {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return { message: undefined, providerCode: undefined };
  }
  const body = Array.isArray(parsed) ? parsed[0] : parsed;
  const error = isRecord(body) && isRecord(body.error) ? body.error : undefined;
  if (!error) return { message: undefined, providerCode: undefined };
  const message = typeof error.message === 'string' && error.message !== '' ? error.message : undefined;
  const code = [error.type, error.status].find((value) => typeof value === 'string' && value !== '');
  return { message, providerCode: code as string | undefined };
}
