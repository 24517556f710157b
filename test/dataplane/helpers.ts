/**
 * Helpers shared by the data-plane tests: raw HTTP requests (exact bytes, slow bodies, aborts), an SSE reader
 * that timestamps every event, OpenAI error assertions, configuration shortcuts and a metrics reader.
 */
import {
  type Agent,
  request as httpRequest,
  type IncomingHttpHeaders,
  type OutgoingHttpHeaders,
} from 'node:http';
import { createServer } from 'node:net';
import { expect } from 'vitest';
import { SseParser } from '../../src/core/sse/sse-parser.js';
import { ok, type TestGateway } from '../support/gateway.js';

export interface RawResponse {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
}

export interface RawRequestOptions {
  method?: string;
  path: string;
  headers?: OutgoingHttpHeaders;
  body?: Buffer | string;
  agent?: Agent | false;
}

/** One request with exactly these headers and body bytes (Content-Length set when a body is given). */
export function rawRequest(baseUrl: string, options: RawRequestOptions): Promise<RawResponse> {
  const url = new URL(baseUrl);
  const body = options.body === undefined ? undefined : Buffer.from(options.body);
  const headers: OutgoingHttpHeaders = { ...options.headers };
  if (body !== undefined && headers['content-length'] === undefined) headers['content-length'] = body.length;
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: url.hostname,
        port: url.port,
        method: options.method ?? 'POST',
        path: options.path,
        headers,
        agent: options.agent ?? false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            text: Buffer.concat(chunks).toString('utf8'),
          }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

export interface SlowBodyResult extends RawResponse {
  /** Body bytes written when the response status line arrived. */
  sentBeforeResponse: number;
  /** Whether every planned byte had been written before the response arrived. */
  finishedSending: boolean;
  /** Milliseconds from the first body byte to the response. */
  elapsedMs: number;
}

/**
 * Sends `totalBytes` of body (`body`, or spaces) in `chunkBytes` pieces every `intervalMs` (chunked unless a
 * Content-Length is in `headers`) and stops writing as soon as the response arrives.
 */
export function sendSlowBody(
  baseUrl: string,
  options: {
    path: string;
    headers: OutgoingHttpHeaders;
    totalBytes: number;
    chunkBytes: number;
    intervalMs: number;
    body?: Buffer;
  },
): Promise<SlowBodyResult> {
  const url = new URL(baseUrl);
  const source = options.body ?? Buffer.alloc(options.chunkBytes, 0x20);
  return new Promise((resolve, reject) => {
    let sent = 0;
    let responded = false;
    let timer: NodeJS.Timeout | undefined;
    const started = performance.now();
    const req = httpRequest(
      {
        host: url.hostname,
        port: url.port,
        method: 'POST',
        path: options.path,
        headers: options.headers,
        agent: false,
      },
      (res) => {
        responded = true;
        clearTimeout(timer);
        const sentBeforeResponse = sent;
        const elapsedMs = performance.now() - started;
        const chunks: Buffer[] = [];
        res.on('data', (data: Buffer) => chunks.push(data));
        const done = () => {
          req.destroy();
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            text: Buffer.concat(chunks).toString('utf8'),
            sentBeforeResponse,
            finishedSending: sentBeforeResponse >= options.totalBytes,
            elapsedMs,
          });
        };
        res.on('end', done);
        res.on('error', done);
      },
    );
    req.on('error', (error) => {
      if (!responded) reject(new Error(`request failed after ${sent} bytes: ${error.message}`));
    });
    const writeNext = () => {
      if (responded || req.destroyed) return;
      if (sent >= options.totalBytes) {
        req.end();
        return;
      }
      const length = Math.min(options.chunkBytes, options.totalBytes - sent);
      const piece = options.body ? source.subarray(sent, sent + length) : source.subarray(0, length);
      sent += piece.length;
      const flushed = req.write(piece);
      const next = () => {
        timer = setTimeout(writeNext, options.intervalMs);
      };
      if (flushed) next();
      else req.once('drain', next);
    };
    req.flushHeaders();
    writeNext();
  });
}

export interface TimedEvent {
  data: string;
  /** performance.now() when the event was parsed. */
  at: number;
}

export interface StreamResult extends RawResponse {
  events: TimedEvent[];
  startedAt: number;
  endedAt: number;
  /** 'aborted' when the reader hung up itself (abortAfterEvents). */
  outcome: 'end' | 'error' | 'aborted';
}

