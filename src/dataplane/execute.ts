/**
 * Runs a request's attempt plan: each deployment in turn until one answers. It moves on after a connection
 * failure, a timeout, a 429 or a 5xx, and never once the first byte has gone to the client.
 */
import type { ServerResponse } from 'node:http';
import type { Readable } from 'node:stream';
import { GatewayError } from '../core/errors/gateway-error.js';
import type { Deployment } from '../core/snapshot/snapshot.js';
import { redactSecrets } from '../core/text/redact.js';
import type { Usage } from '../core/wire/openai.js';
import { relayStream, type StreamEnd } from './relay-stream.js';
import { destroyBody } from './upstream/destroy-body.js';
import { classify } from './upstream/http-upstream.js';
import {
  type AttemptContext,
  AttemptFailure,
  type UpstreamCaller,
  type UpstreamTimeouts,
} from './upstream/upstream.js';

/** Largest upstream body read into memory (non-streamed answers, error bodies). */
const MAX_UPSTREAM_BODY_BYTES = 32 * 1024 * 1024;
/** Error bodies are only read for their message. */
const MAX_ERROR_BODY_BYTES = 64 * 1024;

export interface AttemptRecord {
  backend: string;
  outcome: 'success' | 'http-error' | AttemptFailure['kind'];
  status?: number;
}

export interface ExecutionResult {
  /** The deployment that served, or the last one tried. */
  backend: Deployment | undefined;
  status: number;
  attempts: AttemptRecord[];
  usage: Usage | undefined;
  streamEnd?: StreamEnd;
  error?: GatewayError;
  /** Milliseconds from the start of execution to the first byte sent to the client. */
  firstByteMs?: number;
}

export interface ExecuteInput {
  plan: readonly Deployment[];
  context: Omit<AttemptContext, 'deployment' | 'bodyText'>;
  /** The body to send to a deployment: the client's bytes with `model` patched to that deployment's name. */
  bodyFor: (deployment: Deployment) => string;
  response: ServerResponse;
  callers: { http: UpstreamCaller; echo: UpstreamCaller };
  timeouts: UpstreamTimeouts;
  /** Headers every answer carries (request id, snapshot version). */
  baseHeaders: Readonly<Record<string, string>>;
  /** Told of every attempt's outcome (health feedback). */
  onAttempt?: (deployment: Deployment, attempt: AttemptRecord) => void;
}

const isRetryableStatus = (status: number) => status === 429 || status >= 500;

/** Executes the plan and writes the answer (or the error) to the client. */
export async function executePlan(input: ExecuteInput): Promise<ExecutionResult> {
  const { plan, response, timeouts } = input;
  const started = performance.now();
  const attempts: AttemptRecord[] = [];
  const note = (deployment: Deployment, attempt: AttemptRecord) => {
    attempts.push(attempt);
    input.onAttempt?.(deployment, attempt);
  };
  let lastError: GatewayError | undefined;
  let backend: Deployment | undefined;

  for (let index = 0; index < plan.length; index++) {
    const deployment = plan[index]!;
    backend = deployment;
    const isLast = index === plan.length - 1;
    const caller = deployment.provider.type === 'echo' ? input.callers.echo : input.callers.http;
    const context: AttemptContext = { ...input.context, deployment, bodyText: input.bodyFor(deployment) };
    try {
      const upstream = await caller(context);
      if (upstream.statusCode >= 200 && upstream.statusCode < 300) {
        if (context.stream && upstream.contentType.includes('text/event-stream')) {
          const first = await readFirstChunk(upstream.body, timeouts.idleMs);
          if (first === null) {
            note(deployment, { backend: deployment.id, outcome: 'reset', status: upstream.statusCode });
            lastError = new GatewayError(
              'stream_interrupted',
              'The upstream ended the stream before sending anything',
            );
            continue;
          }
          note(deployment, { backend: deployment.id, outcome: 'success', status: upstream.statusCode });
          writeHead(response, 200, 'text/event-stream', input.baseHeaders, deployment, attempts.length);
          const firstByteMs = performance.now() - started;
          const result = await relayStream(response, upstream.body, first, timeouts.idleMs);
          return {
            backend: deployment,
            status: 200,
            attempts,
            usage: result.usage,
            streamEnd: result.end,
            firstByteMs,
          };
        }
        const text = await readText(upstream.body, MAX_UPSTREAM_BODY_BYTES);
        let usage: Usage | undefined;
        try {
          usage = (JSON.parse(text) as { usage?: Usage }).usage;
        } catch {
          note(deployment, { backend: deployment.id, outcome: 'http-error', status: upstream.statusCode });
          const error = new GatewayError(
            'upstream_bad_response',
            'The upstream answered with a body that is not JSON',
          );
          return fail(response, input, deployment, attempts, error);
        }
        note(deployment, { backend: deployment.id, outcome: 'success', status: upstream.statusCode });
        writeHead(
          response,
          upstream.statusCode,
          'application/json',
          input.baseHeaders,
          deployment,
          attempts.length,
        );
        response.setHeader('content-length', Buffer.byteLength(text));
        response.end(text);
        return {
          backend: deployment,
          status: upstream.statusCode,
          attempts,
          usage,
          firstByteMs: performance.now() - started,
        };
      }
      const errorText = await readText(upstream.body, MAX_ERROR_BODY_BYTES, true).catch(() => '');
      note(deployment, { backend: deployment.id, outcome: 'http-error', status: upstream.statusCode });
      lastError = upstreamHttpError(upstream.statusCode, errorText, deployment);
      if (!isRetryableStatus(upstream.statusCode) || isLast) break;
    } catch (caught) {
      const failure = classify(caught);
      note(deployment, { backend: deployment.id, outcome: failure.kind });
      if (failure.kind === 'aborted' || input.context.signal.aborted) {
        return { backend, status: 499, attempts, usage: undefined, streamEnd: 'cancelled' };
      }
      lastError =
        failure.kind === 'timeout'
          ? new GatewayError('upstream_timeout', `The upstream ${deployment.id} did not answer in time`)
          : failure.kind === 'connect'
            ? new GatewayError('upstream_unreachable', `The upstream ${deployment.id} could not be reached`)
            : new GatewayError('upstream_error', `The connection to the upstream ${deployment.id} failed`);
    }
  }
  const error = lastError ?? new GatewayError('no_backend_available');
  return fail(response, input, backend, attempts, error);
}

