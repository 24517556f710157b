/**
 * Budget windows: the calendar day, week (from Monday) or month that contains an instant, in a time zone, or the
 * whole lifetime. A window is named by its first local date, so every replica names the same window alike and a
 * reset happens exactly once, at the window's end.
 */

export type BudgetPeriod = 'day' | 'week' | 'month' | 'lifetime';

export const BUDGET_PERIODS: readonly BudgetPeriod[] = ['day', 'week', 'month', 'lifetime'];

export interface BudgetWindow {
  /** `lifetime`, or the window's first local date (`2026-11-22`) with the period (`day:2026-11-22`). */
  readonly id: string;
  /** Epoch milliseconds, inclusive. */
  readonly start: number;
  /** Epoch milliseconds, exclusive (`Infinity` for the lifetime). */
  readonly end: number;
}

const LIFETIME: BudgetWindow = { id: 'lifetime', start: 0, end: Number.POSITIVE_INFINITY };
const formats = new Map<string, Intl.DateTimeFormat>();

function formatFor(timeZone: string): Intl.DateTimeFormat {
  let format = formats.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formats.set(timeZone, format);
  }
  return format;
}

/** Whether `timeZone` is an IANA zone name the runtime knows. */
export function isTimeZone(timeZone: string): boolean {
  try {
    formatFor(timeZone);
    return true;
  } catch {
    return false;
  }
}

/** The wall-clock fields of `at` in `timeZone`. */
function localParts(at: number, timeZone: string) {
  const parts: Record<string, number> = {};
  for (const part of formatFor(timeZone).formatToParts(at)) {
    if (part.type !== 'literal') parts[part.type] = Number(part.value);
  }
  return {
    year: parts.year!,
    month: parts.month!,
    day: parts.day!,
    hour: parts.hour!,
    minute: parts.minute!,
    second: parts.second!,
  };
}

/** How far `timeZone`'s wall clock is ahead of UTC at `at`, in milliseconds. */
function offsetAt(at: number, timeZone: string): number {
  const p = localParts(at, timeZone);
  const wall = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
  return wall - Math.floor(at / 1000) * 1000;
}

/** The instant local midnight starts `year-month-day` in `timeZone` (months may overflow, as in `Date.UTC`). */
function localMidnight(year: number, month: number, day: number, timeZone: string): number {
  const wall = Date.UTC(year, month - 1, day);
  const first = wall - offsetAt(wall, timeZone);
  // Across a change of offset the second guess is the right one.
  return wall - offsetAt(first, timeZone);
}

const pad = (value: number) => String(value).padStart(2, '0');
const dateName = (utcMidnight: number) => {
  const date = new Date(utcMidnight);
  return `${date.getUTCFullYear()}-${pad(date.getUTCMonth() + 1)}-${pad(date.getUTCDate())}`;
};

/** The window of `period` in `timeZone` that contains `at`. */
export function windowAt(period: BudgetPeriod, timeZone: string, at: number): BudgetWindow {
  if (period === 'lifetime') return LIFETIME;
  const { year, month, day } = localParts(at, timeZone);
  let first: [number, number, number];
  let next: [number, number, number];
  if (period === 'day') {
    first = [year, month, day];
    next = [year, month, day + 1];
  } else if (period === 'week') {
    const weekday = (new Date(Date.UTC(year, month - 1, day)).getUTCDay() + 6) % 7; // Monday 0
    first = [year, month, day - weekday];
    next = [year, month, day - weekday + 7];
  } else {
    first = [year, month, 1];
    next = [year, month + 1, 1];
  }
  return {
    id: `${period}:${dateName(Date.UTC(first[0], first[1] - 1, first[2]))}`,
    start: localMidnight(first[0], first[1], first[2], timeZone),
    end: localMidnight(next[0], next[1], next[2], timeZone),
  };
}
