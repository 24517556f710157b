// T7, configuration scale: two Junctions on PostgreSQL (127.0.0.1:5432, fresh databases of their own, dropped
// afterwards), both configured through the admin API; the "large" one then gets 100,000 API keys, 10,000
// provider entries and 1,000 models bulk-inserted with `pg` (the admin API would take too long), and is
// restarted so its snapshot holds them (the tiny one too). Each repetition starts both afresh, warms them, and loads
// them at once (32 connections each) for the same seconds on the target core they share, once both have stored
// the warm-up's usage rows and the databases are vacuumed; T7 is the median of the repetitions' ratios of CPU a
// request. The PostgreSQL backends serving the two databases are pinned to the load core, and the server's
// processes are counted with the mock (see pgdb.mjs).
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { configureJunction, MODELS, startJunction } from './junction.mjs';
import { measureSideBySide, waitForIdle } from './measure.mjs';
import { chatBody } from './mock-bodies.mjs';
import { createDatabase, pinBackends, serverPid, vacuum } from './pgdb.mjs';
import { rssKb, stopChild } from './proc.mjs';
import { runWrk } from './wrk.mjs';

export const SCALE = { keys: 100_000, providers: 10_000, models: 1_000 };
const sha256 = (text) => createHash('sha256').update(text, 'utf8').digest('hex');

/** Inserts the large configuration's rows in a few statements (unnest of arrays). */
async function bulkInsert(url, teamId, mockUrl, log) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query('BEGIN');
    const started = Date.now();
    const ids = Array.from({ length: SCALE.providers }, (_, i) => `scale-provider-${i}`);
    await client.query(
      `INSERT INTO providers (id, display_name, type, base_url, auth_method, environments)
       SELECT id, id, 'openai-compatible', $2, 'none', '["production","staging"]'::jsonb FROM unnest($1::text[]) AS id`,
      [ids, `${mockUrl}/json/v1`],
    );
    const models = Array.from({ length: SCALE.models }, (_, i) => `scale-model-${i}`);
    await client.query(
      `INSERT INTO models (id, kind, capabilities)
       SELECT id, 'chat', '{"streaming":true,"tools":false,"vision":false,"jsonMode":false}'::jsonb FROM unnest($1::text[]) AS id`,
      [models],
    );
    // Each model: a pool of 3 deployments over different entries.
    const dModel = [];
    const dPos = [];
    const dProvider = [];
    models.forEach((model, i) => {
      for (let p = 0; p < 3; p++) {
        dModel.push(model);
        dPos.push(p);
        dProvider.push(ids[(i * 10 + p) % SCALE.providers]);
      }
    });
    await client.query(
      `INSERT INTO model_deployments (model_id, position, provider_id, upstream_model, weight)
       SELECT m, p, pr, 'gpt-4o-mini', 1 FROM unnest($1::text[], $2::int[], $3::text[]) AS t(m, p, pr)`,
      [dModel, dPos, dProvider],
    );
    const batch = 20_000;
    const sampleSecrets = [];
    for (let offset = 0; offset < SCALE.keys; offset += batch) {
      const keyIds = [];
      const prefixes = [];
      const hashes = [];
      for (let i = offset; i < Math.min(SCALE.keys, offset + batch); i++) {
        const secret = `jk_scale${String(i).padStart(6, '0')}${randomBytes(24).toString('base64url')}`;
        if (i % 25_000 === 7) sampleSecrets.push(secret);
        keyIds.push(`key_scale_${i}`);
        prefixes.push(secret.slice(0, 9));
        hashes.push(sha256(secret));
      }
      await client.query(
        `INSERT INTO api_keys (id, name, prefix, secret_hash, team_id, environment)
         SELECT id, 'scale key', prefix, hash, $4, 'production' FROM unnest($1::text[], $2::text[], $3::text[]) AS t(id, prefix, hash)`,
        [keyIds, prefixes, hashes, teamId],
      );
    }
    await client.query('COMMIT');
    log(
      `  scale: inserted ${SCALE.keys} keys, ${SCALE.providers} provider entries, ${SCALE.models} models in ${Date.now() - started} ms`,
    );
    return { sampleSecrets, sampleModel: models[SCALE.models - 1] };
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    throw error;
  } finally {
    await client.end();
  }
}

async function post(url, secret, model) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' },
    body: chatBody(model),
  });
  await response.arrayBuffer();
  return response.status;
}

