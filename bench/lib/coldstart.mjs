// T8, cold start on the embedded store: time from spawn to the first successful POST /v1/chat/completions.
// - fresh: a new data dir; `serve --demo` with JUNCTION_DEMO_KEY seeds the built-in echo provider, a model and
//   a known key during start-up, so the first request needs no admin call (includes creating the store).
// - existing: a data dir configured before (mock providers, models, key), Junction stopped, then started again;
//   the first request goes through the mock.
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { request } from 'undici';
import { configureJunction, junctionEnv, MODELS, startJunction } from './junction.mjs';
import { chatBody } from './mock-bodies.mjs';
import { freePort } from './ports.mjs';
import { sleep, spawnPinned, stopChild } from './proc.mjs';

async function untilServed(url, secret, model, started, child, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null)
      throw new Error(`junction exited during start: ${child.output.slice(-1500)}`);
    try {
      const response = await request(`${url}/v1/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' },
        body: chatBody(model),
        reset: true,
      });
      await response.body.dump();
      if (response.statusCode === 200) return Number(process.hrtime.bigint() - started) / 1e6;
    } catch {}
    await sleep(5);
  }
  throw new Error('junction served no request within the time limit');
}

function spawnJunction(root, core, dataDir, port, extraEnv = {}, args = []) {
  const env = junctionEnv(port, dataDir, extraEnv);
  const started = process.hrtime.bigint();
  const child = spawnPinned(core, process.execPath, [join(root, 'bin', 'junction.mjs'), 'serve', ...args], {
    env,
    cwd: root,
  });
  return { child, started };
}

export async function coldStartScenario({ root, core, mock, workDir, repetitions, log }) {
  const fresh = [];
  for (let rep = 0; rep < repetitions; rep++) {
    const port = await freePort();
    const demoKey = `jk_${randomBytes(32).toString('base64url')}`;
    const { child, started } = spawnJunction(
      root,
      core,
      mkdtempSync(join(workDir, 'cold-fresh-')),
      port,
      { JUNCTION_DEMO_KEY: demoKey },
      ['--demo'],
    );
    try {
      fresh.push(await untilServed(`http://127.0.0.1:${port}`, demoKey, 'demo-chat', started, child));
    } finally {
      await stopChild(child);
    }
    log(`  cold start, fresh data dir: ${fresh.at(-1).toFixed(0)} ms`);
  }
  // Prepare a configured data dir once, then restart on it.
  const dataDir = mkdtempSync(join(workDir, 'cold-existing-'));
  const first = await startJunction({ root, core, dataDir });
  let secret;
  try {
    ({ secret } = await configureJunction(first.url, mock.url));
  } finally {
    await stopChild(first.child);
  }
  const existing = [];
  for (let rep = 0; rep < repetitions; rep++) {
    const port = await freePort();
    const { child, started } = spawnJunction(root, core, dataDir, port);
    try {
      existing.push(await untilServed(`http://127.0.0.1:${port}`, secret, MODELS.chat, started, child));
    } finally {
      await stopChild(child);
    }
    log(`  cold start, existing data dir: ${existing.at(-1).toFixed(0)} ms`);
  }
  return { freshMs: fresh, existingMs: existing };
}
