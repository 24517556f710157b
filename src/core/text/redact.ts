/**
 * Scrubs secrets from text that came from outside (upstream error messages) before it reaches a client or a
 * log: the known credentials of the entry, and anything shaped like a bearer token or provider key.
 */
const tokenPatterns = [
  /\b(?:sk|pk|rk|jk|jat|gw)[-_][A-Za-z0-9_-]{8,}/g,
  /\bBearer\s+[A-Za-z0-9._~+/=-]{8,}/gi,
  /\bAKIA[0-9A-Z]{16}\b/g,
  /\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/g,
];

export const REDACTED = '[redacted]';

/** Replaces every known secret and every token-shaped string in `text`. */
export function redactSecrets(text: string, knownSecrets: readonly string[] = []): string {
  let result = text;
  for (const secret of knownSecrets) {
    if (secret.length >= 4 && result.includes(secret)) result = result.split(secret).join(REDACTED);
  }
  for (const pattern of tokenPatterns) result = result.replace(pattern, REDACTED);
  return result;
}
