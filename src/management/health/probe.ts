/**
 * Checks one provider entry (an endpoint and a credential) by asking for its model list, and says which stage
 * failed when it does: DNS, connect, TLS, timeout, HTTP, credential, path or response shape. The management
 * plane runs it on save, on demand and periodically. It never throws for network reasons and never echoes a
 * credential or header value, even when the provider does.
 *
 * Each probe uses its own short-lived undici Client (no pooling with the data plane, no redirects followed)
 * with a connector wrapper that records how far the connection got, so a reset or a stall is blamed on the
 * right stage.
 */
import type { LookupFunction, Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { rootCertificates } from 'node:tls';
import type { buildConnector, Client } from 'undici';
import { parseBaseUrl } from '../../core/snapshot/compile.js';
import type { ProviderType } from '../../core/snapshot/source.js';
import { redactSecrets } from '../../core/text/redact.js';
import { Client as UndiciClient, buildConnector as undiciConnector } from '../../http/undici.js';
import {
  type ConnectionPhase,
  type Diagnosis,
  type DiagnosticStage,
  diagnoseError,
  diagnoseStatus,
  type ProbeWhere,
} from './diagnose.js';

export type { DiagnosticStage } from './diagnose.js';

export interface ProbeTarget {
  providerId: string;
  type: ProviderType;
  /** e.g. https://api.openai.com/v1 (already validated by parseBaseUrl). */
  baseUrl: string;
  /** The model list's path after the base URL's path, with any query (`/models`, `/openai/models?api-version=…`). */
  modelListPath?: string;
  /** Auth headers to send (e.g. authorization: Bearer sk-...). */
  headers: Record<string, string>;
  /** Redacted from anything echoed back. */
  secrets: readonly string[];
}

export interface ProbeOptions {
  /** Whole probe budget (connect + headers + body). */
  timeoutMs: number;
  /** DNS resolution override (tests): same signature as node:dns lookup, passed to the socket connect. */
  lookup?: LookupFunction;
  /** Extra CA certificates to trust (tests, private PKI), on top of Node's bundled roots. */
  ca?: string | Buffer | Array<string | Buffer>;
}

export type ProbeResult =
  | { ok: true; latencyMs: number; httpStatus: number; models: string[] }
  | {
      ok: false;
      latencyMs: number;
      stage: DiagnosticStage;
      message: string;
      httpStatus?: number;
      code?: string;
    };

/** Largest model list read; longer answers are reported, not parsed. */
export const MAX_MODEL_LIST_BYTES = 4 * 1024 * 1024;
/** Enough of an error answer for its message. */
const MAX_ERROR_BODY_BYTES = 64 * 1024;

export async function probeProvider(target: ProbeTarget, options: ProbeOptions): Promise<ProbeResult> {
  const started = performance.now();
  const elapsed = () => Math.round((performance.now() - started) * 10) / 10;
  const secrets = secretsOf(target);
  const fail = (diagnosis: Diagnosis): ProbeResult => ({
    ok: false,
    latencyMs: elapsed(),
    ...diagnosis,
    message: redactSecrets(diagnosis.message, secrets),
  });

  const parsed = parseBaseUrl(target.baseUrl);
  if (typeof parsed === 'string') return fail({ stage: 'wrong-path', message: `Cannot probe: ${parsed}` });
  const url = new URL(parsed.origin);
  const where: ProbeWhere = {
    providerType: target.type,
    origin: parsed.origin,
    host: url.hostname,
    port: Number(url.port) || (url.protocol === 'https:' ? 443 : 80),
    basePath: parsed.basePath,
    path: `${parsed.basePath}${target.modelListPath ?? '/models'}`,
    timeoutMs: options.timeoutMs,
  };

  const state: { phase: ConnectionPhase } = { phase: 'connecting' };
  const deadline = new AbortController();
  const expired = new Error('probe deadline expired');
  const timer = setTimeout(() => deadline.abort(expired), options.timeoutMs);
  let client: Client | undefined;
  try {
    client = new UndiciClient(parsed.origin, {
      connect: trackingConnector(options, state),
      headersTimeout: options.timeoutMs,
      bodyTimeout: options.timeoutMs,
      pipelining: 1,
    });
    const response = await client.request({
      path: where.path,
      method: 'GET',
      headers: requestHeaders(target.headers),
      signal: deadline.signal,
    });
    const status = response.statusCode;
    const contentType = headerValue(response.headers['content-type']);
    if (status < 200 || status >= 300) {
      const body = await readCapped(response.body, MAX_ERROR_BODY_BYTES, true);
      const location = headerValue(response.headers.location) || undefined;
      return fail(diagnoseStatus(status, where, body.text, contentType, location));
    }
    const body = await readCapped(response.body, MAX_MODEL_LIST_BYTES, false);
    if (body.truncated) {
      return fail({
        stage: 'response',
        httpStatus: status,
        message: `${where.host} answered HTTP ${status} with more than ${MAX_MODEL_LIST_BYTES / 1024 / 1024} MiB at ${where.path}; that is not a model list the gateway reads`,
      });
    }
    const models = parseModelList(body.text);
    if (models === undefined) {
      const shown = contentType ? ` (content-type ${contentType.split(';')[0]?.trim()})` : '';
      return fail({
        stage: 'response',
        httpStatus: status,
        message: `${where.host} answered HTTP ${status} at ${where.path}${shown} but not with a model list; is this an OpenAI-compatible endpoint?`,
      });
    }
    return { ok: true, latencyMs: elapsed(), httpStatus: status, models };
  } catch (error) {
    return fail(diagnoseError(error, where, state.phase, error === expired || deadline.signal.aborted));
  } finally {
    clearTimeout(timer);
    await client?.destroy().catch(() => undefined);
  }
}

/** The known secrets plus every header value (and the token inside a `Bearer` value). */
function secretsOf(target: ProbeTarget): string[] {
  const values = [...target.secrets];
  for (const value of Object.values(target.headers)) {
    values.push(value);
    const token = /^\s*(?:Bearer|Basic|Token)\s+(\S+)/i.exec(value)?.[1];
    if (token) values.push(token);
  }
  // Longest first, so a value containing another is replaced whole.
  return values.filter((value) => value.length >= 4).sort((a, b) => b.length - a.length);
}

function requestHeaders(headers: Record<string, string>): Record<string, string> {
  const hasAccept = Object.keys(headers).some((name) => name.toLowerCase() === 'accept');
  return hasAccept ? { ...headers } : { ...headers, accept: 'application/json' };
}

function headerValue(value: string | string[] | undefined): string {
  return (Array.isArray(value) ? value[0] : value) ?? '';
}

/**
 * undici's connector with the probe's timeout, lookup and CA, recording when TCP is up and when TLS is done:
 * undici reports a reset during the handshake and one before it alike.
 */
function trackingConnector(
  options: ProbeOptions,
  state: { phase: ConnectionPhase },
): buildConnector.connector {
  const extra = options.ca === undefined ? [] : Array.isArray(options.ca) ? options.ca : [options.ca];
  const base = undiciConnector({
    timeout: options.timeoutMs,
    ...(options.lookup ? { lookup: options.lookup } : {}),
    // `ca` replaces Node's bundled roots, so keep them: these certificates are trusted in addition.
    ...(extra.length > 0 ? { ca: [...rootCertificates, ...extra] } : {}),
  }) as unknown as (connectOptions: buildConnector.Options, callback: buildConnector.Callback) => Socket;
  return (connectOptions, callback) => {
    const tls = connectOptions.protocol === 'https:';
    const socket = base(connectOptions, (...args) => {
      if (args[0] === null) state.phase = 'connected';
      callback(...args);
    });
    socket?.once('connect', () => {
      if (state.phase === 'connecting') state.phase = tls ? 'handshake' : 'connected';
    });
  };
}

/** Reads at most `limit` bytes; `tolerant` keeps what arrived when the read fails (error answers). */
async function readCapped(
  body: AsyncIterable<Buffer> & { destroy(): unknown },
  limit: number,
  tolerant: boolean,
): Promise<{ text: string; truncated: boolean }> {
  const chunks: Buffer[] = [];
  let size = 0;
  let truncated = false;
  try {
    for await (const chunk of body) {
      const room = limit - size;
      if (chunk.length > room) {
        chunks.push(chunk.subarray(0, room));
        truncated = true;
        break;
      }
      chunks.push(chunk);
      size += chunk.length;
    }
  } catch (error) {
    if (!tolerant) throw error;
  } finally {
    body.destroy();
  }
  return { text: Buffer.concat(chunks).toString('utf8'), truncated };
}

/** Model ids from an OpenAI-style list (`data[].id`), or `models[].id|name|model` as Ollama and llama.cpp send. */
export function parseModelList(body: string): string[] | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return undefined;
  const record = parsed as Record<string, unknown>;
  if (Array.isArray(record.data)) return idsOf(record.data, ['id']);
  // Google lists `models/<id>` names.
  if (Array.isArray(record.models))
    return idsOf(record.models, ['id', 'name', 'model'])?.map((id) => id.replace(/^models\//, ''));
  return undefined;
}

function idsOf(items: unknown[], keys: readonly string[]): string[] | undefined {
  const ids: string[] = [];
  for (const item of items) {
    if (typeof item !== 'object' || item === null) return undefined;
    const record = item as Record<string, unknown>;
    const id = keys.map((key) => record[key]).find((value) => typeof value === 'string' && value !== '');
    if (typeof id !== 'string') return undefined;
    ids.push(id);
  }
  return ids;
}
