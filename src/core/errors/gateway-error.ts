import type { OpenAIErrorBody } from '../wire/openai.js';
import { type ErrorCode, errorCatalogue } from './catalogue.js';

/** An error Junction raises on purpose; its code decides the status and the body in either format. */
export class GatewayError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly param: string | null;
  /** Extra response headers (e.g. `Retry-After`). */
  readonly headers: Readonly<Record<string, string>>;
  /** Field-level details for problem+json `errors`. */
  readonly details: ReadonlyArray<{ path: string; message: string }>;

  constructor(
    code: ErrorCode,
    message?: string,
    options: {
      param?: string | null;
      status?: number;
      headers?: Record<string, string>;
      details?: Array<{ path: string; message: string }>;
      cause?: unknown;
    } = {},
  ) {
    super(
      message ?? errorCatalogue[code].title,
      options.cause === undefined ? undefined : { cause: options.cause },
    );
    this.name = 'GatewayError';
    this.code = code;
    this.status = options.status ?? errorCatalogue[code].status;
    this.param = options.param ?? null;
    this.headers = options.headers ?? {};
    this.details = options.details ?? [];
  }
}

/** The OpenAI error envelope for a gateway error. */
export function toOpenAIError(error: GatewayError): OpenAIErrorBody {
  return {
    error: {
      message: error.message,
      type: errorCatalogue[error.code].type,
      param: error.param,
      code: error.code,
    },
  };
}

/** A problem+json (RFC 9457) body for a gateway error. */
export interface ProblemDetails {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: ErrorCode;
  errors?: Array<{ path: string; message: string }>;
}

/** The problem+json body for a gateway error. */
export function toProblem(error: GatewayError): ProblemDetails {
  const problem: ProblemDetails = {
    type: `urn:junction:error:${error.code}`,
    title: errorCatalogue[error.code].title,
    status: error.status,
    detail: error.message,
    code: error.code,
  };
  if (error.details.length > 0) problem.errors = [...error.details];
  return problem;
}
