/**
 * The audit page's JSON diff (`web/src/lib/jsonDiff.ts`): leaf entries in document order, added/removed/changed/
 * unchanged, created and deleted documents, arrays of values as one leaf and arrays of objects by index, path and
 * value formatting, and (fast-check) that a document compared with itself has no change and that applying the
 * entries of a diff of two flat objects rebuilds the after document.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { diffJson, diffSummary, formatPath, formatValue, jsonEqual } from '../../web/src/lib/jsonDiff.js';

describe('diffJson', () => {
  it('lists changed, unchanged, added and removed keys in document order', () => {
    const before = { id: 'openai-eu', displayName: 'OpenAI EU', enabled: true, region: 'eu-west-1' };
    const after = { id: 'openai-eu', displayName: 'OpenAI Europe', enabled: true, baseUrl: 'https://x' };
    expect(diffJson(before, after)).toEqual([
      { path: ['id'], kind: 'unchanged', before: 'openai-eu', after: 'openai-eu' },
      { path: ['displayName'], kind: 'changed', before: 'OpenAI EU', after: 'OpenAI Europe' },
      { path: ['enabled'], kind: 'unchanged', before: true, after: true },
      { path: ['region'], kind: 'removed', before: 'eu-west-1' },
      { path: ['baseUrl'], kind: 'added', after: 'https://x' },
    ]);
  });

  it('goes down nested objects and arrays of objects, index by index', () => {
    const before = { limits: { rpm: 10, tpm: 100 }, deployments: [{ providerId: 'a' }, { providerId: 'b' }] };
    const after = { limits: { rpm: 20, tpm: 100 }, deployments: [{ providerId: 'a' }] };
    expect(diffJson(before, after)).toEqual([
      { path: ['limits', 'rpm'], kind: 'changed', before: 10, after: 20 },
      { path: ['limits', 'tpm'], kind: 'unchanged', before: 100, after: 100 },
      { path: ['deployments', 0, 'providerId'], kind: 'unchanged', before: 'a', after: 'a' },
      { path: ['deployments', 1, 'providerId'], kind: 'removed', before: 'b' },
    ]);
  });

  it('compares an array of plain values as one leaf', () => {
    expect(diffJson({ teams: ['a', 'b'] }, { teams: ['a', 'b', 'c'] })).toEqual([
      { path: ['teams'], kind: 'changed', before: ['a', 'b'], after: ['a', 'b', 'c'] },
    ]);
    expect(diffJson({ teams: ['a'] }, { teams: ['a'] })[0]!.kind).toBe('unchanged');
  });

  it('a created object (before null) is all added; a deleted one (after null) all removed', () => {
    expect(diffJson(null, { id: 'k', limits: { rpm: 5 } })).toEqual([
      { path: ['id'], kind: 'added', after: 'k' },
      { path: ['limits', 'rpm'], kind: 'added', after: 5 },
    ]);
    expect(diffJson({ id: 'k' }, null)).toEqual([{ path: ['id'], kind: 'removed', before: 'k' }]);
    expect(diffJson(null, null)).toEqual([]);
    expect(diffJson(null, {})).toEqual([{ path: [], kind: 'added', after: {} }]);
  });

  it('a change of type is one changed leaf; null values are values', () => {
    expect(diffJson({ a: { b: 1 } }, { a: 'text' })).toEqual([
      { path: ['a'], kind: 'changed', before: { b: 1 }, after: 'text' },
    ]);
    expect(diffJson({ a: null }, { a: 0 })).toEqual([
      { path: ['a'], kind: 'changed', before: null, after: 0 },
    ]);
    expect(diffJson('x', 'y')).toEqual([{ path: [], kind: 'changed', before: 'x', after: 'y' }]);
  });

  it('keeps hostile strings as data (no interpretation)', () => {
    const payload = '<img src=x onerror=alert(1)>';
    const [entry] = diffJson({ name: 'a' }, { name: payload });
    expect(entry).toEqual({ path: ['name'], kind: 'changed', before: 'a', after: payload });
    expect(formatValue(entry!.after)).toBe(JSON.stringify(payload));
  });

  it('summarises the kinds', () => {
    expect(diffSummary(diffJson({ a: 1, b: 2, c: 3 }, { a: 1, b: 5, d: 4 }))).toEqual({
      added: 1,
      removed: 1,
      changed: 1,
      unchanged: 1,
    });
  });

  const json = fc.jsonValue({ maxDepth: 4 });

  it('(property) a document compared with itself (or a key-reordered copy) has no change', () => {
    fc.assert(
      fc.property(json, (value) => {
        const copy = JSON.parse(JSON.stringify(value)) as unknown;
        const reordered =
          copy && typeof copy === 'object' && !Array.isArray(copy)
            ? Object.fromEntries(Object.entries(copy).reverse())
            : copy;
        expect(diffJson(value, reordered).every((entry) => entry.kind === 'unchanged')).toBe(true);
      }),
    );
  });

  it('(property) the entries of a diff of two flat objects rebuild the after document', () => {
    const flat = fc.dictionary(
      fc.string({ maxLength: 6 }),
      fc.oneof(fc.integer(), fc.string(), fc.boolean()),
    );
    fc.assert(
      fc.property(flat, flat, (before, after) => {
        const rebuilt: Record<string, unknown> = {};
        const entries = diffJson(before, after);
        for (const entry of entries) {
          if (entry.kind !== 'removed') rebuilt[entry.path[0] as string] = entry.after;
        }
        expect(jsonEqual(rebuilt, after)).toBe(true);
        // A change entry exists exactly for the keys whose values differ or that one side lacks.
        const changes = entries.filter((entry) => entry.kind !== 'unchanged').length;
        const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
        const differing = [...keys].filter(
          (key) => !(Object.hasOwn(before, key) && Object.hasOwn(after, key) && before[key] === after[key]),
        );
        expect(changes).toBe(differing.length);
      }),
    );
  });
});

describe('jsonEqual', () => {
  it('ignores key order, not array order', () => {
    expect(jsonEqual({ a: 1, b: [1, 2] }, { b: [1, 2], a: 1 })).toBe(true);
    expect(jsonEqual([1, 2], [2, 1])).toBe(false);
    expect(jsonEqual({ a: undefined }, { b: undefined })).toBe(false);
    expect(jsonEqual(null, {})).toBe(false);
  });
});

describe('formatPath and formatValue', () => {
  it('writes paths like code, quoting odd keys', () => {
    expect(formatPath([])).toBe('(document)');
    expect(formatPath(['deployments', 0, 'providerId'])).toBe('deployments[0].providerId');
    expect(formatPath(['labels', 'a.b', 'x y'])).toBe('labels["a.b"]["x y"]');
    expect(formatPath([0, 'a'])).toBe('[0].a');
  });

  it('writes values as JSON', () => {
    expect(formatValue('text')).toBe('"text"');
    expect(formatValue(null)).toBe('null');
    expect(formatValue({ a: [1] })).toBe('{"a":[1]}');
    expect(formatValue(undefined)).toBe('');
  });
});