function fail(
  response: ServerResponse,
  input: ExecuteInput,
  backend: Deployment | undefined,
  attempts: AttemptRecord[],
  error: GatewayError,
): ExecutionResult {
  if (!response.headersSent) {
    for (const [name, value] of Object.entries(input.baseHeaders)) response.setHeader(name, value);
    if (backend) response.setHeader('x-junction-backend', backend.id);
    response.setHeader('x-junction-attempts', String(attempts.length));
  }
  return { backend, status: error.status, attempts, usage: undefined, error };
}

function writeHead(
  response: ServerResponse,
  status: number,
  contentType: string,
  baseHeaders: Readonly<Record<string, string>>,
  deployment: Deployment,
  attempts: number,
): void {
  response.statusCode = status;
  for (const [name, value] of Object.entries(baseHeaders)) response.setHeader(name, value);
  response.setHeader('content-type', contentType);
  response.setHeader('x-junction-backend', deployment.id);
  response.setHeader('x-junction-attempts', String(attempts));
  if (contentType === 'text/event-stream') {
    response.setHeader('cache-control', 'no-cache');
    response.setHeader('x-accel-buffering', 'no');
    response.flushHeaders();
  }
}

/** Rewrites an upstream HTTP error into Junction's error, keeping the provider's status and a redacted message. */
function upstreamHttpError(status: number, text: string, deployment: Deployment): GatewayError {
  let message = `The upstream ${deployment.id} answered HTTP ${status}`;
  try {
    const parsed = JSON.parse(text) as { error?: { message?: unknown } | string; message?: unknown };
    const detail =
      typeof parsed.error === 'string'
        ? parsed.error
        : typeof parsed.error?.message === 'string'
          ? parsed.error.message
          : typeof parsed.message === 'string'
            ? parsed.message
            : undefined;
    if (detail) message += `: ${detail.slice(0, 1000)}`;
  } catch {
    // Not JSON (an HTML error page, plain text): the status says enough, the body is not shown.
  }
  return new GatewayError('upstream_error', redactSecrets(message, deployment.provider.secrets), { status });
}

/** Waits for the first body chunk; null when the body ends empty. */
function readFirstChunk(body: Readable, idleMs: number): Promise<Buffer | null> {
  return new Promise((resolve, reject) => {
    const cleanup = () => {
      clearTimeout(timer);
      body.off('data', onData);
      body.off('end', onEnd);
      body.off('error', onError);
    };
    const onData = (chunk: Buffer) => {
      cleanup();
      body.pause();
      resolve(chunk);
    };
    const onEnd = () => {
      cleanup();
      resolve(null);
    };
    const onError = (error: unknown) => {
      cleanup();
      reject(classify(error));
    };
    const timer = setTimeout(() => {
      cleanup();
      destroyBody(body);
      reject(new AttemptFailure('timeout', 'The upstream sent no stream data in time'));
    }, idleMs);
    body.on('data', onData);
    body.on('end', onEnd);
    body.on('error', onError);
  });
}

/** Reads a whole body as text up to `maxBytes`; `truncate` keeps the start instead of failing. */
function readText(body: Readable, maxBytes: number, truncate = false): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    body.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        destroyBody(body);
        if (truncate) resolve(Buffer.concat(chunks).toString('utf8'));
        else reject(new AttemptFailure('reset', 'The upstream body is larger than the gateway accepts'));
        return;
      }
      chunks.push(chunk);
    });
    body.on('end', () =>
      resolve(chunks.length === 1 ? chunks[0]!.toString('utf8') : Buffer.concat(chunks).toString('utf8')),
    );
    body.on('error', (error) => reject(classify(error)));
  });
}
