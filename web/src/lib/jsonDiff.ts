// A small structural diff of two JSON documents (the audit log's `before` and `after`), as a flat list of leaf
// entries in document order. Pure: no DOM, no React; the audit page renders the entries as text.

export type JsonPath = ReadonlyArray<string | number>;
export type DiffKind = 'added' | 'removed' | 'changed' | 'unchanged';

export interface DiffEntry {
  /** Where the value sits: object keys and array indexes from the root (empty for the root itself). */
  path: JsonPath;
  kind: DiffKind;
  /** The value before (absent when `added`). */
  before?: unknown;
  /** The value after (absent when `removed`). */
  after?: unknown;
}

type JsonObject = Record<string, unknown>;

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isPrimitive(value: unknown): boolean {
  return value === null || (typeof value !== 'object' && typeof value !== 'function');
}

/** Structural equality of two JSON values (object key order does not matter). */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) {
    return a.length === b.length && a.every((item, index) => jsonEqual(item, b[index]));
  }
  if (isObject(a) && isObject(b)) {
    const keys = Object.keys(a);
    if (keys.length !== Object.keys(b).length) return false;
    return keys.every((key) => Object.hasOwn(b, key) && jsonEqual(a[key], b[key]));
  }
  // NaN never comes from JSON; numbers, strings, booleans and null compare with ===.
  return false;
}

/** Whether a value is diffed by its parts (objects, arrays holding an object or array) or as one leaf. */
function hasParts(value: unknown): boolean {
  if (isObject(value)) return true;
  // An array of plain values (a list of team ids) reads best as one value: [a, b] → [a, b, c].
  return Array.isArray(value) && !value.every(isPrimitive);
}

function walk(before: unknown, after: unknown, path: JsonPath, out: DiffEntry[]): void {
  if (isObject(before) && isObject(after)) {
    // Keys in the order of `before`, then the keys only `after` has, in its order.
    const keys = [...Object.keys(before), ...Object.keys(after).filter((key) => !Object.hasOwn(before, key))];
    for (const key of keys) {
      const inBefore = Object.hasOwn(before, key);
      const inAfter = Object.hasOwn(after, key);
      if (inBefore && inAfter) walk(before[key], after[key], [...path, key], out);
      else if (inBefore) spread('removed', before[key], [...path, key], out);
      else spread('added', after[key], [...path, key], out);
    }
    return;
  }
  if (Array.isArray(before) && Array.isArray(after) && (hasParts(before) || hasParts(after))) {
    const length = Math.max(before.length, after.length);
    for (let index = 0; index < length; index++) {
      if (index >= after.length) spread('removed', before[index], [...path, index], out);
      else if (index >= before.length) spread('added', after[index], [...path, index], out);
      else walk(before[index], after[index], [...path, index], out);
    }
    return;
  }
  if (jsonEqual(before, after)) out.push({ path, kind: 'unchanged', before, after });
  else out.push({ path, kind: 'changed', before, after });
}

/** An added or removed value, entry by entry down to its leaves (so each added key shows on its own). */
function spread(kind: 'added' | 'removed', value: unknown, path: JsonPath, out: DiffEntry[]): void {
  const entry = (at: JsonPath, leaf: unknown): DiffEntry =>
    kind === 'added' ? { path: at, kind, after: leaf } : { path: at, kind, before: leaf };
  if (isObject(value) && Object.keys(value).length > 0) {
    for (const [key, child] of Object.entries(value)) spread(kind, child, [...path, key], out);
  } else if (Array.isArray(value) && hasParts(value) && value.length > 0) {
    value.forEach((child, index) => {
      spread(kind, child, [...path, index], out);
    });
  } else {
    out.push(entry(path, value));
  }
}

/**
 * The leaf-by-leaf difference of two JSON documents, in document order. A `null` (or absent) document on one side
 * (an object created or deleted) makes every leaf of the other side `added` or `removed`.
 */
export function diffJson(before: unknown, after: unknown): DiffEntry[] {
  const out: DiffEntry[] = [];
  const none = (value: unknown) => value === null || value === undefined;
  if (none(before) && none(after)) return out;
  if (none(before)) spread('added', after, [], out);
  else if (none(after)) spread('removed', before, [], out);
  else walk(before, after, [], out);
  return out;
}

/** How many entries of each kind a diff holds. */
export function diffSummary(entries: readonly DiffEntry[]): Record<DiffKind, number> {
  const summary: Record<DiffKind, number> = { added: 0, removed: 0, changed: 0, unchanged: 0 };
  for (const entry of entries) summary[entry.kind]++;
  return summary;
}

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** A path as text: `deployments[0].providerId`, with odd keys quoted (`labels["a.b"]`); `(document)` for the root. */
export function formatPath(path: JsonPath): string {
  if (path.length === 0) return '(document)';
  let text = '';
  for (const part of path) {
    if (typeof part === 'number') text += `[${part}]`;
    else if (IDENTIFIER.test(part)) text += text === '' ? part : `.${part}`;
    else text += `[${JSON.stringify(part)}]`;
  }
  return text;
}

/** A leaf value as text for display: JSON (strings quoted), `undefined` as an empty string. */
export function formatValue(value: unknown): string {
  if (value === undefined) return '';
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
