/**
 * When the drainer runs: within its interval of an append in this process (the spool writer wakes it), and
 * otherwise only at its idle check, so an idle gateway does not wake ten times a second to look at an empty folder.
 * Lines a store refused are tried again at the interval, not left for the idle check.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UsageDrainer } from '../../src/management/usage/drain.js';
import { silentLogger } from '../../src/observability/logger.js';
import type { Store } from '../../src/store/database.js';
import { usageRecords } from '../../src/store/schema.js';
import type { UsageRecord } from '../../src/usage/record.js';
import { SpoolWriter } from '../../src/usage/spool.js';
import { openEmbeddedTestStore } from '../support/stores.js';

function record(id: string): UsageRecord {
  return {
    id,
    requestId: `req-${id}`,
    at: '2026-11-24T10:00:00.000Z',
    keyId: 'key_1',
    teamId: 'team_1',
    environment: 'production',
    endpoint: 'chat',
    requestedModel: 'm',
    model: 'm',
    modelVersion: null,
    backend: 'up/u',
    providerId: 'up',
    attempts: [{ backend: 'up/u', outcome: 'success', status: 200 }],
    route: null,
    status: 200,
    outcome: 'complete',
    errorCode: null,
    stream: false,
    promptTokens: 3,
    completionTokens: 4,
    cachedTokens: null,
    cacheWriteTokens: null,
    reasoningTokens: null,
    usageEstimated: false,
    latencyMs: 5,
    firstByteMs: null,
    costUsd: '0.000001',
    priceWarning: null,
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function eventually(check: () => Promise<boolean>, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await sleep(20);
  }
}

describe('when the usage drainer runs', () => {
  let store: Store;
  beforeAll(async () => {
    store = await openEmbeddedTestStore();
  });
  afterAll(async () => {
    await store?.close();
  });
  /** A started drainer on a new spool folder, at a 10 ms interval. */
  const started = async (options: { idleCheckMs: number; copyRows?: Store['copyRows'] }) => {
    const dir = mkdtempSync(join(tmpdir(), 'junction-drain-schedule-'));
    const drainer = new UsageDrainer({
      dir,
      db: store.db,
      copyRows: options.copyRows ?? store.copyRows,
      logger: silentLogger(),
      intervalMs: 10,
      idleCheckMs: options.idleCheckMs,
    });
    await drainer.start();
    return { dir, drainer };
  };
  const storedIds = async (id: string) =>
    (await store.db.select({ id: usageRecords.id }).from(usageRecords).where(eq(usageRecords.id, id))).length;

  it('runs after an append that wakes it, and does not look at the folder meanwhile', async () => {
    const { dir, drainer } = await started({ idleCheckMs: 60_000 });
    try {
      // A writer that does not wake it: at a 10 ms interval it would have stored the line many times over.
      new SpoolWriter(dir).append(record('unannounced'));
      await sleep(300);
      expect(await storedIds('unannounced')).toBe(0);
      // The writer Junction uses wakes it: this line, and the one before it, are stored.
      new SpoolWriter(dir, () => drainer.wake()).append(record('announced'));
      await eventually(async () => (await storedIds('announced')) === 1);
      expect(await storedIds('unannounced')).toBe(1);
    } finally {
      await drainer.stop();
    }
  });

  it('finds lines no append announced at its idle check', async () => {
    const { dir, drainer } = await started({ idleCheckMs: 150 });
    try {
      new SpoolWriter(dir).append(record('found-idle'));
      await eventually(async () => (await storedIds('found-idle')) === 1);
    } finally {
      await drainer.stop();
    }
  });

  it('tries again at the interval while the store refuses, then stores', async () => {
    let refusals = 2;
    const { dir, drainer } = await started({
      idleCheckMs: 60_000,
      copyRows: async (table, columns, text) => {
        if (refusals > 0) {
          refusals--;
          throw new Error('store away');
        }
        await store.copyRows!(table, columns, text);
      },
    });
    try {
      new SpoolWriter(dir, () => drainer.wake()).append(record('after-refusals'));
      await eventually(async () => (await storedIds('after-refusals')) === 1, 3_000);
      expect(refusals).toBe(0);
    } finally {
      await drainer.stop();
    }
  });
});
