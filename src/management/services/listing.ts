/**
 * What the read APIs over large tables share (usage records, the audit log): the field error they answer bad
 * input with, opaque keyset cursors (newest first by time, then id), and CSV cells safe to open in a spreadsheet.
 */
import { GatewayError } from '../../core/errors/gateway-error.js';

/** A 400 naming the field. */
export function invalidField(path: string, message: string): GatewayError {
  return new GatewayError('invalid_request', `${path}: ${message}`, { details: [{ path, message }] });
}

/** Rows per page of the keyset-paged reads: the default and the most a caller may ask for. */
export const DEFAULT_PAGE_LIMIT = 100;
export const MAX_PAGE_LIMIT = 1000;

/** The page size asked for (the default when absent); a 400 on `limit` outside 1 to the maximum. */
export function pageLimit(limit: number | undefined): number {
  const value = limit ?? DEFAULT_PAGE_LIMIT;
  if (!Number.isInteger(value) || value < 1 || value > MAX_PAGE_LIMIT) {
    throw invalidField('limit', `must be an integer from 1 to ${MAX_PAGE_LIMIT}`);
  }
  return value;
}

/** A cursor after the row at `at` (an ISO time with microseconds, as the store gives it) and `id`. */
export function encodeKeysetCursor(at: string, id: string): string {
  return Buffer.from(JSON.stringify([at, id])).toString('base64url');
}

/** The position a cursor stands for; a 400 on `cursor` for anything this API did not give. */
export function decodeKeysetCursor(cursor: string): { at: string; id: string } {
  try {
    const value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (
      Array.isArray(value) &&
      value.length === 2 &&
      typeof value[0] === 'string' &&
      typeof value[1] === 'string' &&
      /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/.test(value[0])
    ) {
      return { at: value[0], id: value[1] };
    }
  } catch {
    // Falls through to the error.
  }
  throw invalidField('cursor', 'is not a cursor this API gave');
}

/**
 * One CSV cell (RFC 4180): quoted when it holds a comma, quote or line break. Text starting like a formula
 * (`=`, `+`, `-`, `@`, or a tab or carriage return) gets a leading `'` so a spreadsheet shows it as text.
 */
export function csvCell(value: unknown): string {
  if (value === null || value === undefined) return '';
  let text = String(value);
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** One CSV line with its CRLF. */
export const csvLine = (cells: unknown[]): string => `${cells.map(csvCell).join(',')}\r\n`;
