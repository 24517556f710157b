/**
 * Usage record ids: UUID version 7 (RFC 9562), the creation time in milliseconds first and 74 random bits after.
 * Rows arrive in about the order of their ids, so the store appends to the right edge of the primary key's index
 * instead of writing into random pages of it (which, once the index outgrows the page cache, costs a read per
 * row). The random part comes from Node's `randomUUID` (a version 4 UUID keeps its variant bits).
 */
import { randomUUID } from 'node:crypto';

/** The time part of the last id made, and its millisecond: requests arriving in the same one share it. */
let lastMs = -1;
let lastTime = '';

export function usageRecordId(now: number = Date.now()): string {
  const ms = Math.max(0, Math.floor(now));
  if (ms !== lastMs) {
    const time = ms.toString(16).padStart(12, '0').slice(-12);
    lastTime = `${time.slice(0, 8)}-${time.slice(8)}-7`;
    lastMs = ms;
  }
  return lastTime + randomUUID().slice(15);
}
