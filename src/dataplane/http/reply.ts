/** Small helpers that write complete data-plane responses in OpenAI's format. */
import type { ServerResponse } from 'node:http';
import { GatewayError, toOpenAIError } from '../../core/errors/gateway-error.js';

const ANSWER_HEADERS = Symbol('junction.answerHeaders');
type WithAnswerHeaders = ServerResponse & { [ANSWER_HEADERS]?: string[] };

/**
 * Keeps headers that every answer to this request carries (its id, the snapshot version) until the answer is
 * written, as a flat `[name, value, ...]` list. They are not set on the response now: a response written with
 * `writeHead(status, list)` and no `setHeader` before it skips Node's per-response header map (a dictionary of
 * `[name, value]` pairs, kept for as long as the response lives, a stream's whole length included).
 */
export function setAnswerHeaders(response: ServerResponse, headers: string[]): void {
  (response as WithAnswerHeaders)[ANSWER_HEADERS] = headers;
}

/** The headers kept by `setAnswerHeaders`, as a new list the caller may add to. */
export function answerHeaders(response: ServerResponse): Array<string | number> {
  return [...((response as WithAnswerHeaders)[ANSWER_HEADERS] ?? [])];
}

/**
 * Writes a JSON body that is already serialised, with the request's own headers. Headers set on the response before
 * (an error's `retry-after`, `allow`) are kept: Node merges them into the `writeHead` list.
 */
export function sendJsonText(response: ServerResponse, status: number, json: string): void {
  const headers = answerHeaders(response);
  headers.push('content-type', 'application/json', 'content-length', Buffer.byteLength(json));
  response.writeHead(status, headers as string[]);
  response.end(json);
}

/** Writes an error in OpenAI's error format, with the headers the error carries. */
export function sendError(response: ServerResponse, error: GatewayError): void {
  if (response.headersSent) {
    response.destroy();
    return;
  }
  for (const [name, value] of Object.entries(error.headers)) response.setHeader(name, value);
  sendJsonText(response, error.status, JSON.stringify(toOpenAIError(error)));
}

/** Turns anything thrown into a GatewayError without leaking internals to the client. */
export function asGatewayError(error: unknown): GatewayError {
  if (error instanceof GatewayError) return error;
  return new GatewayError('internal_error', 'The gateway failed to handle the request', { cause: error });
}
