// Two nginx instances, each from its own generated configuration in a temp dir, in the foreground
// (daemon off, master_process off: one process, so its CPU is one /proc entry), listening on 127.0.0.1 only:
// - the mock upstream: fixed bodies per route (`return 200 '<body>'`, so a POST is answered: the static
//   module would refuse POST with 405), one location per route, so a stream needs no body inspection; the
//   OpenAI routes under /json/v1 and /stream/v1, the Anthropic Messages ones under /anthropic-json/v1 and
//   /anthropic-stream/v1 (translation runs);
// - the `nginx` target: proxy_pass to the mock with upstream keep-alive and no buffering.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  ANTHROPIC_JSON,
  ANTHROPIC_SSE_BODY,
  CHAT_JSON,
  EMBEDDINGS_JSON,
  MODELS_JSON,
  SSE_BODY,
} from './mock-bodies.mjs';
import { freePort, waitForPort } from './ports.mjs';
import { spawnPinned } from './proc.mjs';

/** An nginx single-quoted string: escapes backslash, quote and newline. */
const quote = (text) => `'${text.replaceAll('\\', '\\\\').replaceAll("'", "\\'").replaceAll('\n', '\\n')}'`;

function common(dir, name) {
  for (const sub of ['body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'])
    mkdirSync(join(dir, sub), { recursive: true });
  return `daemon off;
master_process off;
worker_processes 1;
pid ${join(dir, `${name}.pid`)};
error_log ${join(dir, `${name}-error.log`)} warn;
events { worker_connections 16384; }
http {
  access_log off;
  client_body_temp_path ${join(dir, 'body')};
  proxy_temp_path ${join(dir, 'proxy')};
  fastcgi_temp_path ${join(dir, 'fastcgi')};
  uwsgi_temp_path ${join(dir, 'uwsgi')};
  scgi_temp_path ${join(dir, 'scgi')};
  keepalive_requests 10000000;
  keepalive_timeout 120s;
  server_tokens off;
`;
}

function mockConfig(dir, port) {
  const json = (location, body) =>
    `    location = ${location} { default_type application/json; return 200 ${quote(body)}; }\n`;
  const sse = (location, body) =>
    `    location = ${location} { default_type text/event-stream; add_header cache-control no-cache; return 200 ${quote(body)}; }\n`;
  return `${common(dir, 'mock')}  server {
    listen 127.0.0.1:${port} reuseport backlog=4096;
${json('/json/v1/chat/completions', CHAT_JSON)}${json('/json/v1/embeddings', EMBEDDINGS_JSON)}${json('/json/v1/models', MODELS_JSON)}${json('/stream/v1/models', MODELS_JSON)}${sse('/stream/v1/chat/completions', SSE_BODY)}${json('/anthropic-json/v1/messages', ANTHROPIC_JSON)}${sse('/anthropic-stream/v1/messages', ANTHROPIC_SSE_BODY)}    location / { default_type application/json; return 404 '{"error":{"message":"not found","type":"invalid_request_error"}}'; }
  }
}
`;
}

function proxyConfig(dir, port, mockPort) {
  return `${common(dir, 'proxy')}  upstream mock { server 127.0.0.1:${mockPort}; keepalive 128; }
  server {
    listen 127.0.0.1:${port} backlog=4096;
    location / {
      proxy_pass http://mock;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_buffering off;
      proxy_request_buffering off;
    }
  }
}
`;
}

async function start(dir, name, config, port, core) {
  const file = join(dir, `${name}.conf`);
  writeFileSync(file, config);
  const child = spawnPinned(core, 'nginx', ['-p', dir, '-c', file, '-e', join(dir, `${name}-error.log`)]);
  const failed = new Promise((_, reject) =>
    child.once('exit', (code) => reject(new Error(`nginx ${name} exited (${code}): ${child.output}`))),
  );
  await Promise.race([waitForPort(port), failed]);
  return { child, pid: child.pid, port, url: `http://127.0.0.1:${port}` };
}

/** Starts the mock upstream on `core`; writes the bodies beside its configuration for reference. */
export async function startMock(dir, core) {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'chat.json'), CHAT_JSON);
  writeFileSync(join(dir, 'stream.sse'), SSE_BODY);
  writeFileSync(join(dir, 'embeddings.json'), EMBEDDINGS_JSON);
  writeFileSync(join(dir, 'anthropic.json'), ANTHROPIC_JSON);
  writeFileSync(join(dir, 'anthropic-stream.sse'), ANTHROPIC_SSE_BODY);
  const port = await freePort();
  return start(dir, 'mock', mockConfig(dir, port), port, core);
}

/** Starts the nginx proxy_pass target on `core`. */
export async function startNginxProxy(dir, core, mockPort) {
  mkdirSync(dir, { recursive: true });
  const port = await freePort();
  return start(dir, 'proxy', proxyConfig(dir, port, mockPort), port, core);
}
