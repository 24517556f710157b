// The targets of one run, each against the same mock. A target says how to reach its chat, stream and
// embeddings routes (URL, headers, model name) and which process to measure (none for `direct`). Junction
// alone also has translation routes (OpenAI in, Anthropic upstream): the references have nothing to translate.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { configureJunction, MODELS, startJunction } from './junction.mjs';
import { startNginxProxy } from './nginx.mjs';
import { freePort, waitForPort } from './ports.mjs';
import { spawnPinned } from './proc.mjs';

const here = (path) => fileURLToPath(new URL(path, import.meta.url));

/** Routes of a target whose paths mirror the mock's (/json/v1/..., /stream/v1/...). */
const mirrored = (base) => ({
  chat: { url: `${base}/json/v1/chat/completions`, headers: {}, model: 'gpt-4o-mini' },
  stream: { url: `${base}/stream/v1/chat/completions`, headers: {}, model: 'gpt-4o-mini' },
  embed: { url: `${base}/json/v1/embeddings`, headers: {}, model: 'text-embedding-3-small' },
});

async function startNode(core, script, args, env) {
  const port = await freePort();
  const child = spawnPinned(core, process.execPath, [script, `--port=${port}`, ...args], {
    env: { ...process.env, ...env },
  });
  const failed = new Promise((_, reject) =>
    child.once('exit', (code) =>
      reject(new Error(`${script} exited (${code}): ${child.output.slice(-1500)}`)),
    ),
  );
  await Promise.race([waitForPort(port, 30_000), failed]);
  return { child, pid: child.pid, port, url: `http://127.0.0.1:${port}` };
}

export const TARGET_NAMES = ['direct', 'nginx', 'node-bare', 'portkey', 'junction'];

/** Starts target `name` on `core` against `mock`; returns { name, pid, child, routes, info }. */
export async function startTarget(name, { core, mock, root, workDir }) {
  switch (name) {
    case 'direct':
      return { name, pid: undefined, routes: mirrored(mock.url), info: 'wrk straight at the mock' };
    case 'nginx': {
      const proxy = await startNginxProxy(join(workDir, 'nginx-proxy'), core, mock.port);
      return {
        name,
        pid: proxy.pid,
        child: proxy.child,
        routes: mirrored(proxy.url),
        info: 'nginx proxy_pass, upstream keep-alive',
      };
    }
    case 'node-bare': {
      const bare = await startNode(core, here('../targets/node-bare.mjs'), [`--upstream=${mock.url}`]);
      return {
        name,
        pid: bare.pid,
        child: bare.child,
        routes: mirrored(bare.url),
        info: 'node:http + undici Pool',
      };
    }
    case 'portkey': {
      const portkey = await startNode(core, here('../targets/portkey.mjs'), ['--headless'], {
        NODE_ENV: 'production',
      });
      const headers = (prefix) => ({
        authorization: 'Bearer sk-bench-upstream-credential-0000',
        'x-portkey-provider': 'openai',
        'x-portkey-custom-host': `${mock.url}/${prefix}/v1`,
      });
      return {
        name,
        pid: portkey.pid,
        child: portkey.child,
        routes: {
          chat: { url: `${portkey.url}/v1/chat/completions`, headers: headers('json'), model: 'gpt-4o-mini' },
          stream: {
            url: `${portkey.url}/v1/chat/completions`,
            headers: headers('stream'),
            model: 'gpt-4o-mini',
          },
          embed: {
            url: `${portkey.url}/v1/embeddings`,
            headers: headers('json'),
            model: 'text-embedding-3-small',
          },
        },
        info: '@portkey-ai/gateway (node build/start-server.js)',
      };
    }
    case 'junction': {
      const dataDir = mkdtempSync(join(workDir, 'junction-data-'));
      const junction = await startJunction({ root, core, dataDir });
      const { secret } = await configureJunction(junction.url, mock.url);
      const headers = { authorization: `Bearer ${secret}` };
      return {
        name,
        pid: junction.pid,
        child: junction.child,
        dataDir,
        routes: {
          chat: { url: `${junction.url}/v1/chat/completions`, headers, model: MODELS.chat },
          stream: { url: `${junction.url}/v1/chat/completions`, headers, model: MODELS.stream },
          embed: { url: `${junction.url}/v1/embeddings`, headers, model: MODELS.embed },
        },
        translation: {
          chat: { url: `${junction.url}/v1/chat/completions`, headers, model: MODELS.anthropic },
          stream: { url: `${junction.url}/v1/chat/completions`, headers, model: MODELS.anthropicStream },
        },
        info: 'node bin/junction.mjs serve, embedded store',
      };
    }
    default:
      throw new Error(`unknown target ${name}`);
  }
}

export const newWorkDir = () => mkdtempSync(join(tmpdir(), 'junction-bench-'));
