import { describe, expect, it } from 'vitest';
import { isTimeZone, windowAt } from './window.js';

const at = (iso: string) => Date.parse(iso);
const iso = (ms: number) => new Date(ms).toISOString();

describe('budget windows', () => {
  it('names the UTC day, week from Monday and month containing an instant', () => {
    const now = at('2026-11-22T10:00:00Z'); // a Sunday
    const day = windowAt('day', 'UTC', now);
    expect([day.id, iso(day.start), iso(day.end)]).toEqual([
      'day:2026-11-22',
      '2026-11-22T00:00:00.000Z',
      '2026-11-23T00:00:00.000Z',
    ]);
    const week = windowAt('week', 'UTC', now);
    expect([week.id, iso(week.start), iso(week.end)]).toEqual([
      'week:2026-11-16',
      '2026-11-16T00:00:00.000Z',
      '2026-11-23T00:00:00.000Z',
    ]);
    const month = windowAt('month', 'UTC', at('2026-12-31T23:59:59.999Z'));
    expect([month.id, iso(month.start), iso(month.end)]).toEqual([
      'month:2026-12-01',
      '2026-12-01T00:00:00.000Z',
      '2027-01-01T00:00:00.000Z',
    ]);
    expect(windowAt('lifetime', 'UTC', now)).toEqual({
      id: 'lifetime',
      start: 0,
      end: Number.POSITIVE_INFINITY,
    });
  });

  it('follows the local calendar of a time zone, daylight-saving changes included', () => {
    // 03:30 UTC on 1 Nov is still 31 Oct in New York (EDT, UTC-4).
    const late = windowAt('day', 'America/New_York', at('2026-11-01T03:30:00Z'));
    expect([late.id, iso(late.start), iso(late.end)]).toEqual([
      'day:2026-10-31',
      '2026-10-31T04:00:00.000Z',
      '2026-11-01T04:00:00.000Z',
    ]);
    // 1 Nov 2026 is 25 hours long in New York (DST ends at 02:00 EDT).
    const long = windowAt('day', 'America/New_York', at('2026-11-01T12:00:00Z'));
    expect([iso(long.start), iso(long.end)]).toEqual([
      '2026-11-01T04:00:00.000Z',
      '2026-11-02T05:00:00.000Z',
    ]);
    const month = windowAt('month', 'Asia/Tokyo', at('2026-11-30T16:00:00Z'));
    expect([month.id, iso(month.start)]).toEqual(['month:2026-12-01', '2026-11-30T15:00:00.000Z']);
  });

  it('changes window exactly at its end and nowhere else', () => {
    const first = windowAt('day', 'Europe/Paris', at('2026-03-29T12:00:00Z'));
    expect(windowAt('day', 'Europe/Paris', first.end - 1).id).toBe(first.id);
    expect(windowAt('day', 'Europe/Paris', first.end).id).not.toBe(first.id);
    expect(windowAt('day', 'Europe/Paris', first.start).id).toBe(first.id);
    // 29 March 2026 is 23 hours long in Paris (summer time starts).
    expect(first.end - first.start).toBe(23 * 3600_000);
  });

  it('knows time zone names', () => {
    expect(isTimeZone('Europe/Berlin')).toBe(true);
    expect(isTimeZone('Mars/Olympus')).toBe(false);
  });
});
