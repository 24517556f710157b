/** Usage record ids are UUID version 7: valid UUIDs, ordered by their time, unique, with the time readable. */
import { describe, expect, it } from 'vitest';
import { usageRecordId } from '../../src/usage/record-id.js';

const V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('usage record ids', () => {
  it('are version 7 UUIDs carrying their time in milliseconds', () => {
    const at = Date.UTC(2026, 10, 22, 19, 30, 0, 123);
    const id = usageRecordId(at);
    expect(id).toMatch(V7);
    expect(Number.parseInt(id.replace(/-/g, '').slice(0, 12), 16)).toBe(at);
  });

  it('sort in time order across milliseconds, and never repeat', () => {
    const start = Date.now();
    const ids = Array.from({ length: 20_000 }, (_, i) => usageRecordId(start + Math.floor(i / 100)));
    expect(new Set(ids).size).toBe(ids.length);
    for (let i = 100; i < ids.length; i += 100)
      expect(ids[i - 1]!.slice(0, 13) < ids[i]!.slice(0, 13)).toBe(true);
    for (const id of ids) expect(id).toMatch(V7);
  });
});
