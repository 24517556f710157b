/**
 * Writing the audit log: always in the transaction of the change it describes, so a change that rolls back
 * leaves no row and a committed change always has its rows. Nothing here updates or deletes a row.
 */
import { randomBytes } from 'node:crypto';
import type { Database } from '../../store/database.js';
import { auditLog } from '../../store/schema.js';
import { type AuditContext, currentAuditContext } from './context.js';
import {
  type AuditCapture,
  auditedChanges,
  captureAuditState,
  lockConfigurationChanges,
  redactAuditValue,
} from './state.js';

export interface AuditEntry {
  /** Defaults to the context's action (the admin route's). */
  action?: string;
  targetType: string | null;
  targetId: string | null;
  teamId?: string | null;
  /** The object before and after; secrets are removed here too, but pass views without them. */
  before?: unknown;
  after?: unknown;
}

let sequence = 0;

/**
 * A new audit row id, `aud_` then the time in milliseconds and a per-process sequence (both hex, fixed width)
 * and random characters, so rows of one transaction (which share `at`) sort in the order they were written.
 */
export function newAuditId(now = Date.now()): string {
  sequence = (sequence + 1) % 0x10000;
  return `aud_${now.toString(16).padStart(12, '0')}${sequence.toString(16).padStart(4, '0')}${randomBytes(6).toString('base64url')}`;
}

const INSERT_BATCH = 500;

/**
 * Records `entries` in the transaction `tx`, attributed to `context` (the request's, by default). Without a
 * context (a change Junction makes by itself, or a service called outside the admin API) nothing is recorded.
 */
export async function recordAudit(
  tx: Database,
  entries: AuditEntry | readonly AuditEntry[],
  context: AuditContext | undefined = currentAuditContext(),
): Promise<void> {
  if (!context) return;
  const list = Array.isArray(entries) ? entries : [entries as AuditEntry];
  const rows = list.map((entry) => ({
    id: newAuditId(),
    actorId: context.actorId,
    actorName: context.actorName,
    role: context.role,
    action: entry.action ?? context.action,
    targetType: entry.targetType,
    targetId: entry.targetId,
    before: entry.before === undefined || entry.before === null ? null : redactAuditValue(entry.before),
    after: entry.after === undefined || entry.after === null ? null : redactAuditValue(entry.after),
    teamId: entry.teamId ?? null,
    requestId: context.requestId,
    sourceAddress: context.sourceAddress,
    userAgent: context.userAgent,
  }));
  for (let start = 0; start < rows.length; start += INSERT_BATCH) {
    await tx.insert(auditLog).values(rows.slice(start, start + INSERT_BATCH));
  }
}

/**
 * The publisher's side of auditing a configuration change, in its transaction `tx`: `before()` ahead of the write
 * (it serialises configuration changes and, inside an audit context, copies the audited state), `after()` once
 * the write is done and proved to compile (it records one row per changed object). Without a context nothing is
 * copied or recorded (start-up seeding).
 */
export function configurationAudit(tx: Database, context: AuditContext | undefined) {
  let capture: AuditCapture | undefined;
  return {
    before: async () => {
      await lockConfigurationChanges(tx);
      if (context) capture = await captureAuditState(tx);
    },
    after: async () => {
      if (context && capture) await recordAudit(tx, await auditedChanges(tx, capture), context);
    },
  };
}
