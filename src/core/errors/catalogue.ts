/**
 * The one catalogue of errors Junction itself produces. Each code is stable (never reused), has one HTTP
 * status and one OpenAI error `type`, so the data plane and the admin API answer the same failure the same way.
 */
export const errorCatalogue = {
  // Authentication and authorisation
  missing_api_key: { status: 401, type: 'authentication_error', title: 'No API key was provided' },
  invalid_api_key: { status: 401, type: 'authentication_error', title: 'The API key is not valid' },
  forbidden: { status: 403, type: 'permission_error', title: 'Not allowed' },
  invalid_credentials: { status: 401, type: 'authentication_error', title: 'The email or password is wrong' },
  csrf_failed: {
    status: 403,
    type: 'permission_error',
    title: 'The request did not carry the CSRF token of its session',
  },
  too_many_failed_authentications: {
    status: 429,
    type: 'rate_limit_error',
    title: 'Too many failed authentications from this address',
  },
  // Governance: budgets and rate limits
  budget_exceeded: { status: 429, type: 'insufficient_quota', title: 'A budget would be exceeded' },
  rate_limit_exceeded: { status: 429, type: 'rate_limit_error', title: 'A rate limit was reached' },
  limits_unavailable: {
    status: 503,
    type: 'server_error',
    title: 'The shared budget and rate-limit store cannot be reached',
  },
  // Request shape
  invalid_json: { status: 400, type: 'invalid_request_error', title: 'The body is not valid JSON' },
  invalid_request: { status: 400, type: 'invalid_request_error', title: 'The request is not valid' },
  unsupported_media_type: { status: 415, type: 'invalid_request_error', title: 'Unsupported content type' },
  body_too_large: { status: 413, type: 'invalid_request_error', title: 'The body is too large' },
  not_found: { status: 404, type: 'invalid_request_error', title: 'Not found' },
  method_not_allowed: { status: 405, type: 'invalid_request_error', title: 'Method not allowed' },
  model_not_found: { status: 404, type: 'invalid_request_error', title: 'The model does not exist' },
  wrong_model_kind: {
    status: 400,
    type: 'invalid_request_error',
    title: 'The model does not serve this endpoint',
  },
  unsupported_parameter: {
    status: 400,
    type: 'invalid_request_error',
    title: 'The backend cannot serve a parameter of this request',
  },
  // Admin API
  conflict: { status: 409, type: 'invalid_request_error', title: 'Conflict' },
  in_use: { status: 409, type: 'invalid_request_error', title: 'The resource is in use' },
  invalid_configuration: {
    status: 422,
    type: 'invalid_request_error',
    title: 'The change would make the configuration invalid',
  },
  // Routing and upstreams
  no_backend_available: { status: 503, type: 'api_error', title: 'No backend is available for this model' },
  upstream_error: { status: 502, type: 'api_error', title: 'The upstream provider returned an error' },
  upstream_unreachable: {
    status: 502,
    type: 'api_error',
    title: 'The upstream provider could not be reached',
  },
  upstream_timeout: { status: 504, type: 'api_error', title: 'The upstream provider did not answer in time' },
  upstream_bad_response: {
    status: 502,
    type: 'api_error',
    title: 'The upstream provider sent an invalid response',
  },
  dimension_mismatch: {
    status: 502,
    type: 'api_error',
    title: "The embedding dimension differs from the model's recorded dimension",
  },
  backend_misconfigured: {
    status: 502,
    type: 'api_error',
    title: 'A backend is missing a setting it needs',
  },
  stream_interrupted: {
    status: 502,
    type: 'api_error',
    title: 'The upstream stream ended before it was complete',
  },
  // Gateway itself
  not_ready: { status: 503, type: 'api_error', title: 'The gateway is not ready' },
  shutting_down: { status: 503, type: 'api_error', title: 'The gateway is shutting down' },
  internal_error: { status: 500, type: 'api_error', title: 'Internal error' },
} as const satisfies Record<string, { status: number; type: string; title: string }>;

export type ErrorCode = keyof typeof errorCatalogue;
