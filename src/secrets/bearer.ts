/** Reads the credential of an `Authorization: Bearer <credential>` header (the scheme is case-insensitive). */
export function bearerCredential(authorization: string | undefined): string {
  if (!authorization || authorization.length < 8) return '';
  const scheme = authorization.slice(0, 7);
  if (scheme !== 'Bearer ' && scheme.toLowerCase() !== 'bearer ') return '';
  return authorization.slice(7).trim();
}
