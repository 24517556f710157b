/**
 * The in-process token bucket on an injected clock: refill, the capacity cap, refunds capped at the capacity, debt
 * after a penalty, exact retry times and the eviction of full buckets. Plus a fast-check model test: whatever
 * the consumes and their timing, a bucket admits at most its capacity plus what refilled meanwhile, and a
 * refused consume succeeds once its retry time has passed (and not a millisecond sooner).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type LimitRef, MemoryTokenBuckets } from './token-bucket.js';

const START = 1_000_000;

function clocked() {
  const clock = { now: START };
  const buckets = new MemoryTokenBuckets({ now: () => clock.now });
  return { clock, buckets };
}

/** 60 per minute: one point a second. */
const perSecond: LimitRef = { kind: 'rpm', subject: 'key:k1', limit: 60 };

describe('memory token bucket', () => {
  it('starts full and refills continuously at limit / 60 per second', async () => {
    const { clock, buckets } = clocked();
    expect(await buckets.consume(perSecond, 60)).toEqual({ ok: true });
    expect(await buckets.consume(perSecond, 1)).toEqual({ ok: false, retryAfterMs: 1_000 });
    clock.now += 500;
    expect(await buckets.consume(perSecond, 1)).toEqual({ ok: false, retryAfterMs: 500 });
    clock.now += 500;
    expect(await buckets.consume(perSecond, 1)).toEqual({ ok: true });
    clock.now += 2_500;
    expect(await buckets.consume(perSecond, 2)).toEqual({ ok: true });
    expect(await buckets.consume(perSecond, 1)).toEqual({ ok: false, retryAfterMs: 500 });
  });

  it('never holds more than its capacity, however long it stays idle', async () => {
    const { clock, buckets } = clocked();
    await buckets.consume(perSecond, 30);
    clock.now += 3_600_000;
    expect(await buckets.consume(perSecond, 60)).toEqual({ ok: true });
    expect(await buckets.consume(perSecond, 1)).toEqual({ ok: false, retryAfterMs: 1_000 });
  });

  it('refuses a consume taking nothing, and gives back never above the capacity', async () => {
    const { buckets } = clocked();
    await buckets.consume(perSecond, 50);
    expect(await buckets.consume(perSecond, 20)).toEqual({ ok: false, retryAfterMs: 10_000 });
    expect(await buckets.consume(perSecond, 10)).toEqual({ ok: true });
    await buckets.giveBack(perSecond, 1_000);
    expect(await buckets.consume(perSecond, 60)).toEqual({ ok: true });
    expect(await buckets.consume(perSecond, 1)).toEqual({ ok: false, retryAfterMs: 1_000 });
  });

  it('goes into debt after a penalty: later requests wait until it is repaid', async () => {
    const { clock, buckets } = clocked();
    const tokens: LimitRef = { kind: 'tpm', subject: 'team:t1', limit: 6_000 };
    expect(await buckets.consume(tokens, 1_000)).toEqual({ ok: true });
    // The answer used 8,000 tokens, not the 1,000 estimated: 6,000 - 8,000 leaves a debt of 2,000.
    await buckets.penalize(tokens, 7_000);
    // 100 tokens a second: 2,000 to repay, then 500 for the next estimate.
    expect(await buckets.consume(tokens, 500)).toEqual({ ok: false, retryAfterMs: 25_000 });
    clock.now += 24_999;
    expect((await buckets.consume(tokens, 500)).ok).toBe(false);
    clock.now += 1;
    expect(await buckets.consume(tokens, 500)).toEqual({ ok: true });
  });

  it('tells exactly how long until enough tokens exist', async () => {
    const { clock, buckets } = clocked();
    const ten: LimitRef = { kind: 'rpm', subject: 'key:k2', limit: 600 };
    expect(await buckets.consume(ten, 600)).toEqual({ ok: true });
    clock.now += 250;
    expect(await buckets.consume(ten, 5)).toEqual({ ok: false, retryAfterMs: 250 });
    expect(await buckets.consume(ten, 1)).toEqual({ ok: true });
    expect(await buckets.consume(ten, 2)).toEqual({ ok: false, retryAfterMs: 50 });
    clock.now += 50;
    expect(await buckets.consume(ten, 2)).toEqual({ ok: true });
  });

  it('keeps separate buckets per kind and subject', async () => {
    const { buckets } = clocked();
    await buckets.consume(perSecond, 60);
    expect((await buckets.consume({ ...perSecond, kind: 'tpm' }, 60)).ok).toBe(true);
    expect((await buckets.consume({ ...perSecond, subject: 'key:k9' }, 60)).ok).toBe(true);
    expect((await buckets.consume(perSecond, 1)).ok).toBe(false);
  });

  it('drops buckets once they are full again, but not one still in debt', async () => {
    const { clock, buckets } = clocked();
    for (let index = 0; index < 100; index++) {
      await buckets.consume({ kind: 'rpm', subject: `key:${index}`, limit: 60 }, 30);
    }
    await buckets.consume(perSecond, 60);
    await buckets.penalize(perSecond, 60);
    expect(buckets.size).toBe(101);
    // A bucket given back to full is dropped at once.
    await buckets.giveBack({ kind: 'rpm', subject: 'key:0', limit: 60 }, 30);
    expect(buckets.size).toBe(100);
    // A minute later the half-used buckets are full again; the indebted one needs another minute.
    clock.now += 60_000;
    await buckets.consume({ kind: 'rpm', subject: 'key:new', limit: 60 }, 1);
    expect(buckets.size).toBe(2);
    clock.now += 60_000;
    await buckets.consume({ kind: 'rpm', subject: 'key:new', limit: 60 }, 1);
    expect(buckets.size).toBe(1);
  });
});

