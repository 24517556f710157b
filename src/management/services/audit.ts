/**
 * Reading the audit log: the rows newest first with keyset paging and filters, one row, and an export (JSON Lines
 * or CSV) read page by page. There is no write here: rows are only ever inserted by the change they describe
 * (`management/audit/record.ts`), and nothing edits or deletes them. A team scope, when given, is added to every
 * query whatever the filter says, so a caller limited to one team never sees another team's rows.
 */
import { and, desc, eq, gte, like, lt, or, type SQL, sql } from 'drizzle-orm';
import { GatewayError } from '../../core/errors/gateway-error.js';
import type { Database } from '../../store/database.js';
import { auditLog } from '../../store/schema.js';
import { csvLine, decodeKeysetCursor, encodeKeysetCursor, invalidField, pageLimit } from './listing.js';

export interface AuditFilter {
  /** ISO time, inclusive. */
  from?: string | undefined;
  /** ISO time, exclusive. */
  to?: string | undefined;
  /** An actor id or name. */
  actor?: string | undefined;
  /** An action (`keys.rotate`), or every action on an object (`keys.*`). */
  action?: string | undefined;
  targetType?: string | undefined;
  targetId?: string | undefined;
  teamId?: string | undefined;
  /** Only the changes of one admin request (its `x-request-id`). */
  requestId?: string | undefined;
}

export interface AuditEntryView {
  id: string;
  at: string;
  actorId: string | null;
  actorName: string | null;
  role: string | null;
  action: string;
  targetType: string | null;
  targetId: string | null;
  teamId: string | null;
  before: unknown;
  after: unknown;
  requestId: string | null;
  sourceAddress: string | null;
  userAgent: string | null;
}

const invalid = invalidField;

function instant(value: string | undefined, path: string): Date | undefined {
  if (value === undefined) return undefined;
  const time = Date.parse(value);
  if (Number.isNaN(time)) throw invalid(path, 'must be an ISO 8601 date-time');
  return new Date(time);
}

/** The conditions of a filter and a team scope. */
function conditions(filter: AuditFilter, teamScope: string | undefined): SQL | undefined {
  const from = instant(filter.from, 'from');
  const to = instant(filter.to, 'to');
  const action = filter.action;
  const parts: Array<SQL | undefined> = [
    from ? gte(auditLog.at, from) : undefined,
    to ? lt(auditLog.at, to) : undefined,
    filter.actor !== undefined
      ? or(eq(auditLog.actorId, filter.actor), eq(auditLog.actorName, filter.actor))
      : undefined,
    action === undefined
      ? undefined
      : action.endsWith('.*')
        ? like(auditLog.action, `${action.slice(0, -1).replace(/[\\%_]/g, '\\$&')}%`)
        : eq(auditLog.action, action),
    filter.targetType !== undefined ? eq(auditLog.targetType, filter.targetType) : undefined,
    filter.targetId !== undefined ? eq(auditLog.targetId, filter.targetId) : undefined,
    filter.teamId !== undefined ? eq(auditLog.teamId, filter.teamId) : undefined,
    filter.requestId !== undefined ? eq(auditLog.requestId, filter.requestId) : undefined,
    teamScope !== undefined ? eq(auditLog.teamId, teamScope) : undefined,
  ];
  return and(...parts);
}

/** The columns, with the keyset position at full (microsecond) precision. */
const ENTRY_SELECT = {
  id: auditLog.id,
  at: auditLog.at,
  actorId: auditLog.actorId,
  actorName: auditLog.actorName,
  role: auditLog.role,
  action: auditLog.action,
  targetType: auditLog.targetType,
  targetId: auditLog.targetId,
  teamId: auditLog.teamId,
  before: auditLog.before,
  after: auditLog.after,
  requestId: auditLog.requestId,
  sourceAddress: auditLog.sourceAddress,
  userAgent: auditLog.userAgent,
  cursorAt: sql<string>`to_char(${auditLog.at} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`,
};

type EntryRow = Omit<AuditEntryView, 'at'> & { at: Date; cursorAt: string };

