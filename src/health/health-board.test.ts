import { describe, expect, it } from 'vitest';
import { HealthBoard, type OutlierEvent } from './health-board.js';

/** A board on a clock the test moves by hand. */
function board(
  settings: { consecutiveFailures?: number; baseEjectionMs?: number; maxEjectionMs?: number } = {},
) {
  let now = 1_000_000;
  const events: OutlierEvent[] = [];
  const health = new HealthBoard({
    outlier: { consecutiveFailures: 3, baseEjectionMs: 1_000, maxEjectionMs: 8_000, ...settings },
    now: () => now,
  });
  health.onOutlier((event) => events.push(event));
  return {
    health,
    events,
    advance: (ms: number) => {
      now += ms;
    },
    now: () => now,
  };
}

const fail = (health: HealthBoard, times: number, id = 'p/a') => {
  for (let i = 0; i < times; i++) health.reportDeployment(id, 'p', false, { stage: 'http', message: '500' });
};

describe('outlier ejection', () => {
  it('ejects after the configured consecutive failures, and a success in between resets the count', () => {
    const { health, events } = board();
    fail(health, 2);
    health.reportDeployment('p/a', 'p', true);
    fail(health, 2);
    expect(health.heldBack('p/a')).toBeUndefined();
    fail(health, 1);
    expect(health.heldBack('p/a')).toBe('ejected');
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ kind: 'ejected', deploymentId: 'p/a', providerId: 'p', ejections: 1 });
    // The entry itself is not blamed, and other deployments of it are untouched.
    expect(health.statusOf('p')).toBe('unverified');
    expect(health.heldBack('p/b')).toBeUndefined();
  });

  it('stays out until a probe succeeds, however long that takes', () => {
    const { health, advance } = board();
    fail(health, 3);
    advance(60_000);
    expect(health.heldBack('p/a')).toBe('ejected');
    health.probed('p/a', true);
    expect(health.heldBack('p/a')).toBeUndefined();
    expect(health.ejectionsOf('p')).toEqual([]);
  });

  it('doubles the period on each failed probe, up to the maximum', () => {
    const { health, events, now } = board();
    fail(health, 3);
    const started = now();
    for (let i = 0; i < 5; i++) health.probed('p/a', false, { stage: 'http', message: 'still 500' });
    const periods = events.map((event) => (event.kind === 'ejected' ? event.probeAt - started : -1));
    expect(periods).toEqual([1_000, 2_000, 4_000, 8_000, 8_000, 8_000]);
    expect(health.ejectionsOf('p')[0]).toMatchObject({ ejections: 6, since: started });
    expect(health.ejectionsOf('p')[0]?.diagnostic?.message).toBe('still 500');
  });

  it('grows the period when ejected again soon after rejoining, and starts over after serving well', () => {
    const { health, events, advance, now } = board();
    fail(health, 3);
    health.probed('p/a', true);
    advance(5_000);
    fail(health, 3);
    const second = events.at(-1)!;
    expect(second).toMatchObject({ kind: 'ejected', ejections: 2 });
    expect(second.kind === 'ejected' && second.probeAt - now()).toBe(2_000);
    health.probed('p/a', true);
    advance(8_001);
    fail(health, 3);
    const third = events.at(-1)!;
    expect(third).toMatchObject({ kind: 'ejected', ejections: 1 });
  });

  it('ignores failures of requests still in flight when it was ejected', () => {
    const { health, events } = board();
    fail(health, 10);
    expect(events).toHaveLength(1);
  });

  it('lets a successful real request bring an ejected deployment back (its whole pool was held back)', () => {
    const { health, events } = board();
    fail(health, 3);
    health.reportDeployment('p/a', 'p', true);
    expect(health.heldBack('p/a')).toBeUndefined();
    expect(events.map((event) => event.kind)).toEqual(['ejected', 'rejoined']);
    // A late probe result changes nothing.
    health.probed('p/a', false);
    expect(health.heldBack('p/a')).toBeUndefined();
  });

  it('forgets the deployments of a deleted entry', () => {
    const { health } = board();
    fail(health, 3);
    health.forget('p');
    expect(health.heldBack('p/a')).toBeUndefined();
  });
});

describe('cooling after a 429', () => {
  it('holds the deployment back until the hinted time, bounded by the maximum', () => {
    const { health, advance } = board();
    health.coolDown('p/a', 'p', 2_000);
    expect(health.heldBack('p/a')).toBe('cooling');
    advance(1_999);
    expect(health.heldBack('p/a')).toBe('cooling');
    advance(1);
    expect(health.heldBack('p/a')).toBeUndefined();

    health.coolDown('p/a', 'p', 10 * 60 * 60 * 1000);
    advance(health.outlier.maxCoolingMs);
    expect(health.heldBack('p/a')).toBeUndefined();
  });

  it('keeps the later of two hints, and ignores a hint of zero', () => {
    const { health, advance } = board();
    health.coolDown('p/a', 'p', 0);
    expect(health.heldBack('p/a')).toBeUndefined();
    health.coolDown('p/a', 'p', 3_000);
    health.coolDown('p/a', 'p', 1_000);
    advance(2_000);
    expect(health.heldBack('p/a')).toBe('cooling');
  });
});