describe('memory token bucket model', () => {
  it('admits at most the capacity plus the refill since the first consume, for any timing', async () => {
    const step = fc.record({
      waitMs: fc.oneof(fc.integer({ min: 0, max: 50 }), fc.integer({ min: 0, max: 120_000 })),
      points: fc.integer({ min: 1, max: 1_200 }),
    });
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 1_000 }),
        fc.array(step, { maxLength: 60 }),
        async (limit, steps) => {
          const { clock, buckets } = clocked();
          const ref: LimitRef = { kind: 'tpm', subject: 'key:k', limit };
          let admitted = 0;
          for (const { waitMs, points } of steps) {
            clock.now += waitMs;
            const consumed = await buckets.consume(ref, points);
            if (consumed.ok) admitted += points;
            expect(admitted * 60_000).toBeLessThanOrEqual(limit * (60_000 + clock.now - START));
          }
        },
      ),
      { numRuns: 2_000 },
    );
  });

  it('admits a refused consume once its retry time has passed, and not a millisecond sooner', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 100_000 }),
        fc.array(fc.record({ waitMs: fc.integer({ min: 0, max: 5_000 }), points: fc.nat() }), {
          minLength: 1,
          maxLength: 20,
        }),
        async (limit, steps) => {
          const { clock, buckets } = clocked();
          const ref: LimitRef = { kind: 'tpm', subject: 'key:k', limit };
          for (const { waitMs, points } of steps) {
            clock.now += waitMs;
            const wanted = 1 + (points % limit);
            const consumed = await buckets.consume(ref, wanted);
            if (consumed.ok) continue;
            expect(consumed.retryAfterMs).toBeGreaterThanOrEqual(1);
            if (consumed.retryAfterMs > 1) {
              clock.now += consumed.retryAfterMs - 1;
              expect((await buckets.consume(ref, wanted)).ok).toBe(false);
              clock.now += 1;
            } else {
              clock.now += consumed.retryAfterMs;
            }
            expect((await buckets.consume(ref, wanted)).ok).toBe(true);
          }
        },
      ),
      { numRuns: 2_000 },
    );
  });
});
