// Junction as a bench target: built bundle (dist/cli.js, rebuilt when missing or older than src/), started
// with `node bin/junction.mjs serve` on 127.0.0.1 with a fresh data dir (or PostgreSQL), and configured
// through its admin API like an operator would: auth, routing and metrics on, as shipped.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { request } from 'undici';
import { EMBED_DIMENSION } from './mock-bodies.mjs';
import { freePort, waitForPort } from './ports.mjs';
import { spawnPinned } from './proc.mjs';

export const ADMIN_TOKEN = `jat_bench_${randomBytes(16).toString('hex')}`;
export const MASTER_KEY = randomBytes(32).toString('base64');

export const MODELS = {
  chat: 'bench-chat',
  stream: 'bench-chat-stream',
  embed: 'bench-embed',
  // Served by `anthropic` entries: the translation runs (T6).
  anthropic: 'bench-anthropic',
  anthropicStream: 'bench-anthropic-stream',
};

function newestMtime(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }
  return newest;
}

/** Builds dist/cli.js (npm run build:server) when it is missing or older than any file under src/. */
/** The environment a benchmarked Junction runs with: as shipped, on 127.0.0.1, with no background checks. */
export function junctionEnv(port, dataDir, extraEnv = {}) {
  const env = {
    ...process.env,
    JUNCTION_HOST: '127.0.0.1',
    JUNCTION_PORT: String(port),
    JUNCTION_DATA_DIR: dataDir,
    JUNCTION_ADMIN_TOKEN: ADMIN_TOKEN,
    JUNCTION_MASTER_KEY: MASTER_KEY,
    JUNCTION_AUTO_VERIFY: 'false',
    JUNCTION_HEALTH_CHECK_INTERVAL_MS: '0',
    JUNCTION_LOG_LEVEL: 'warn',
    NODE_ENV: 'production',
  };
  delete env.DATABASE_URL;
  delete env.JUNCTION_FROM_SOURCE;
  return { ...env, ...extraEnv };
}

export function ensureBuilt(root, log) {
  const bundle = join(root, 'dist', 'cli.js');
  let built = 0;
  try {
    built = statSync(bundle).mtimeMs;
  } catch {}
  if (built > 0 && built >= newestMtime(join(root, 'src'))) {
    log('junction: dist/cli.js is up to date');
    return;
  }
  log(
    built
      ? 'junction: dist/cli.js is older than src/; npm run build:server'
      : 'junction: no dist/cli.js; npm run build:server',
  );
  execFileSync('npm', ['run', 'build:server'], { cwd: root, stdio: 'inherit' });
}

/**
 * Spawns `node [nodeArgs] bin/junction.mjs <command>` (`serve`, or `dataplane` beside a `serve` on the same
 * PostgreSQL store) pinned to `core`; resolves when it accepts connections.
 */
export async function startJunction({
  root,
  core,
  dataDir,
  databaseUrl,
  command = 'serve',
  nodeArgs = [],
  port,
  waitMs = 60_000,
}) {
  port ??= await freePort();
  const env = junctionEnv(port, dataDir, databaseUrl ? { DATABASE_URL: databaseUrl } : {});
  const started = process.hrtime.bigint();
  const child = spawnPinned(
    core,
    process.execPath,
    [...nodeArgs, join(root, 'bin', 'junction.mjs'), command],
    { env, cwd: root },
  );
  const failed = new Promise((_, reject) =>
    child.once('exit', (code) =>
      reject(new Error(`junction exited (${code}): ${child.output.slice(-2000)}`)),
    ),
  );
  await Promise.race([waitForPort(port, waitMs), failed]);
  return { child, pid: child.pid, port, url: `http://127.0.0.1:${port}`, started };
}

async function call(url, method, path, body) {
  const response = await request(`${url}/admin/v1${path}`, {
    method,
    headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.body.text();
  if (response.statusCode >= 300) throw new Error(`admin ${method} ${path}: ${response.statusCode} ${text}`);
  return text ? JSON.parse(text) : undefined;
}

/**
 * Creates two openai-compatible providers (the mock's /json/v1 and /stream/v1 base URLs), two anthropic ones
 * (/anthropic-json/v1 and /anthropic-stream/v1), the chat, stream and embedding models, the two translated chat
 * models, a team and a production key. Returns the key's secret.
 */
export async function configureJunction(url, mockUrl) {
  for (const [id, prefix] of [
    ['mock-json', 'json'],
    ['mock-stream', 'stream'],
  ]) {
    await call(url, 'POST', '/providers', {
      id,
      type: 'openai-compatible',
      displayName: `Bench mock (${prefix})`,
      baseUrl: `${mockUrl}/${prefix}/v1`,
      apiKey: 'sk-bench-upstream-credential-0000',
    });
  }
  await call(url, 'POST', '/models', {
    id: MODELS.chat,
    kind: 'chat',
    deployments: [{ providerId: 'mock-json', upstreamModel: 'gpt-4o-mini' }],
  });
  await call(url, 'POST', '/models', {
    id: MODELS.stream,
    kind: 'chat',
    deployments: [{ providerId: 'mock-stream', upstreamModel: 'gpt-4o-mini' }],
  });
  await call(url, 'POST', '/models', {
    id: MODELS.embed,
    kind: 'embedding',
    dimension: EMBED_DIMENSION,
    deployments: [{ providerId: 'mock-json', upstreamModel: 'text-embedding-3-small' }],
  });
  // One entry per mock prefix, as for pass-through: the mock answers by path, never by body.
  for (const [id, prefix, model] of [
    ['mock-anthropic-json', 'anthropic-json', MODELS.anthropic],
    ['mock-anthropic-stream', 'anthropic-stream', MODELS.anthropicStream],
  ]) {
    await call(url, 'POST', '/providers', {
      id,
      type: 'anthropic',
      displayName: `Bench mock (${prefix})`,
      baseUrl: `${mockUrl}/${prefix}/v1`,
      apiKey: 'sk-ant-bench-upstream-credential-0000',
    });
    await call(url, 'POST', '/models', {
      id: model,
      kind: 'chat',
      deployments: [{ providerId: id, upstreamModel: 'claude-haiku-4-5' }],
    });
  }
  const team = await call(url, 'POST', '/teams', { name: `bench-${randomBytes(4).toString('hex')}` });
  const key = await call(url, 'POST', '/keys', { name: 'bench', teamId: team.id, environment: 'production' });
  return { secret: key.secret, teamId: team.id };
}
