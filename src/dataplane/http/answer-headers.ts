/**
 * The headers of an answer from a backend: the request's own (`answerHeaders`), the route's (base headers, model
 * version, rule, backend, attempts) and the answer's, written in one `writeHead(status, [name, value, ...])`.
 */
import type { ServerResponse } from 'node:http';
import type { CompiledModel, Deployment } from '../../core/snapshot/snapshot.js';
import type { ExecuteInput } from '../execute.js';
import { answerHeaders } from './reply.js';

type RouteInput = Pick<ExecuteInput, 'baseHeaders' | 'rule'>;

/**
 * What routed the request and what served it, as a flat list added to `headers`: the version that served (so stored
 * vectors can record which model made them), the rule that routed, the backend and the number of attempts.
 */
export function routeHeaders(
  headers: Array<string | number>,
  input: RouteInput,
  model: CompiledModel | undefined,
  backend: Deployment | undefined,
  attempts: number,
): Array<string | number> {
  for (const [name, value] of Object.entries(input.baseHeaders)) headers.push(name, value);
  if (model) headers.push('x-junction-model-version', model.version);
  if (input.rule) headers.push('x-junction-route', input.rule);
  if (backend) headers.push('x-junction-backend', backend.id);
  headers.push('x-junction-attempts', attempts);
  return headers;
}

/**
 * Writes a backend's answer's status and headers. Nothing was set on the response before, so Node keeps no header
 * map for it. A stream's headers go out at once; a JSON answer's with its body (`contentLength`).
 */
export function writeAnswerHead(
  response: ServerResponse,
  status: number,
  contentType: string,
  input: RouteInput,
  deployment: Deployment,
  model: CompiledModel,
  attempts: number,
  warnings: readonly string[],
  contentLength?: number,
): void {
  const headers = routeHeaders(answerHeaders(response), input, model, deployment, attempts);
  headers.push('content-type', contentType);
  if (warnings.length > 0) headers.push('x-junction-warnings', warningsHeader(warnings));
  if (contentType === 'text/event-stream') {
    headers.push('cache-control', 'no-cache', 'x-accel-buffering', 'no');
    response.writeHead(status, headers as string[]);
    response.flushHeaders();
    return;
  }
  if (contentLength !== undefined) headers.push('content-length', contentLength);
  response.writeHead(status, headers as string[]);
}

/** Warnings as one header value: printable ASCII only, separated by `; `, bounded in length. */
function warningsHeader(warnings: readonly string[]): string {
  const joined = warnings
    .map((warning) => warning.replace(/[^\x20-\x7e]/g, '?').replace(/;/g, ','))
    .join('; ');
  return joined.length > 2000 ? `${joined.slice(0, 1997)}...` : joined;
}