/** POSTs `body` and reads the answer event by event; `abortAfterEvents` hangs up after that many events. */
export function streamRequest(
  baseUrl: string,
  options: { path?: string; key: string; body: unknown; abortAfterEvents?: number },
): Promise<StreamResult> {
  const url = new URL(baseUrl);
  const payload = Buffer.from(JSON.stringify(options.body));
  const startedAt = performance.now();
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: url.hostname,
        port: url.port,
        method: 'POST',
        path: options.path ?? '/v1/chat/completions',
        agent: false,
        headers: {
          authorization: `Bearer ${options.key}`,
          'content-type': 'application/json',
          'content-length': payload.length,
        },
      },
      (res) => {
        const parser = new SseParser();
        const events: TimedEvent[] = [];
        let text = '';
        let settled = false;
        const settle = (outcome: StreamResult['outcome']) => {
          if (settled) return;
          settled = true;
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            text,
            events,
            startedAt,
            endedAt: performance.now(),
            outcome,
          });
        };
        res.on('data', (chunk: Buffer) => {
          if (settled) return;
          text += chunk.toString('utf8');
          for (const event of parser.push(chunk)) events.push({ data: event.data, at: performance.now() });
          if (options.abortAfterEvents !== undefined && events.length >= options.abortAfterEvents) {
            req.destroy();
            settle('aborted');
          }
        });
        res.on('end', () => settle('end'));
        res.on('error', () => settle('error'));
        res.on('close', () => settle('error'));
      },
    );
    req.on('error', (error) => reject(error));
    req.end(payload);
  });
}

/** Asserts `result` is an OpenAI-format error with this status and code; returns the error object. */
export function expectOpenAIError(
  result: { status: number; headers: Record<string, unknown>; text: string },
  status: number,
  code: string,
  type = status >= 500 ? 'api_error' : 'invalid_request_error',
): { message: string; type: string; param: string | null; code: string } {
  expect(result.status, result.text).toBe(status);
  expect(result.headers['content-type']).toBe('application/json');
  const body = JSON.parse(result.text) as {
    error: { message: string; type: string; param: string | null; code: string };
  };
  expect(Object.keys(body)).toEqual(['error']);
  expect(Object.keys(body.error).sort()).toEqual(['code', 'message', 'param', 'type']);
  expect(body.error.code).toBe(code);
  expect(body.error.type).toBe(type);
  expect(typeof body.error.message).toBe('string');
  expect(body.error.message.length).toBeGreaterThan(0);
  return body.error;
}

/** The `data:` payloads of a finished SSE body. */
export function sseData(text: string): string[] {
  const parser = new SseParser();
  return parser.push(text).map((event) => event.data);
}

/** A port nothing listens on: a server is started on it and closed again. */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return address.port;
}

export interface DeploymentSpec {
  providerId: string;
  upstreamModel: string;
  weight?: number;
}

/** Creates a provider through the admin API. */
export async function addProvider(gateway: TestGateway, provider: Record<string, unknown>): Promise<void> {
  await ok(gateway.admin('POST', '/providers', { displayName: String(provider.id), ...provider }));
}

/** Creates a model through the admin API. */
export async function addModel(
  gateway: TestGateway,
  id: string,
  deployments: DeploymentSpec[],
  extra: Record<string, unknown> = {},
): Promise<void> {
  await ok(gateway.admin('POST', '/models', { id, kind: 'chat', deployments, ...extra }));
}

/** A minimal valid chat body. */
export function chat(
  model: string,
  content = 'hi',
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  return { model, messages: [{ role: 'user', content }], ...extra };
}

/** The value of one Prometheus sample (labels matched in any order), or undefined when absent. */
export function metricValue(text: string, name: string, labels: Record<string, string>): number | undefined {
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`)) continue;
    const close = line.lastIndexOf('}');
    const found: Record<string, string> = {};
    for (const match of line.slice(name.length + 1, close).matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) {
      found[match[1]!] = match[2]!;
    }
    const wanted = Object.entries(labels);
    if (wanted.length !== Object.keys(found).length) continue;
    if (wanted.every(([label, value]) => found[label] === value)) return Number(line.slice(close + 1).trim());
  }
  return undefined;
}

/** Polls `check` until it returns true or `timeoutMs` passes; returns the last result. */
export async function eventually(check: () => boolean, timeoutMs: number, stepMs = 10): Promise<boolean> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    if (check()) return true;
    if (performance.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, stepMs));
  }
}
