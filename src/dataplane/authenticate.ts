/** Finds the API key a request presents, against the snapshot only (no database on the request path). */
import type { IncomingHttpHeaders } from 'node:http';
import { GatewayError } from '../core/errors/gateway-error.js';
import type { CompiledKey, GatewaySnapshot } from '../core/snapshot/snapshot.js';
import { bearerCredential } from '../secrets/bearer.js';
import { hashSecret } from '../secrets/hash.js';

/** Returns the key or throws a 401 GatewayError. Keys are looked up by SHA-256, so no secret is compared. */
export function authenticate(
  headers: IncomingHttpHeaders,
  snapshot: GatewaySnapshot,
  now: number,
): CompiledKey {
  // BYOK callers put their own provider key in Authorization and Junction's key in x-junction-key
  // (x-junction-api-key is accepted as another spelling).
  const junctionKey = headers['x-junction-key'] ?? headers['x-junction-api-key'];
  const authorization = typeof junctionKey === 'string' ? junctionKey : headers.authorization;
  if (!authorization) {
    throw new GatewayError(
      'missing_api_key',
      'No API key was provided. Send it as `Authorization: Bearer <key>`.',
    );
  }
  const secret =
    typeof junctionKey === 'string' && !/^bearer /i.test(junctionKey)
      ? junctionKey.trim()
      : bearerCredential(authorization);
  if (secret.length === 0 || secret.length > 512) {
    throw new GatewayError(
      'invalid_api_key',
      'The API key is not valid. Send it as `Authorization: Bearer <key>`.',
    );
  }
  const key = snapshot.keysByHash.get(hashSecret(secret));
  if (!key || (key.expiresAt !== null && key.expiresAt <= now)) {
    throw new GatewayError('invalid_api_key', 'The API key is not valid, revoked or expired.');
  }
  return key;
}
