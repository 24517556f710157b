/**
 * BYOK passthrough: the caller's own provider key, forwarded upstream and never stored. It travels in
 * `x-junction-provider-key`, or in `Authorization` when the caller sends Junction's key in `x-junction-key`
 * (so an OpenAI SDK configured with the provider key works unchanged apart from one extra header).
 */
import type { IncomingHttpHeaders } from 'node:http';
import { GatewayError } from '../../core/errors/gateway-error.js';
import { bearerCredential } from '../../secrets/bearer.js';

/** The caller's provider key, or undefined when the request carries none. */
export function callerProviderKey(headers: IncomingHttpHeaders): string | undefined {
  const explicit = headers['x-junction-provider-key'];
  if (typeof explicit === 'string') {
    const key = explicit.replace(/^bearer\s+/i, '').trim();
    if (key) return key;
  }
  if (typeof headers['x-junction-key'] === 'string' || typeof headers['x-junction-api-key'] === 'string') {
    const fromAuthorization = bearerCredential(headers.authorization);
    if (fromAuthorization) return fromAuthorization;
  }
  return undefined;
}

/** The error for a passthrough backend reached without a caller key. */
export function missingProviderKey(providerId: string): GatewayError {
  return new GatewayError(
    'missing_api_key',
    `The backend ${providerId} uses your own provider key: send it in x-junction-provider-key (or in Authorization, with Junction's key in x-junction-key).`,
  );
}
