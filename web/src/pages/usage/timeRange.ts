// The time range pickers of the Usage, Request logs and Audit log pages: a preset (last hour, 24 hours, 7 days,
// 30 days), a custom from–to, or (for the logs) all time; resolved to an ISO window the APIs take. Pure.

import type { UsageBucket } from '../../api/usage';

export type RangePreset = '1h' | '24h' | '7d' | '30d' | 'custom' | 'all';

export interface TimeRange {
  preset: RangePreset;
  /** `YYYY-MM-DDTHH:mm` in local time (the value of `<input type="datetime-local">`), for `custom`. */
  customFrom: string;
  customTo: string;
}

export const PRESET_LABELS: Record<RangePreset, string> = {
  '1h': 'Last hour',
  '24h': 'Last 24 hours',
  '7d': 'Last 7 days',
  '30d': 'Last 30 days',
  custom: 'Custom',
  all: 'All time',
};

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const PRESET_SPAN: Partial<Record<RangePreset, number>> = {
  '1h': HOUR,
  '24h': DAY,
  '7d': 7 * DAY,
  '30d': 30 * DAY,
};

/** `YYYY-MM-DDTHH:mm` of a time, in local time. */
export function localInputValue(time: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${time.getFullYear()}-${pad(time.getMonth() + 1)}-${pad(time.getDate())}T${pad(time.getHours())}:${pad(time.getMinutes())}`;
}

/** A range starting on `preset`, with the custom fields set to the last 24 hours up to `now`. */
export function initialRange(preset: RangePreset, now: Date = new Date()): TimeRange {
  return {
    preset,
    customFrom: localInputValue(new Date(now.getTime() - DAY)),
    customTo: localInputValue(now),
  };
}

export interface ResolvedRange {
  from?: string;
  to?: string;
  /** Why the custom range cannot be used (shown next to its fields). */
  error?: string;
}

/** Parses a `datetime-local` value as local time; undefined when it is not one. */
function parseLocal(value: string): Date | undefined {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(value)) return undefined;
  const time = new Date(value);
  return Number.isNaN(time.getTime()) ? undefined : time;
}

/**
 * The range as ISO times. A preset ends at `now` rounded up to the next minute (so the window, and the queries
 * keyed on it, stay the same for a minute); `all` has no bounds.
 */
export function resolveRange(range: TimeRange, now: number): ResolvedRange {
  if (range.preset === 'all') return {};
  if (range.preset === 'custom') {
    const from = parseLocal(range.customFrom);
    const to = parseLocal(range.customTo);
    if (!from) return { error: 'Enter a start date and time' };
    if (!to) return { error: 'Enter an end date and time' };
    if (from.getTime() >= to.getTime()) return { error: 'The start must be before the end' };
    return { from: from.toISOString(), to: to.toISOString() };
  }
  const end = Math.ceil((now + 1) / MINUTE) * MINUTE;
  const span = PRESET_SPAN[range.preset] ?? DAY;
  return { from: new Date(end - span).toISOString(), to: new Date(end).toISOString() };
}

/** The bucket size for a window: minutes up to 6 hours, hours up to 14 days, days beyond. */
export function bucketFor(from: string, to: string): UsageBucket {
  const span = Date.parse(to) - Date.parse(from);
  if (span <= 6 * HOUR) return 'minute';
  if (span <= 14 * DAY) return 'hour';
  return 'day';
}

/** The browser's IANA time zone when it has a plain name, else UTC (the server takes names only). */
export function browserTimeZone(): string {
  try {
    const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    if (zone && /^[A-Za-z][A-Za-z0-9_+\-/]*$/.test(zone) && zone.length <= 64) return zone;
  } catch {
    // Falls through to UTC.
  }
  return 'UTC';
}

/** Start of the bucket holding `time`, in local time (the series is asked in the browser's zone). */
function bucketStart(time: number, bucket: UsageBucket): Date {
  const date = new Date(time);
  if (bucket === 'minute') date.setSeconds(0, 0);
  else if (bucket === 'hour') date.setMinutes(0, 0, 0);
  else date.setHours(0, 0, 0, 0);
  return date;
}

function nextBucket(date: Date, bucket: UsageBucket): Date {
  if (bucket === 'minute') return new Date(date.getTime() + MINUTE);
  if (bucket === 'hour') return new Date(date.getTime() + HOUR);
  const next = new Date(date);
  next.setDate(next.getDate() + 1);
  next.setHours(0, 0, 0, 0);
  return next;
}

/**
 * Every bucket start of the window as ISO times, in order, so empty buckets can be drawn as zero; undefined when
 * there would be more than `max`.
 */
export function bucketStarts(
  from: string,
  to: string,
  bucket: UsageBucket,
  max = 2000,
): string[] | undefined {
  const end = Date.parse(to);
  const starts: string[] = [];
  for (let at = bucketStart(Date.parse(from), bucket); at.getTime() < end; at = nextBucket(at, bucket)) {
    if (starts.length >= max) return undefined;
    starts.push(at.toISOString());
  }
  return starts;
}

const timeFormat = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });
const dayTimeFormat = new Intl.DateTimeFormat(undefined, {
  month: 'short',
  day: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
});
const dayFormat = new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric' });

/** A bucket's label on a chart axis. */
export function bucketLabel(iso: string, bucket: UsageBucket, spanMs: number): string {
  const date = new Date(iso);
  if (bucket === 'day') return dayFormat.format(date);
  return spanMs > DAY ? dayTimeFormat.format(date) : timeFormat.format(date);
}
