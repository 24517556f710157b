/** Small helpers that write complete data-plane responses in OpenAI's format. */
import type { ServerResponse } from 'node:http';
import { GatewayError, toOpenAIError } from '../../core/errors/gateway-error.js';

/** Writes a JSON body that is already serialised. */
export function sendJsonText(response: ServerResponse, status: number, json: string): void {
  response.statusCode = status;
  response.setHeader('content-type', 'application/json');
  response.setHeader('content-length', Buffer.byteLength(json));
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
