import type {
  Audience,
  LogicalModel,
  ModelCapabilities,
  ModelCreateBody,
  ModelUpdateBody,
  PoolMember,
  PoolMemberInput,
} from '../../api/models';
import type { ModelKind } from '../../api/types';

// Form state, validation and conversion for the Models pages, kept apart from the JSX.

/** The names clients may send as `model` (the API's rule). */
export const MODEL_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:-]*$/;
export const MODEL_NAME_MAX_LENGTH = 128;

export function validateModelName(value: string): string | undefined {
  const name = value.trim();
  if (!name) return 'Required';
  if (name.length > MODEL_NAME_MAX_LENGTH) return `At most ${MODEL_NAME_MAX_LENGTH} characters`;
  if (!MODEL_NAME_PATTERN.test(name))
    return 'Letters, digits, ".", "_", ":" and "-", starting with a letter or digit';
  return undefined;
}

// --- The pool -------------------------------------------------------------------------------------------------

/** One row of the pool editor; numbers kept as typed (text) until saved. */
export interface PoolRow {
  /** Stable React key for the row. */
  key: string;
  providerId: string | null;
  upstreamModel: string;
  weight: string;
  priority: string;
}

let rowSequence = 0;
export function newPoolRow(member?: Partial<PoolMember>): PoolRow {
  rowSequence += 1;
  return {
    key: `row-${rowSequence}`,
    providerId: member?.providerId ?? null,
    upstreamModel: member?.upstreamModel ?? '',
    weight: String(member?.weight ?? 1),
    priority: String(member?.priority ?? 0),
  };
}

export const poolRowsOf = (members: readonly PoolMember[]): PoolRow[] =>
  members.map((member) => newPoolRow(member));

/** Problems of one row, by field (`providerId`, `upstreamModel`, `weight`, `priority`). */
export type PoolRowErrors = Partial<Record<'providerId' | 'upstreamModel' | 'weight' | 'priority', string>>;

function integerProblem(value: string, min: number, max: number): string | undefined {
  if (!value.trim()) return 'Required';
  const number = Number(value);
  if (!Number.isInteger(number)) return 'A whole number';
  if (number < min || number > max) return `From ${min} to ${max}`;
  return undefined;
}

/** Per-row problems (same order as `rows`), and one for the whole pool. */
export function validatePool(rows: readonly PoolRow[]): { rows: PoolRowErrors[]; pool?: string } {
  const rowErrors = rows.map((row) => {
    const errors: PoolRowErrors = {};
    if (!row.providerId) errors.providerId = 'Choose a provider entry';
    if (!row.upstreamModel.trim()) errors.upstreamModel = 'Required';
    const weight = integerProblem(row.weight, 0, 10_000);
    if (weight) errors.weight = weight;
    const priority = integerProblem(row.priority, 0, 100);
    if (priority) errors.priority = priority;
    return errors;
  });
  const seen = new Set<string>();
  rows.forEach((row, index) => {
    const identity = `${row.providerId}\u0000${row.upstreamModel.trim()}`;
    if (row.providerId && row.upstreamModel.trim() && seen.has(identity)) {
      rowErrors[index] = { ...rowErrors[index], upstreamModel: 'Already in the pool' };
    }
    seen.add(identity);
  });
  const pool =
    rows.length === 0
      ? 'A model needs at least one deployment'
      : rows.length > 100
        ? 'At most 100 deployments'
        : rows.every((row) => Number(row.weight) === 0)
          ? 'At least one deployment needs a weight above 0, or the model takes no traffic'
          : undefined;
  return pool ? { rows: rowErrors, pool } : { rows: rowErrors };
}

export const poolHasProblems = (result: ReturnType<typeof validatePool>): boolean =>
  result.pool !== undefined || result.rows.some((row) => Object.keys(row).length > 0);

export function toPoolInput(rows: readonly PoolRow[]): PoolMemberInput[] {
  return rows.map((row) => ({
    providerId: row.providerId ?? '',
    upstreamModel: row.upstreamModel.trim(),
    weight: Number(row.weight),
    priority: Number(row.priority),
  }));
}

/** Whether the rows say the same as the saved pool (same members, order, weights and priorities). */
export function poolUnchanged(rows: readonly PoolRow[], saved: readonly PoolMember[]): boolean {
  if (rows.length !== saved.length) return false;
  return rows.every((row, index) => {
    const member = saved[index];
    return (
      member !== undefined &&
      row.providerId === member.providerId &&
      row.upstreamModel.trim() === member.upstreamModel &&
      Number(row.weight) === member.weight &&
      Number(row.priority) === member.priority
    );
  });
}

/** The share of traffic each row takes within its priority tier, in percent (null when the tier has no weight). */
export function trafficShares(rows: readonly PoolRow[]): (number | null)[] {
  const totals = new Map<string, number>();
  for (const row of rows) {
    const weight = Number(row.weight);
    if (Number.isFinite(weight)) totals.set(row.priority, (totals.get(row.priority) ?? 0) + weight);
  }
  return rows.map((row) => {
    const total = totals.get(row.priority) ?? 0;
    const weight = Number(row.weight);
    return total > 0 && Number.isFinite(weight) ? Math.round((weight / total) * 100) : null;
  });
}

// --- Creating a model -----------------------------------------------------------------------------------------

export interface ModelFormState {
  kind: ModelKind;
  id: string;
  description: string;
  /** Kept as text from the input; parsed on submit. */
  contextWindow: string;
  dimension: string;
  pool: PoolRow[];
}

export type ModelFormErrors = Partial<Record<'id' | 'contextWindow' | 'dimension', string>>;

