/**
 * The auditable state of the configuration and what one change did to it, read in the change's transaction.
 *
 * Before the write, `captureAuditState` takes a transaction-level advisory lock (audited changes run one at a
 * time, so what one sees as changed is its own) and copies every audited table into a temporary table of the
 * transaction (`on commit drop`). The copy stays inside the store: with 100,000 API keys it costs a fraction of
 * reading them into the process. After the write, `auditedChanges` finds the rows the transaction wrote (their
 * `xmin` is its xid or a subtransaction's: one scan, no join) and, only when the row counts allow a deletion,
 * the rows it deleted (an anti-join with the copy); then it reads just those objects, before (from the copy) and
 * after (from the table), as JSON. Objects whose JSON did not change (a rewrite with the same values) are left
 * out. A change that rolls back takes its copies and its audit rows with it.
 *
 * Secrets never leave this module: a provider's credential ciphertext becomes `{ stored, changed }`, an API key's
 * secret hashes become `{ stored, changed }` markers, and `redactAuditValue` removes secret-named fields and
 * token-shaped text from everything else.
 */
import { type SQL, sql } from 'drizzle-orm';
import { REDACTED, redactSecrets } from '../../core/text/redact.js';
import type { Database } from '../../store/database.js';

/** A configuration object as the audit log records it: its own row, plus child rows for some. */
interface AuditedObject {
  /** `target_type` of its audit rows (the admin API's word for it). */
  type: string;
  table: string;
  /** Numeric columns reported as exact text rather than a JSON number. */
  exact?: string[];
  /** Rows of another table that are part of the object (a model's deployments). */
  children?: { table: string; parent: string; key: string[]; order: string; field: string };
}

const AUDITED_OBJECTS: readonly AuditedObject[] = [
  { type: 'environments', table: 'environments' },
  { type: 'providers', table: 'providers' },
  {
    type: 'models',
    table: 'models',
    children: {
      table: 'model_deployments',
      parent: 'model_id',
      key: ['model_id', 'position'],
      order: 'position',
      field: 'deployments',
    },
  },
  { type: 'aliases', table: 'model_aliases' },
  { type: 'teams', table: 'teams' },
  { type: 'keys', table: 'api_keys' },
  { type: 'prices', table: 'prices' },
  { type: 'budgets', table: 'budgets', exact: ['limit_usd'] },
];

/** Every table whose rows are copied before a change. */
const AUDITED_TABLES = AUDITED_OBJECTS.flatMap((object) => [
  object.table,
  ...(object.children ? [object.children.table] : []),
]);

/** The advisory lock that serialises configuration changes. */
const AUDIT_LOCK = 7_310_426_517;

const id = (name: string) => sql.raw(`"${name}"`);
const copyOf = (table: string) => id(`audit_before_${table}`);

/** One changed object: its JSON before and after (null when it did not exist), secrets not yet removed. */
export interface AuditedChange {
  targetType: string;
  targetId: string;
  /** The team it belongs to (keys, teams, budgets of a team or of a team's key). */
  teamId: string | null;
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
}

/** The row count of each audited table when it was copied, to tell whether a change can have deleted rows. */
export interface AuditCapture {
  readonly rows: ReadonlyMap<string, number>;
}

async function countOf(tx: Database, source: SQL): Promise<number> {
  const result = (await tx.execute(sql`select count(*)::int as n from ${source}`)) as unknown as {
    rows: Array<{ n: number }>;
  };
  return Number(result.rows[0]?.n ?? 0);
}

/**
 * Waits until no other configuration change is under way, and holds that until `tx` ends (a transaction-level
 * advisory lock), so the rows an audited change finds written are its own.
 */
export async function lockConfigurationChanges(tx: Database): Promise<void> {
  await tx.execute(sql`select pg_advisory_xact_lock(${AUDIT_LOCK})`);
}

/** Copies the audited tables into temporary tables of the transaction `tx`; call before the write. */
export async function captureAuditState(tx: Database): Promise<AuditCapture> {
  const rows = new Map<string, number>();
  for (const table of AUDITED_TABLES) {
    await tx.execute(sql`create temp table ${copyOf(table)} on commit drop as select * from ${id(table)}`);
    rows.set(table, await countOf(tx, copyOf(table)));
  }
  return { rows };
}

/**
 * The `select` column values of the rows of `table` this transaction wrote (inserted or updated) or deleted.
 * Written rows carry this transaction's xid, or one of its subtransactions' (assigned later), as `xmin`, so their
 * `age(xmin)` is at most 0: one scan, no join. The copy has the transaction's xid already (creating it assigned
 * one), so `age` measures from it. Deleted rows are looked for (an anti-join with the copy) only when the row
 * counts leave room for a deletion: after − before = inserted − deleted, where inserted = written − updated (all
 * written when nothing was updated, otherwise the written rows not found in the copy).
 */
