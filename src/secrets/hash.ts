/** Hashing and generation of high-entropy bearer secrets (API keys, admin tokens). */
import { hash, randomBytes } from 'node:crypto';

/** SHA-256 hex of a secret: enough for 256-bit random secrets, and cheap on the request path. */
export function hashSecret(secret: string): string {
  // The one-shot `hash` (Node 20.12+) costs about a third of `createHash(...).update().digest()`: no Hash object.
  return hash('sha256', secret, 'hex');
}

/** A new secret `<prefix>_<43 base64url chars>` (32 random bytes). */
export function generateSecret(prefix: string): string {
  return `${prefix}_${randomBytes(32).toString('base64url')}`;
}

/** The non-secret part shown in lists: the prefix and the first few characters. */
export function displayPrefix(secret: string): string {
  return secret.slice(0, secret.indexOf('_') + 7);
}

/** A masked hint of a provider credential: its last four characters only, never more than a quarter of it. */
export function credentialHint(secret: string): string {
  if (secret.length < 16) return '****';
  return `****${secret.slice(-4)}`;
}
