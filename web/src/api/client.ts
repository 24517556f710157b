import { clearToken, getToken } from '../auth/token';
import { ApiError, type Problem } from './ApiError';

export interface RequestOptions extends Omit<RequestInit, 'body'> {
  /** JSON-serialised as the request body. */
  body?: unknown;
  /** Use this token instead of the stored one (sign-in validates a token before storing it). */
  token?: string;
}

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

/**
 * Calls the admin API on the same origin with the admin token, parsing JSON responses and
 * turning problem+json errors into `ApiError`. A 401 with the stored token signs the user out.
 */
export async function request<T>(path: string, options: RequestOptions = {}): Promise<T> {
  const { body, token: explicitToken, headers, ...init } = options;
  const token = explicitToken ?? getToken();
  const finalHeaders = new Headers(headers);
  finalHeaders.set('Accept', 'application/json, application/problem+json');
  if (token) finalHeaders.set('Authorization', `Bearer ${token}`);
  if (body !== undefined) finalHeaders.set('Content-Type', 'application/json');

  let response: Response;
  try {
    response = await fetch(path, {
      ...init,
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
    if (response.status === 401 && explicitToken === undefined && token) clearToken();
    throw new ApiError(response.status, problem);
  }
  if (response.status === 204 || response.headers.get('content-length') === '0') {
    return undefined as T;
  }
  const text = await response.text();
  return (text ? JSON.parse(text) : undefined) as T;
}