async function changedIds(
  tx: Database,
  capture: AuditCapture,
  table: string,
  key: string[],
  select: string,
): Promise<string[]> {
  const written = (await tx.execute(
    sql`select ${id(select)} as audit_id from ${id(table)} where age(xmin) <= 0`,
  )) as unknown as { rows: Array<{ audit_id: string }> };
  const ids = new Set(written.rows.map((row) => row.audit_id));
  const growth = (await countOf(tx, id(table))) - (capture.rows.get(table) ?? 0);
  let inserted = written.rows.length;
  if (growth !== inserted && key.length === 1 && key[0] === select && ids.size > 0) {
    // Of the rows written, those that were in the copy were updated, not inserted (a scan of the copy, no join).
    const updated = await countOf(
      tx,
      sql`${copyOf(table)} where ${id(select)} in (select jsonb_array_elements_text(${JSON.stringify([...ids])}::jsonb))`,
    );
    inserted -= updated;
  }
  if (growth !== inserted) {
    const same = sql.join(
      key.map((column) => sql`a.${id(column)} = b.${id(column)}`),
      sql` and `,
    );
    const deleted = (await tx.execute(
      sql`select b.${id(select)} as audit_id from ${copyOf(table)} b
          where not exists (select 1 from ${id(table)} a where ${same})`,
    )) as unknown as { rows: Array<{ audit_id: string }> };
    for (const row of deleted.rows) ids.add(row.audit_id);
  }
  return [...ids];
}

/** A row as JSON (null for a missing row), exact numbers as text. */
function rowJson(alias: string, object: AuditedObject): SQL {
  const exact = (object.exact ?? []).map(
    (column) => sql` || jsonb_build_object(${column}::text, ${id(alias)}.${id(column)}::text)`,
  );
  return sql`case when ${id(alias)}.id is null then null else to_jsonb(${id(alias)})${sql.join(exact, sql``)} end`;
}

interface RawChange {
  audit_id: string;
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
  before_children?: Array<Record<string, unknown>> | null;
  after_children?: Array<Record<string, unknown>> | null;
}

async function changesOf(tx: Database, capture: AuditCapture, object: AuditedObject): Promise<RawChange[]> {
  const children = object.children;
  // First the ids alone, so rows are read only for the few objects that changed.
  const changed = new Set(await changedIds(tx, capture, object.table, ['id'], 'id'));
  if (children) {
    for (const parent of await changedIds(tx, capture, children.table, children.key, children.parent)) {
      changed.add(parent);
    }
  }
  if (changed.size === 0) return [];
  // One parameter however many ids (a config apply may change thousands of objects).
  const ids = sql`(select jsonb_array_elements_text(${JSON.stringify([...changed])}::jsonb) as audit_id)`;
  const childList = (source: SQL) =>
    sql`(select d.${id(children!.parent)} as parent, jsonb_agg((to_jsonb(d) - ${children!.parent}::text) order by d.${id(children!.order)}) as list
      from ${source} d where d.${id(children!.parent)} in (select audit_id from ${ids} i) group by d.${id(children!.parent)})`;
  const query = sql`select c.audit_id, ${rowJson('b', object)} as before, ${rowJson('a', object)} as after
      ${children ? sql`, bd.list as before_children, ad.list as after_children` : sql``}
    from ${ids} c
    left join ${copyOf(object.table)} b on b.id = c.audit_id
    left join ${id(object.table)} a on a.id = c.audit_id
    ${
      children
        ? sql`left join ${childList(copyOf(children.table))} bd on bd.parent = c.audit_id
              left join ${childList(id(children.table))} ad on ad.parent = c.audit_id`
        : sql``
    }
    order by c.audit_id`;
  const result = (await tx.execute(query)) as unknown as { rows: RawChange[] };
  return result.rows;
}

/** What the write of this transaction did to the audited objects; call after it, before the commit. */
export async function auditedChanges(tx: Database, capture: AuditCapture): Promise<AuditedChange[]> {
  const changes: AuditedChange[] = [];
  const keyTeams = new Map<string, string | null>();
  for (const object of AUDITED_OBJECTS) {
    for (const raw of await changesOf(tx, capture, object)) {
      const children = object.children;
      const withChildren = (row: Record<string, unknown> | null, list: RawChange['before_children']) =>
        row && children ? { ...row, [children.field]: (list ?? []).map(camelRow) } : row;
      const before = withChildren(raw.before, raw.before_children);
      const after = withChildren(raw.after, raw.after_children);
      if (JSON.stringify(before) === JSON.stringify(after)) continue;
      changes.push({
        targetType: object.type,
        targetId: raw.audit_id,
        teamId: teamOf(object.type, raw.audit_id, before, after),
        before: before && auditView(object.type, before, null),
        after: after && auditView(object.type, after, before),
      });
      if (object.type === 'keys') keyTeams.set(raw.audit_id, (after ?? before)?.team_id as string);
    }
  }
  // A key's budget belongs to the key's team.
  const keyBudgets = changes.filter((change) => change.targetType === 'budgets' && change.teamId === null);
  for (const change of keyBudgets) {
    const keyId = (change.after ?? change.before)?.keyId;
    if (typeof keyId !== 'string') continue;
    if (!keyTeams.has(keyId)) keyTeams.set(keyId, await teamOfKey(tx, keyId));
    change.teamId = keyTeams.get(keyId) ?? null;
  }
  return changes;
}

