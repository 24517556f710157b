/**
 * Turns what a provider probe ran into (a socket or undici error, an HTTP status, a body) into the stage that
 * failed and a message an operator can act on. Pure apart from reading error fields; every message is built
 * here from known parts, so no stack trace or internal detail leaks. The caller redacts the final message.
 */

import type { DiagnosticStage } from '../../core/routing/health.js';

export type { DiagnosticStage } from '../../core/routing/health.js';

export interface Diagnosis {
  stage: DiagnosticStage;
  message: string;
  httpStatus?: number;
  code?: string;
}

/** Where the probe was going, for messages. */
export interface ProbeWhere {
  providerType: string;
  /** e.g. https://api.openai.com */
  origin: string;
  host: string;
  port: number;
  /** Without a trailing slash, possibly empty. */
  basePath: string;
  /** The path requested: basePath + '/models'. */
  path: string;
  timeoutMs: number;
}

/** How far the connection got when the error happened. */
export type ConnectionPhase = 'connecting' | 'handshake' | 'connected';

const DETAIL_LIMIT = 300;
const dnsCodes = new Set(['ENOTFOUND', 'EAI_AGAIN', 'EAI_FAIL', 'EAI_NONAME', 'EAI_NODATA']);
const timeoutCodes = new Set(['UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);
const untrustedIssuer =
  'the certificate issuer is not trusted, or the server does not send its intermediate certificates';
const tlsReasons: Record<string, string> = {
  DEPTH_ZERO_SELF_SIGNED_CERT: 'the server presented a self-signed certificate that is not trusted',
  SELF_SIGNED_CERT_IN_CHAIN: 'the certificate chain ends in a self-signed root that is not trusted',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: untrustedIssuer,
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: untrustedIssuer,
  UNABLE_TO_GET_ISSUER_CERT: untrustedIssuer,
  CERT_HAS_EXPIRED: 'the server certificate has expired',
  CERT_NOT_YET_VALID: 'the server certificate is not valid yet (check the clocks)',
  CERT_REVOKED: 'the server certificate has been revoked',
  CERT_SIGNATURE_FAILURE: 'the certificate signature is invalid',
  ERR_SSL_WRONG_VERSION_NUMBER:
    'the server did not answer in TLS; if it speaks plain HTTP, use an http:// base URL',
};

function diagnosis(stage: DiagnosticStage, code: string | undefined, message: string): Diagnosis {
  return code === undefined ? { stage, message } : { stage, code, message };
}

/**
 * Maps an error thrown while connecting, waiting for or reading the answer. `phase` says how far the
 * connection got; `deadlineExpired` that the probe's own budget ran out (whatever error undici then raised).
 */
export function diagnoseError(
  error: unknown,
  where: ProbeWhere,
  phase: ConnectionPhase,
  deadlineExpired: boolean,
): Diagnosis {
  const code = errorCode(error);
  const { host, timeoutMs } = where;
  const hostPort = `${host}:${where.port}`;
  if (deadlineExpired || (code !== undefined && timeoutCodes.has(code))) {
    const shown = code !== undefined && timeoutCodes.has(code) ? code : 'ETIMEDOUT';
    if (phase === 'connecting') {
      return diagnosis(
        'connect',
        shown,
        `Could not connect to ${hostPort}: timed out connecting after ${timeoutMs} ms (${shown})`,
      );
    }
    if (phase === 'handshake') {
      return diagnosis(
        'tls',
        shown,
        `TLS handshake with ${host} failed: it did not complete within ${timeoutMs} ms (${shown})`,
      );
    }
    return diagnosis(
      'timeout',
      shown,
      `${host} accepted the connection but did not answer within ${timeoutMs} ms`,
    );
  }
  if (code !== undefined && dnsCodes.has(code)) {
    return diagnosis(
      'dns',
      code,
      `The host ${host} could not be resolved (${code}). For a private endpoint, check that this gateway resolves it from its network.`,
    );
  }
  const reason = tlsReason(error, code, host);
  if (reason !== undefined)
    return diagnosis('tls', code, `TLS handshake with ${host} failed: ${reason} (${code})`);
  const shown = code ?? 'no error code';
  if (phase === 'handshake') {
    return diagnosis(
      'tls',
      code,
      `TLS handshake with ${host} failed: the server closed the connection during the handshake (${shown})`,
    );
  }
  if (phase === 'connecting')
    return diagnosis('connect', code, `Could not connect to ${hostPort} (${shown})`);
  return diagnosis(
    'http',
    code,
    `${host} accepted the connection but closed it before answering completely (${shown})`,
  );
}

function errorCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' && /^[A-Z0-9_]+$/.test(code) ? code : undefined;
}

function tlsReason(error: unknown, code: string | undefined, host: string): string | undefined {
  if (code === undefined) return undefined;
  const known = tlsReasons[code];
  if (known) return known;
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') {
    const names = (error as { cert?: { subjectaltname?: unknown } }).cert?.subjectaltname;
    const listed = typeof names === 'string' && names.length <= 300 ? ` (it names ${names})` : '';
    return `the certificate is not valid for ${host}${listed}`;
  }
  if (code.startsWith('ERR_SSL_') || code === 'EPROTO' || code.startsWith('ERR_TLS_') || /CERT/.test(code)) {
    // OpenSSL messages look like "80CC...:error:0A00010B:SSL routines:ssl3_get_record:wrong version number:...".
    const message = (error as { message?: unknown }).message;
    const reason = typeof message === 'string' ? /SSL routines:[^:]*:([^:]+)/.exec(message)?.[1] : undefined;
    return (
      reason ??
      code
        .replace(/^ERR_SSL_/, '')
        .toLowerCase()
        .replaceAll('_', ' ')
    );
  }
  return undefined;
}

