import { csrfToken, currentSession, sessionGeneration, signedOut } from '../auth/session';
import { getToken } from '../auth/token';
import { ApiError, type Problem } from './ApiError';

export interface RequestOptions extends Omit<RequestInit, 'body' | 'credentials'> {
  /** JSON-serialised as the request body. */
  body?: unknown;
  /** Use this token instead of the stored one (sign-in validates a token before storing it). */
  token?: string;
  /**
   * For the sign-in calls: send neither the stored admin token nor a CSRF token (the browser still sends its
   * cookie), and leave the signed-in state alone on a 401.
   */
  anonymous?: boolean;
}

/** Methods the server treats as changes: a cookie session must prove them with its CSRF token. */
const CHANGES = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

async function readProblem(response: Response): Promise<Problem> {
  const type = response.headers.get('content-type') ?? '';
  if (type.includes('json')) {
    try {
      const parsed: unknown = await response.json();
      if (parsed && typeof parsed === 'object') return parsed as Problem;
    } catch {
      // fall through to a generic problem
    }
  }
  return { title: response.statusText || 'Request failed', status: response.status };
}

function readRetryAfter(response: Response): number | undefined {
  const header = response.headers.get('retry-after');
  if (header === null || !/^\d+$/.test(header.trim())) return undefined;
  return Number(header.trim());
}

/**
 * Calls the admin API on the same origin, parsing JSON responses and turning problem+json errors into
 * `ApiError`. Credentials: the stored admin token as `Authorization: Bearer` when there is one; otherwise the
 * browser session cookie (`credentials: 'same-origin'`), with `x-csrf-token` on every change. A 401 signs out on
 * this device (both modes).
 */
export async function request<T>(path: string, options: RequestOptions = {}): Promise<T> {
  const { body, token: explicitToken, anonymous = false, headers, ...init } = options;
  const token = anonymous ? undefined : (explicitToken ?? getToken() ?? undefined);
  const method = (init.method ?? 'GET').toUpperCase();
  const finalHeaders = new Headers(headers);
  finalHeaders.set('Accept', 'application/json, application/problem+json');
  if (token) {
    finalHeaders.set('Authorization', `Bearer ${token}`);
  } else if (!anonymous && CHANGES.has(method)) {
    const csrf = csrfToken();
    if (csrf) finalHeaders.set('x-csrf-token', csrf);
  }
  if (body !== undefined) finalHeaders.set('Content-Type', 'application/json');
  const generation = sessionGeneration();

  let response: Response;
  try {
    response = await fetch(path, {
      ...init,
      method,
      headers: finalHeaders,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: 'same-origin',
    });
  } catch (cause) {
    throw new ApiError(0, {
      title: 'Network error',
      detail: `Could not reach the gateway (${cause instanceof Error ? cause.message : 'unknown error'}).`,
    });
  }

  if (!response.ok) {
    const problem = await readProblem(response);
    if (
      response.status === 401 &&
      !anonymous &&
      explicitToken === undefined &&
      generation === sessionGeneration() &&
      currentSession() !== null // already signed out: nothing to forget (keeps the sign-in page's data)
    ) {
      signedOut();
    }
    throw new ApiError(response.status, problem, readRetryAfter(response));
  }
  if (response.status === 204 || response.headers.get('content-length') === '0') {
    return undefined as T;
  }
  const text = await response.text();
  return (text ? JSON.parse(text) : undefined) as T;
}
