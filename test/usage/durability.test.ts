/**
 * Test plan D1 and D2 on the real `junction` command and the embedded store, at reduced durations:
 * - D1: `kill -9` under load, then a restart: every request whose client got a complete answer has exactly one
 *   usage row (the spool line reached the kernel before the answer's last byte), and none is stored twice;
 * - D2: SIGTERM with streams in flight: they finish, the process exits 0, and their rows are stored.
 * Each client request carries its own `x-request-id`, which its usage row records.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent, request } from 'undici';
import { afterAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/database.js';
import { usageRecords } from '../../src/store/schema.js';
import { runJunction } from '../support/process.js';

const DEMO_KEY = 'jk_durability-test-key-0123456789abcdefghijklmnop';
const folders: string[] = [];
const agent = new Agent({ connections: 64 });
afterAll(async () => {
  await agent.close();
  for (const folder of folders) rmSync(folder, { recursive: true, force: true });
});

async function start(dataDir: string) {
  const run = runJunction(['serve', '--demo', '--port', '0', '--host', '127.0.0.1', '--data-dir', dataDir], {
    JUNCTION_DEMO_KEY: DEMO_KEY,
    JUNCTION_DRAIN_TIMEOUT_MS: '10000',
  });
  const [, url] = await run.waitFor(/Junction is running at (http:\/\/127\.0\.0\.1:\d+)/);
  return { run, url: url! };
}

/** One chat request; true when the client received the whole answer. */
async function complete(url: string, id: string, stream: boolean, words = 3): Promise<boolean> {
  try {
    const content = Array.from({ length: words }, (_, index) => `w${index}`).join(' ');
    const response = await request(`${url}/v1/chat/completions`, {
      method: 'POST',
      dispatcher: agent,
      headers: {
        authorization: `Bearer ${DEMO_KEY}`,
        'content-type': 'application/json',
        'x-request-id': id,
      },
      body: JSON.stringify({ model: 'demo-chat', stream, messages: [{ role: 'user', content }] }),
    });
    const text = await response.body.text();
    if (response.statusCode !== 200) return false;
    return stream ? text.trimEnd().endsWith('data: [DONE]') : JSON.parse(text).choices?.length === 1;
  } catch {
    return false;
  }
}

/** The usage rows of a stopped Junction's embedded store, by request id. */
async function rowsOf(dataDir: string): Promise<Map<string, number>> {
  const store = await openStore({ dataDir });
  try {
    const rows = await store.db.select({ requestId: usageRecords.requestId }).from(usageRecords);
    const counts = new Map<string, number>();
    for (const row of rows) counts.set(row.requestId, (counts.get(row.requestId) ?? 0) + 1);
    return counts;
  } finally {
    await store.close();
  }
}

describe('usage durability', () => {
  it('D1: after kill -9 under load and a restart, each completed request has exactly one usage row', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'junction-d1-'));
    folders.push(dataDir);
    const { run, url } = await start(dataDir);
    const completed: string[] = [];
    let sequence = 0;
    let killed = false;
    const stopAt = performance.now() + 8_000;
    const worker = async () => {
      while (!killed && performance.now() < stopAt) {
        const id = `d1-${sequence++}`;
        if (await complete(url, id, sequence % 3 === 0)) completed.push(id);
      }
    };
    const load = Promise.all(Array.from({ length: 16 }, worker));
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    run.child.kill('SIGKILL');
    killed = true;
    await run.exited;
    await load;
    expect(completed.length).toBeGreaterThan(200);

    const again = await start(dataDir);
    again.run.child.kill('SIGTERM');
    expect((await again.run.exited).code).toBe(0);
    const rows = await rowsOf(dataDir);
    const missing = completed.filter((id) => rows.get(id) !== 1);
    expect(missing).toEqual([]);
    expect([...rows.values()].filter((count) => count > 1)).toEqual([]);
  }, 90_000);

  it('D2: SIGTERM lets in-flight streams finish, exits 0, and stores their rows', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'junction-d2-'));
    folders.push(dataDir);
    const { run, url } = await start(dataDir);
    // Forty words at the echo provider's pace take several hundred milliseconds to stream. SIGTERM comes once
    // every stream has its headers, so all twenty are in flight.
    const content = Array.from({ length: 40 }, (_, index) => `w${index}`).join(' ');
    const responses = await Promise.all(
      Array.from({ length: 20 }, (_, index) =>
        request(`${url}/v1/chat/completions`, {
          method: 'POST',
          dispatcher: agent,
          headers: {
            authorization: `Bearer ${DEMO_KEY}`,
            'content-type': 'application/json',
            'x-request-id': `d2-${index}`,
          },
          body: JSON.stringify({ model: 'demo-chat', stream: true, messages: [{ role: 'user', content }] }),
        }),
      ),
    );
    run.child.kill('SIGTERM');
    const texts = await Promise.all(responses.map((response) => response.body.text()));
    const exit = await run.exited;
    expect(responses.map((response) => response.statusCode)).toEqual(responses.map(() => 200));
    expect(texts.filter((text) => !text.trimEnd().endsWith('data: [DONE]'))).toEqual([]);
    expect(exit).toEqual({ code: 0, signal: null });
    const rows = await rowsOf(dataDir);
    for (let index = 0; index < 20; index++) expect(rows.get(`d2-${index}`)).toBe(1);
  }, 60_000);
});