/** Runs the scale scenario; `onCleanup` registers the database drop for an interrupted run. */
export async function scaleScenario({ root, core, loadCore, mock, workDir, plan, budget, log, onCleanup }) {
  const instances = {};
  const databases = {};
  const drop = async () => {
    for (const instance of Object.values(instances)) await stopChild(instance.child);
    for (const database of Object.values(databases)) await database.drop();
  };
  onCleanup(drop);
  try {
    databases.tiny = await createDatabase('tiny');
    databases.large = await createDatabase('large');
    const dbUrl = (size) => databases[size].url;
    log(`  scale: created databases ${databases.tiny.name} and ${databases.large.name} on 127.0.0.1:5432`);
    const secrets = {};
    const teams = {};
    const start = (size, port) =>
      startJunction({
        root,
        core,
        dataDir: mkdtempSync(join(workDir, `scale-${size}-`)),
        databaseUrl: dbUrl(size),
        port,
      });
    for (const size of ['tiny', 'large']) {
      instances[size] = await start(size);
      const configured = await configureJunction(instances[size].url, mock.url);
      secrets[size] = configured.secret;
      teams[size] = configured.teamId;
    }
    const restart = async (size) => {
      await stopChild(instances[size].child);
      instances[size] = await start(size, instances[size].port);
    };
    await stopChild(instances.large.child);
    const { sampleSecrets, sampleModel } = await bulkInsert(dbUrl('large'), teams.large, mock.url, log);
    const restarted = Date.now();
    instances.large = await start('large', instances.large.port);
    const largeStartMs = Date.now() - restarted;
    // The tiny one is restarted too, so that the two differ only in what they serve: neither has served the admin
    // API since its start.
    await restart('tiny');
    // The snapshot must hold the bulk rows: a bulk key and a bulk model answer 200.
    const chatUrl = (size) => `${instances[size].url}/v1/chat/completions`;
    const checks = [];
    for (const secret of sampleSecrets) checks.push(await post(chatUrl('large'), secret, MODELS.chat));
    checks.push(await post(chatUrl('large'), secrets.large, sampleModel));
    if (checks.some((status) => status !== 200))
      throw new Error(`the large configuration is not served (statuses ${checks.join(',')})`);
    log(`  scale: large Junction restarted in ${largeStartMs} ms; bulk keys and models answer 200`);

    const rss = { tiny: rssKb(instances.tiny.pid), large: rssKb(instances.large.pid) };
    const load = (size, connections, seconds) =>
      runWrk({
        core: loadCore,
        url: chatUrl(size),
        headers: { authorization: `Bearer ${secrets[size]}` },
        body: chatBody(MODELS.chat),
        connections,
        seconds,
      });
    // The PostgreSQL server's whole process tree (backends, WAL writer, checkpointer, autovacuum workers) is counted
    // with the mock; without its PID (a server elsewhere) the backends are.
    const server = await serverPid();
    const trees = server ? [server] : [];
    const runs = { tiny: [], large: [] };
    const pairs = [];
    for (let rep = 0; rep < plan.scaleRepetitions; rep++) {
      // Each repetition loads both at once, 32 connections each, on the target core they share: whatever the
      // machine does meanwhile slows both alike, and their ratio holds where runs one after the other drifted apart
      // by a fifth. Each repetition starts both afresh, since a process keeps a few per cent of speed, up or down,
      // for its life (where V8 laid out its heap and code).
      if (rep > 0) {
        await restart('tiny');
        await restart('large');
      }
      log(`  scale: tiny and large side by side, c32 each, ${plan.seconds}s (repetition ${rep + 1})`);
      await Promise.all([load('tiny', 32, plan.warmupSeconds), load('large', 32, plan.warmupSeconds)]);
      // Both databases' backends (the pools may have opened more since the last run) run on the load core.
      const backends = await pinBackends([databases.tiny.name, databases.large.name], loadCore);
      // Both Junctions store the usage rows of the warm-up for a few seconds after it, and the server writes them:
      // start once that is done and the server has vacuumed them, rather than measure beside it.
      const both = [instances.tiny.pid, instances.large.pid];
      await waitForIdle(both, 30_000, { trees });
      for (const database of Object.values(databases)) await vacuum(database.url);
      await waitForIdle(both, 10_000, { trees });
      const pair = await measureSideBySide(
        {
          first: { pid: instances.tiny.pid, load: () => load('tiny', 32, plan.seconds) },
          second: { pid: instances.large.pid, load: () => load('large', 32, plan.seconds) },
          mockPid: mock.pid,
          helperPids: trees.length > 0 ? [] : backends,
          helperTrees: trees,
        },
        { budget, log, redos: plan.redos },
      );
      runs.tiny.push(pair.first);
      runs.large.push(pair.second);
      pairs.push({ tiny: pair.first.cpuUsPerReq, large: pair.second.cpuUsPerReq, ratio: pair.ratio });
    }
    return {
      databases: Object.fromEntries(Object.entries(databases).map(([k, d]) => [k, d.name])),
      scale: SCALE,
      largeStartMs,
      idleRssKb: rss,
      runs,
      pairs,
    };
  } finally {
    await drop().catch((error) => log(`  scale: cleanup failed: ${error.message}`));
  }
}
