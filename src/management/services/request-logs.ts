/**
 * The request log: each request's usage record (its metadata: who, which model and backend, the attempts and
 * their outcomes, tokens, cost, timing) with, for keys and teams that have capture on, its prompt and answer
 * bodies as stored (redacted before they reached any disk). Listing reads the usage records; one entry adds
 * its capture. The team scope applies to both.
 */
import { eq } from 'drizzle-orm';
import type { Database } from '../../store/database.js';
import { requestCaptures } from '../../store/schema.js';
import { type UsageRecordView, usageRecord } from './usage-query.js';

export interface RequestCaptureView {
  /** The request body as received, redacted; null when none was read. */
  requestBody: string | null;
  /** The answer as sent (a stream assembled into one chat completion), redacted. */
  responseBody: string | null;
  /** A body was cut at the capture limit. */
  truncated: boolean;
}

export interface RequestLogEntry extends UsageRecordView {
  /** The captured bodies; null when capture was off for the request or the capture has expired. */
  capture: RequestCaptureView | null;
}

/** One request with its captured bodies, or 404 (also outside the team scope). */
export async function requestLogEntry(
  db: Database,
  id: string,
  teamScope?: string,
): Promise<RequestLogEntry> {
  const record = await usageRecord(db, id, teamScope);
  const [capture] = await db
    .select({
      requestBody: requestCaptures.requestBody,
      responseBody: requestCaptures.responseBody,
      truncated: requestCaptures.truncated,
    })
    .from(requestCaptures)
    .where(eq(requestCaptures.id, record.id));
  return { ...record, capture: capture ?? null };
}