function teamOf(
  type: string,
  targetId: string,
  before: Record<string, unknown> | null,
  after: Record<string, unknown> | null,
): string | null {
  if (type === 'teams') return targetId;
  if (type !== 'keys' && type !== 'budgets') return null;
  const team = (after ?? before)?.team_id;
  return typeof team === 'string' ? team : null;
}

async function teamOfKey(tx: Database, keyId: string): Promise<string | null> {
  const result = (await tx.execute(
    sql`select team_id from api_keys where id = ${keyId} union all select team_id from ${copyOf('api_keys')} where id = ${keyId} limit 1`,
  )) as unknown as { rows: Array<{ team_id: string }> };
  return result.rows[0]?.team_id ?? null;
}

/** Column names that hold a secret (or its hash) and are replaced by a marker. */
const SECRET_COLUMNS: Record<string, Record<string, string>> = {
  providers: { credential_ciphertext: 'credential' },
  keys: { secret_hash: 'secret', previous_secret_hash: 'previousSecret' },
};

/** The markers the audit view puts in place of secrets; they pass the name-based redaction. */
const MARKER_FIELDS = new Set(['credential', 'secret', 'previousSecret']);
/** Columns whose names look secret but hold none. */
const SAFE_FIELDS = new Set(['credentialHint', 'credentialRotatedAt', 'previousSecretExpiresAt']);

const camel = (name: string) => name.replace(/_([a-z0-9])/g, (_, letter: string) => letter.toUpperCase());
const TIME_FIELD = /(At|From)$/;
const camelRow = (row: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(row).map(([name, value]) => [camel(name), value]));

/**
 * An object row as the audit log shows it: camelCase fields, times in ISO form, secrets replaced by markers
 * (`{ stored, changed }`), and everything else through `redactAuditValue`. `previous` is the raw row before the
 * change, to say whether a secret changed.
 */
function auditView(
  type: string,
  row: Record<string, unknown>,
  previous: Record<string, unknown> | null,
): Record<string, unknown> {
  const view: Record<string, unknown> = {};
  const secrets = SECRET_COLUMNS[type] ?? {};
  for (const [column, value] of Object.entries(row)) {
    const marker = secrets[column];
    if (marker) {
      view[marker] = {
        stored: value !== null && value !== undefined,
        ...(previous ? { changed: value !== previous[column] } : {}),
      };
      continue;
    }
    const field = camel(column);
    view[field] =
      TIME_FIELD.test(field) && typeof value === 'string' && !Number.isNaN(Date.parse(value))
        ? new Date(value).toISOString()
        : value;
  }
  return redactAuditValue(view) as Record<string, unknown>;
}

/** Field names whose values are secrets wherever they appear (compared without case, `-` or `_`). */
const SECRET_NAME =
  /secret|password|passwd|passphrase|credential|authorization|apikey|privatekey|accesskey|ciphertext|cookie|bearer|signature|token$/;

const isSecretName = (name: string) => SECRET_NAME.test(name.toLowerCase().replace(/[^a-z0-9]/g, ''));

/**
 * A value with every secret removed: members whose names say they hold a secret (credential, secret, token,
 * password, apiKey, …) become `[redacted]`, and token-shaped text anywhere (`sk-…`, `Bearer …`, AWS key ids,
 * JWTs) is redacted by the core's `redactSecrets`. The audit markers (`credential`, `secret`, `previousSecret`
 * at the top level) are kept.
 */
export function redactAuditValue(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return redactSecrets(value);
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((item) => redactAuditValue(item, depth + 1));
  const result: Record<string, unknown> = {};
  for (const [name, item] of Object.entries(value as Record<string, unknown>)) {
    if (depth === 0 && MARKER_FIELDS.has(name) && isMarker(item)) result[name] = item;
    else if (depth === 0 && SAFE_FIELDS.has(name)) result[name] = redactAuditValue(item, depth + 1);
    else if (isSecretName(name) && item !== null && item !== undefined) result[name] = REDACTED;
    else result[name] = redactAuditValue(item, depth + 1);
  }
  return result;
}

/** `{ stored: boolean, changed?: boolean }`, the only shape a marker has. */
function isMarker(value: unknown): boolean {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const entries = Object.entries(value);
  return (
    entries.some(([name]) => name === 'stored') &&
    entries.every(([name, item]) => (name === 'stored' || name === 'changed') && typeof item === 'boolean')
  );
}
