/**
 * Reads the error bodies of OpenAI-wire servers. OpenAI sends `{error:{message,type,code,param}}`; Azure adds
 * `innererror` (with the content filter's verdict); Mistral puts `{object:'error', message, type, code}` at
 * the top level, its message sometimes a FastAPI validation object; vLLM, TGI, Ollama and llama.cpp send
 * `{error:"..."}`, `{message}` or FastAPI's `{detail}`. Anything that is not JSON (an HTML 502 page, plain
 * text) yields no message, so the gateway never forwards a proxy's page to the client.
 */
import type { UpstreamErrorDetail } from '../adapter.js';

type JsonObject = Record<string, unknown>;

const isObject = (value: unknown): value is JsonObject =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const NOTHING: UpstreamErrorDetail = { message: undefined, providerCode: undefined };

/** Extracts the message and the error code from an OpenAI-wire error body. */
export function readOpenAIError(text: string): UpstreamErrorDetail {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return NOTHING;
  }
  if (!isObject(body)) return NOTHING;
  const error = body.error;
  if (isObject(error)) {
    return {
      message: messageOf(error.message) ?? messageOf(error.detail),
      providerCode: withInnerCode(codeOf(error), error.innererror),
    };
  }
  if (typeof error === 'string' && error !== '') {
    // TGI adds `error_type` next to a string error.
    return { message: error, providerCode: codeOf(body) ?? textOf(body.error_type) };
  }
  const message = messageOf(body.message) ?? messageOf(body.detail);
  if (message === undefined) return NOTHING;
  return { message, providerCode: codeOf(body) };
}

/**
 * A human message from a message-like value: a string (which may itself be serialised JSON, as older
 * Mistral errors are), a FastAPI `{detail}` object, or a list of validation errors.
 */
function messageOf(value: unknown): string | undefined {
  if (typeof value === 'string') {
    const trimmed = value.trim();
    if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
      try {
        return messageOf(JSON.parse(trimmed)) ?? nonEmpty(trimmed);
      } catch {
        return nonEmpty(value);
      }
    }
    return nonEmpty(value);
  }
  if (Array.isArray(value)) {
    const lines = value.map(validationLine).filter((line): line is string => line !== undefined);
    return lines.length > 0 ? lines.join('; ') : undefined;
  }
  if (isObject(value)) return messageOf(value.detail) ?? messageOf(value.message);
  return undefined;
}

/** One FastAPI/pydantic validation error as `body.field: message`. */
function validationLine(item: unknown): string | undefined {
  if (typeof item === 'string') return nonEmpty(item);
  if (!isObject(item)) return undefined;
  const message = textOf(item.msg) ?? textOf(item.message);
  if (message === undefined) return undefined;
  const location = Array.isArray(item.loc) ? item.loc.map(String).join('.') : undefined;
  return location ? `${location}: ${message}` : message;
}

/**
 * The most specific code: a symbolic `code` (`rate_limit_exceeded`, `DeploymentNotFound`) wins; a numeric
 * one (`"429"`, Mistral's `"1500"`, vLLM's `400`) only when there is no `type` to say more.
 */
function codeOf(error: JsonObject): string | undefined {
  const code = textOf(error.code);
  const type = textOf(error.type);
  if (code !== undefined && !/^\d+$/.test(code)) return code;
  return type ?? code;
}

/** Azure's `innererror.code` (e.g. `ResponsibleAIPolicyViolation`) and the content filter categories that fired. */
function withInnerCode(code: string | undefined, inner: unknown): string | undefined {
  if (!isObject(inner)) return code;
  const parts = [code, textOf(inner.code)].filter((part): part is string => part !== undefined);
  const filtered = filteredCategories(inner.content_filter_result ?? inner.content_filter_results);
  if (filtered.length > 0) parts.push(filtered.join(','));
  return parts.length > 0 ? parts.join(':') : undefined;
}

function filteredCategories(result: unknown): string[] {
  if (!isObject(result)) return [];
  return Object.entries(result)
    .filter(([, verdict]) => isObject(verdict) && verdict.filtered === true)
    .map(([category]) => category);
}

function textOf(value: unknown): string | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return typeof value === 'string' ? nonEmpty(value) : undefined;
}

function nonEmpty(value: string): string | undefined {
  return value.trim() === '' ? undefined : value;
}
