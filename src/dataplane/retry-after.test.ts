import { describe, expect, it } from 'vitest';
import { retryAfterMs } from './execute.js';

describe('retryAfterMs', () => {
  const now = Date.parse('2026-11-22T10:00:00Z');
  it.each([
    [{ 'retry-after-ms': '1500' }, 1500],
    [{ 'retry-after-ms': '12.2' }, 13],
    [{ 'retry-after': '2' }, 2000],
    [{ 'retry-after': 'Sun, 22 Nov 2026 10:00:30 GMT' }, 30_000],
    [{ 'retry-after': 'Sun, 22 Nov 2026 09:00:00 GMT' }, 0],
    [{ 'retry-after-ms': '250', 'retry-after': '9' }, 250],
    [{ 'retry-after': 'soon' }, undefined],
    [{}, undefined],
  ])('reads %j as %s ms', (headers, expected) => {
    expect(retryAfterMs(headers, now)).toBe(expected);
  });
});