export function initialModelForm(): ModelFormState {
  return { kind: 'chat', id: '', description: '', contextWindow: '', dimension: '', pool: [newPoolRow()] };
}

function optionalPositive(value: string, max: number): string | undefined {
  if (!value.trim()) return undefined;
  const number = Number(value);
  if (!Number.isInteger(number) || number <= 0) return 'A positive whole number';
  if (number > max) return `At most ${max.toLocaleString()}`;
  return undefined;
}

function dimensionProblem(kind: ModelKind, value: string): string | undefined {
  if (kind !== 'embedding') return undefined;
  if (!value.trim()) return 'Required for embedding models';
  return optionalPositive(value, 65_536);
}

export function validateModelForm(form: ModelFormState): ModelFormErrors {
  const errors: ModelFormErrors = {};
  const id = validateModelName(form.id);
  if (id) errors.id = id;
  const contextWindow = optionalPositive(form.contextWindow, 100_000_000);
  if (contextWindow) errors.contextWindow = contextWindow;
  const dimension = dimensionProblem(form.kind, form.dimension);
  if (dimension) errors.dimension = dimension;
  return errors;
}

export function toCreateModelInput(form: ModelFormState): ModelCreateBody {
  const input: ModelCreateBody = {
    id: form.id.trim(),
    kind: form.kind,
    deployments: toPoolInput(form.pool),
  };
  if (form.description.trim()) input.description = form.description.trim();
  if (form.contextWindow.trim()) input.contextWindow = Number(form.contextWindow);
  if (form.kind === 'embedding') input.dimension = Number(form.dimension);
  return input;
}

// --- A model's settings ---------------------------------------------------------------------------------------

export interface SettingsFormState {
  kind: ModelKind;
  contextWindow: string;
  dimension: string;
  description: string;
  enabled: boolean;
  capabilities: ModelCapabilities;
}

export type SettingsFormErrors = Partial<Record<'contextWindow' | 'dimension', string>>;

export function settingsOf(model: LogicalModel): SettingsFormState {
  return {
    kind: model.kind,
    contextWindow: model.contextWindow === null ? '' : String(model.contextWindow),
    dimension: model.dimension === null ? '' : String(model.dimension),
    description: model.description ?? '',
    enabled: model.enabled,
    capabilities: { ...model.capabilities },
  };
}

export function validateSettings(form: SettingsFormState): SettingsFormErrors {
  const errors: SettingsFormErrors = {};
  const contextWindow = optionalPositive(form.contextWindow, 100_000_000);
  if (contextWindow) errors.contextWindow = contextWindow;
  const dimension = dimensionProblem(form.kind, form.dimension);
  if (dimension) errors.dimension = dimension;
  return errors;
}

/** Only what changed; an empty object when nothing did. */
export function settingsPatch(form: SettingsFormState, model: LogicalModel): ModelUpdateBody {
  const patch: ModelUpdateBody = {};
  if (form.kind !== model.kind) patch.kind = form.kind;
  const contextWindow = form.contextWindow.trim() ? Number(form.contextWindow) : null;
  if (contextWindow !== model.contextWindow) patch.contextWindow = contextWindow;
  const dimension = form.kind === 'embedding' && form.dimension.trim() ? Number(form.dimension) : null;
  if (form.kind === 'embedding' && dimension !== model.dimension) patch.dimension = dimension;
  const description = form.description.trim() || null;
  if (description !== model.description) patch.description = description;
  if (form.enabled !== model.enabled) patch.enabled = form.enabled;
  const capabilities = (Object.keys(form.capabilities) as (keyof ModelCapabilities)[]).filter(
    (name) => form.capabilities[name] !== model.capabilities[name],
  );
  if (capabilities.length > 0) patch.capabilities = { ...form.capabilities };
  return patch;
}

// --- Audience -------------------------------------------------------------------------------------------------

export interface AudienceFormState {
  mode: 'everyone' | 'chosen';
  teams: string[];
  keys: string[];
}

export function audienceOf(model: LogicalModel): AudienceFormState {
  return model.audience
    ? { mode: 'chosen', teams: [...model.audience.teams], keys: [...model.audience.keys] }
    : { mode: 'everyone', teams: [], keys: [] };
}

export function validateAudience(form: AudienceFormState): string | undefined {
  if (form.mode === 'chosen' && form.teams.length === 0 && form.keys.length === 0) {
    return 'Choose at least one team or key, or open the model to everyone';
  }
  return undefined;
}

export function toAudienceInput(form: AudienceFormState): Audience | null {
  return form.mode === 'everyone' ? null : { teams: form.teams, keys: form.keys };
}

export function audienceUnchanged(form: AudienceFormState, saved: Audience | null): boolean {
  const same = (a: readonly string[], b: readonly string[]) =>
    a.length === b.length && [...a].sort().join('\u0000') === [...b].sort().join('\u0000');
  if (saved === null) return form.mode === 'everyone';
  return form.mode === 'chosen' && same(form.teams, saved.teams) && same(form.keys, saved.keys);
}

/** "Everyone", or "2 teams, 1 key". */
export function audienceSummary(audience: Audience | null): string {
  if (audience === null) return 'Everyone';
  const plural = (count: number, word: string) => `${count} ${word}${count === 1 ? '' : 's'}`;
  const parts = [
    audience.teams.length > 0 ? plural(audience.teams.length, 'team') : null,
    audience.keys.length > 0 ? plural(audience.keys.length, 'key') : null,
  ].filter((part): part is string => part !== null);
  return parts.length > 0 ? parts.join(', ') : 'Nobody';
}
