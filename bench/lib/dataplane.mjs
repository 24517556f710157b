// T5 on a data-plane process: `junction serve` (the management plane, on the load core: it only takes the
// configuration) and `junction dataplane` (on the target core) share a fresh PostgreSQL database. The data plane
// is measured like the pass-through target: RSS idle after start and configuration, then chat at c64 (CPU per
// request, req/s, latency, RSS peak) and chat at the T2 rate (latency, to compare with `direct`), in each repetition.
import { mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { request } from 'undici';
import { configureJunction, MODELS, startJunction } from './junction.mjs';
import { measure, waitForIdle } from './measure.mjs';
import { chatBody } from './mock-bodies.mjs';
import { createDatabase, pinBackends, serverPid, vacuum } from './pgdb.mjs';
import { rssKb, sleep, stopChild, waitFor } from './proc.mjs';
import { runRate } from './rate.mjs';
import { runWrk } from './wrk.mjs';

/** Starts the pair, configures it through the management plane, and waits until the data plane serves the key. */
export async function startDataPlanePair({
  root,
  core,
  managementCore,
  workDir,
  mockUrl,
  onCleanup,
  label,
  nodeArgs = [],
}) {
  const database = await createDatabase(label);
  const started = [];
  const stop = async () => {
    for (const child of started.reverse()) await stopChild(child);
    await database.drop();
  };
  onCleanup(stop);
  const management = await startJunction({
    root,
    core: managementCore,
    dataDir: mkdtempSync(join(workDir, `${label}-management-`)),
    databaseUrl: database.url,
  });
  started.push(management.child);
  const { secret } = await configureJunction(management.url, mockUrl);
  const dataPlane = await startJunction({
    root,
    core,
    dataDir: mkdtempSync(join(workDir, `${label}-dataplane-`)),
    databaseUrl: database.url,
    command: 'dataplane',
    nodeArgs,
  });
  started.push(dataPlane.child);
  await waitFor(async () => (await modelsStatus(dataPlane.url, secret)) === 200, {
    timeoutMs: 30_000,
    what: 'the data plane to serve the bench key',
  });
  // Once the configuration is in place the management plane is not needed: stopping it leaves the load core to the
  // load generator and the mock alone (the data plane keeps serving from its snapshot).
  const stopManagement = () => stopChild(management.child);
  return { database, management, dataPlane, secret, stop, stopManagement };
}

async function modelsStatus(url, secret) {
  const response = await request(`${url}/v1/models`, { headers: { authorization: `Bearer ${secret}` } });
  await response.body.dump();
  return response.statusCode;
}

export async function dataPlaneScenario({
  root,
  core,
  loadCore,
  mock,
  workDir,
  plan,
  budget,
  log,
  onCleanup,
}) {
  const pair = await startDataPlanePair({
    root,
    core,
    managementCore: loadCore,
    workDir,
    mockUrl: mock.url,
    onCleanup,
    label: 'dataplane',
  });
  try {
    const { dataPlane, secret } = pair;
    await pair.stopManagement();
    await sleep(2000);
    const idleRssKb = rssKb(dataPlane.pid);
    log(
      `  data plane: pid ${dataPlane.pid}, idle RSS ${(idleRssKb / 1024).toFixed(0)} MB (${pair.database.name})`,
    );
    const load = (connections, seconds) => () =>
      runWrk({
        core: loadCore,
        url: `${dataPlane.url}/v1/chat/completions`,
        headers: { authorization: `Bearer ${secret}` },
        body: chatBody(MODELS.chat),
        connections,
        seconds,
      });
    await load(32, plan.warmupSeconds)();
    const runs = [];
    const rateRuns = [];
    // The database works for the data plane as the mock does: its backends on the load core, and the server's
    // processes counted with the mock (see pgdb.mjs). Each run starts on a vacuumed database, once the server has
    // written out what the last run stored.
    const server = await serverPid();
    const trees = server ? [server] : [];
    const measured = async (run) => {
      const backends = await pinBackends([pair.database.name], loadCore);
      await waitForIdle([dataPlane.pid], 30_000, { trees });
      await vacuum(pair.database.url);
      await waitForIdle([], 10_000, { trees });
      return measure(
        {
          targetPid: dataPlane.pid,
          mockPid: mock.pid,
          helperPids: trees.length > 0 ? [] : backends,
          helperTrees: trees,
          load: run,
        },
        { budget, log, redos: plan.redos },
      );
    };
    for (let rep = 0; rep < plan.repetitions; rep++) {
      log(`  data plane: chat c64 ${plan.seconds}s (repetition ${rep + 1})`);
      runs.push(await measured(load(64, plan.seconds)));
      log(`  data plane: chat at ${plan.rate} req/s ${plan.rateSeconds}s (repetition ${rep + 1})`);
      rateRuns.push(
        await measured(() =>
          runRate({
            core: loadCore,
            url: `${dataPlane.url}/v1/chat/completions`,
            headers: { authorization: `Bearer ${secret}` },
            body: chatBody(MODELS.chat),
            mode: 'latency',
            rate: plan.rate,
            seconds: plan.rateSeconds,
            connections: 16,
          }),
        ),
      );
    }
    return { database: pair.database.name, idleRssKb, runs, rateRuns };
  } finally {
    await pair.stop().catch((error) => log(`  data plane: cleanup failed: ${error.message}`));
  }
}