/** Maps a non-2xx answer; `body` is the (capped) answer text. */
export function diagnoseStatus(
  status: number,
  where: ProbeWhere,
  body: string,
  contentType: string,
  location: string | undefined,
): Diagnosis {
  const detail = providerDetail(body, contentType);
  const withDetail = (text: string) => (detail ? `${text}: ${detail}` : `${text}.`);
  if (status === 401 || status === 403) {
    return {
      stage: 'auth',
      httpStatus: status,
      message: withDetail(`The provider rejected the credential (HTTP ${status})`),
    };
  }
  if (status === 404 || status === 405) {
    return {
      stage: 'wrong-path',
      httpStatus: status,
      message: `HTTP ${status} at ${where.path}: ${pathHint(where)}`,
    };
  }
  if (status >= 300 && status < 400) {
    const target = redirectOrigin(location, where);
    const message = target
      ? `HTTP ${status} from ${where.host}: it redirects to ${target}, which the gateway does not follow; set the base URL to the address it redirects to`
      : `HTTP ${status} from ${where.host}: a redirect without a usable Location, which the gateway does not follow`;
    return { stage: 'http', httpStatus: status, message };
  }
  if (status === 429) {
    return {
      stage: 'http',
      httpStatus: status,
      message: withDetail(
        `HTTP 429 from ${where.host}: the endpoint is reachable but is rate limiting this credential`,
      ),
    };
  }
  if (status >= 500) {
    return {
      stage: 'http',
      httpStatus: status,
      message: withDetail(`HTTP ${status} from ${where.host}: the endpoint is reachable but failing`),
    };
  }
  return {
    stage: 'http',
    httpStatus: status,
    message: withDetail(`HTTP ${status} from ${where.host} at ${where.path}`),
  };
}

function redirectOrigin(location: string | undefined, where: ProbeWhere): string | undefined {
  if (!location) return undefined;
  try {
    return new URL(location, `${where.origin}${where.path}`).origin;
  } catch {
    return undefined;
  }
}

const versionSegment = /^v\d+(?:(?:alpha|beta)\d*)?$/i;
const hostsUnderV1 = new Set(['api.openai.com', 'api.mistral.ai', 'api.groq.com', 'api.together.xyz']);

/** Says how the base path looks wrong, when it does. */
export function pathHint(where: ProbeWhere): string {
  const segments = where.basePath.split('/').filter((segment) => segment !== '');
  const repeated = segments.find(
    (segment, index) => index > 0 && segments[index - 1]?.toLowerCase() === segment.toLowerCase(),
  );
  if (repeated !== undefined) {
    const fixed = segments.filter(
      (segment, index) => index === 0 || segments[index - 1]?.toLowerCase() !== segment.toLowerCase(),
    );
    return `the base URL repeats /${repeated}; set it to ${where.origin}/${fixed.join('/')}`;
  }
  if (!segments.some((segment) => versionSegment.test(segment))) {
    const suggestion = `${where.origin}${where.basePath}/v1`;
    if (where.providerType !== 'openai-compatible' || hostsUnderV1.has(where.host)) {
      return `the base URL has no version segment and ${where.host} serves its API under /v1; set it to ${suggestion}`;
    }
    return `the base URL has no version segment; most OpenAI-compatible servers serve under /v1, so try ${suggestion}`;
  }
  return 'there is no model list at this path; check that the base URL is the prefix that goes before /chat/completions';
}

/** The provider's own error message from an error body, shortened; empty when there is nothing useful. */
export function providerDetail(body: string, contentType: string): string {
  if (/html/i.test(contentType) || /^\s*<(?:!doctype|html)/i.test(body)) return 'the answer is an HTML page';
  let text = body;
  try {
    text = messageIn(JSON.parse(body)) ?? body;
  } catch {
    // Not JSON: the text itself is the message.
  }
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > DETAIL_LIMIT ? `${flat.slice(0, DETAIL_LIMIT - 1)}…` : flat;
}

function messageIn(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const record = value as Record<string, unknown>;
  for (const key of ['error', 'message', 'detail', 'error_description', 'title']) {
    const found = messageIn(record[key]);
    if (found) return found;
  }
  return undefined;
}