function entryView(row: EntryRow): AuditEntryView {
  const { cursorAt: _cursor, ...rest } = row;
  return { ...rest, at: row.at.toISOString() };
}

const encodeCursor = (row: EntryRow) => encodeKeysetCursor(row.cursorAt, row.id);

/** One page of audit rows, newest first; `nextCursor` continues after its last row (null on the last page). */
export async function auditPage(
  db: Database,
  filter: AuditFilter,
  page: { limit?: number | undefined; cursor?: string | undefined } = {},
  teamScope?: string,
): Promise<{ data: AuditEntryView[]; nextCursor: string | null }> {
  const limit = pageLimit(page.limit);
  const after = page.cursor === undefined ? undefined : decodeKeysetCursor(page.cursor);
  const keyset = after
    ? sql`(${auditLog.at}, ${auditLog.id}) < (${after.at}::timestamptz, ${after.id})`
    : undefined;
  const rows = (await db
    .select(ENTRY_SELECT)
    .from(auditLog)
    .where(and(conditions(filter, teamScope), keyset))
    .orderBy(desc(auditLog.at), desc(auditLog.id))
    .limit(limit + 1)) as EntryRow[];
  const more = rows.length > limit;
  const shown = more ? rows.slice(0, limit) : rows;
  return { data: shown.map(entryView), nextCursor: more ? encodeCursor(shown[shown.length - 1]!) : null };
}

/** One audit row, or 404 (also when it belongs to a team outside the scope). */
export async function auditEntry(db: Database, id: string, teamScope?: string): Promise<AuditEntryView> {
  const [row] = (await db
    .select(ENTRY_SELECT)
    .from(auditLog)
    .where(
      and(eq(auditLog.id, id), teamScope !== undefined ? eq(auditLog.teamId, teamScope) : undefined),
    )) as EntryRow[];
  if (!row) throw new GatewayError('not_found', `Audit entry ${id} does not exist`);
  return entryView(row);
}

/** The CSV columns: the table's column names, in table order (before and after as JSON text). */
const CSV_COLUMNS: Array<[string, (entry: AuditEntryView) => unknown]> = [
  ['id', (e) => e.id],
  ['at', (e) => e.at],
  ['actor_id', (e) => e.actorId],
  ['actor_name', (e) => e.actorName],
  ['role', (e) => e.role],
  ['action', (e) => e.action],
  ['target_type', (e) => e.targetType],
  ['target_id', (e) => e.targetId],
  ['team_id', (e) => e.teamId],
  ['before', (e) => (e.before === null ? null : JSON.stringify(e.before))],
  ['after', (e) => (e.after === null ? null : JSON.stringify(e.after))],
  ['request_id', (e) => e.requestId],
  ['source_address', (e) => e.sourceAddress],
  ['user_agent', (e) => e.userAgent],
];

export type AuditExportFormat = 'jsonl' | 'csv';

/**
 * The rows the filter selects as text chunks, newest first: JSON Lines (one object per line) or CSV (a header,
 * then one line per row). Read page by page with the keyset query, so an export never sits whole in memory; the
 * first page is read before anything is yielded, so a bad filter fails before any byte is sent.
 */
export async function* auditExport(
  db: Database,
  filter: AuditFilter,
  format: AuditExportFormat,
  teamScope?: string,
  pageSize = 500,
): AsyncGenerator<string> {
  let page = await auditPage(db, filter, { limit: pageSize }, teamScope);
  if (format === 'csv') yield csvLine(CSV_COLUMNS.map(([name]) => name));
  for (;;) {
    if (page.data.length > 0) {
      yield format === 'csv'
        ? page.data.map((entry) => csvLine(CSV_COLUMNS.map(([, read]) => read(entry)))).join('')
        : page.data.map((entry) => `${JSON.stringify(entry)}\n`).join('');
    }
    if (page.nextCursor === null) return;
    page = await auditPage(db, filter, { limit: pageSize, cursor: page.nextCursor }, teamScope);
  }
}
