/** Turns store constraint violations into the admin API's errors. */
import { GatewayError } from '../../core/errors/gateway-error.js';

/** PostgreSQL's SQLSTATE of an error thrown by either driver (drizzle may wrap it as `cause`). */
export function sqlState(error: unknown): string | undefined {
  for (let current: unknown = error, depth = 0; current && depth < 4; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

/** Rethrows a unique violation as 409 with `message`; anything else unchanged. */
export function rethrowConflict(error: unknown, message: string): never {
  if (sqlState(error) === '23505') throw new GatewayError('conflict', message);
  throw error;
}

/** 400 naming one field of the request: `field: message`, with the field in `errors`. */
export const invalidField = (field: string, message: string) =>
  new GatewayError('invalid_request', `${field}: ${message}`, { details: [{ path: field, message }] });

export const notFound = (what: string, id: string) =>
  new GatewayError('not_found', `${what} ${id} does not exist`);
