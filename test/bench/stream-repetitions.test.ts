import { describe, expect, it } from 'vitest';
// @ts-expect-error: the bench is plain JavaScript without type declarations.
import { combineStreamRuns } from '../../bench/lib/concurrent-streams.mjs';

const hold = (kbPerStream: number, completed = 9000) => ({
  target: 'junction',
  streams: 9000,
  asked: 10000,
  rssBeforeMb: 90,
  rssHeldMb: 90 + (kbPerStream * 9000) / 1024,
  kbPerStream,
  completed,
  errors: 9000 - completed,
});

describe('the bench combines repeated stream holds', () => {
  it('reports the median hold per target and count, with every repetition beside it', () => {
    const runs = [
      { junction: [hold(30), hold(22.4)], 'node-bare': [hold(31), hold(20.8)] },
      { junction: [hold(24), hold(18.8)], 'node-bare': [hold(29), hold(16.3)] },
      { junction: [hold(26), hold(19.1)], 'node-bare': [hold(33), hold(21.0)] },
    ];
    const combined = combineStreamRuns(runs);
    expect(combined.junction.map((r: { kbPerStream: number }) => r.kbPerStream)).toEqual([26, 19.1]);
    expect(combined['node-bare'].map((r: { kbPerStream: number }) => r.kbPerStream)).toEqual([31, 20.8]);
    expect(combined.junction[1].kbPerStreamRuns).toEqual([22.4, 18.8, 19.1]);
    // The RSS figures shown are the median run's own.
    expect(combined.junction[1].rssHeldMb).toBeCloseTo(90 + (19.1 * 9000) / 1024);
  });

  it('counts a hold as complete only when every repetition completed it', () => {
    const combined = combineStreamRuns([
      { junction: [hold(19)] },
      { junction: [hold(18, 8990)] },
      { junction: [hold(20)] },
    ]);
    expect(combined.junction[0].kbPerStream).toBe(19);
    expect(combined.junction[0].completed).toBe(8990);
    expect(combined.junction[0].errors).toBe(10);
  });
});
