// Streams against a slow upstream (bench/mock/slow-stream.mjs, Node, 127.0.0.1): the T4 check that chunks are
// forwarded as they arrive (never buffered), and, when asked, T5's memory per in-flight stream.
import { fileURLToPath } from 'node:url';
import { Pool, request } from 'undici';
import { ADMIN_TOKEN } from './junction.mjs';
import { chatBody } from './mock-bodies.mjs';
import { freePort, waitForPort } from './ports.mjs';
import { spawnPinned } from './proc.mjs';

const SLOW_MOCK = fileURLToPath(new URL('../mock/slow-stream.mjs', import.meta.url));

export async function startSlowMock(core) {
  const port = await freePort();
  const child = spawnPinned(core, process.execPath, [SLOW_MOCK, `--port=${port}`]);
  await waitForPort(port);
  return { child, pid: child.pid, port, url: `http://127.0.0.1:${port}` };
}

async function admin(url, method, path, body) {
  const response = await request(`${url}/admin/v1${path}`, {
    method,
    headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const text = await response.body.text();
  if (response.statusCode >= 300) throw new Error(`admin ${method} ${path}: ${response.statusCode} ${text}`);
}

/** Adds a provider on the slow mock with `gapMs` between events, and a chat model on it; returns the model. */
export async function addSlowModel(junctionUrl, slowMock, gapMs) {
  const id = `slow-${gapMs}`;
  await admin(junctionUrl, 'POST', '/providers', {
    id,
    type: 'openai-compatible',
    displayName: `Slow mock ${gapMs} ms`,
    baseUrl: `${slowMock.url}/gap-${gapMs}/v1`,
  });
  await admin(junctionUrl, 'POST', '/models', {
    id: `bench-${id}`,
    kind: 'chat',
    deployments: [{ providerId: id, upstreamModel: 'gpt-4o-mini' }],
  });
  return `bench-${id}`;
}

/** Arrival times (ms after send) of each body chunk of one streamed answer. */
function arrivals(url, headers, body) {
  const target = new URL(url);
  const pool = new Pool(target.origin, { connections: 1 });
  const sent = performance.now();
  const times = [];
  let text = '';
  return new Promise((resolve, reject) => {
    pool.dispatch(
      {
        path: target.pathname,
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body,
      },
      {
        onRequestStart() {},
        onResponseStart() {},
        onResponseData(_controller, chunk) {
          times.push(performance.now() - sent);
          text += chunk.toString();
        },
        onResponseEnd() {
          pool.close().then(() =>
            resolve({
              times,
              events: (text.match(/^data: /gm) ?? []).length,
              done: text.includes('data: [DONE]'),
            }),
          );
        },
        onResponseError(_controller, error) {
          pool.close().then(() => reject(error));
        },
      },
    );
  });
}

/**
 * T4's second half: with events 20 ms apart upstream, a forwarding gateway delivers them in many separate
 * chunks spread over ~300 ms; a buffering one delivers them in one piece at the end.
 */
export async function forwardingCheck({ slowMock, junctionUrl, secret, model }) {
  const direct = await arrivals(
    `${slowMock.url}/gap-20/v1/chat/completions`,
    {},
    chatBody('gpt-4o-mini', true),
  );
  const results = [];
  for (let i = 0; i < 3; i++)
    results.push(
      await arrivals(
        `${junctionUrl}/v1/chat/completions`,
        { authorization: `Bearer ${secret}` },
        chatBody(model, true),
      ),
    );
  const worst = results.reduce((a, b) => (b.times.length < a.times.length ? b : a));
  const span = worst.times.at(-1) - worst.times[0];
  const forwarded = worst.times.length >= 10 && span >= 200 && worst.done;
  return {
    forwarded,
    direct: {
      chunks: direct.times.length,
      firstMs: direct.times[0],
      spanMs: direct.times.at(-1) - direct.times[0],
    },
    junction: results.map((r) => ({
      chunks: r.times.length,
      events: r.events,
      done: r.done,
      firstMs: r.times[0],
      spanMs: r.times.at(-1) - r.times[0],
    })),
    summary: `slow upstream (16 events 20 ms apart): junction delivered ${worst.times.length} chunks over ${span.toFixed(0)} ms (direct ${direct.times.length} over ${(direct.times.at(-1) - direct.times[0]).toFixed(0)} ms) → ${forwarded ? 'forwarded as they arrive' : 'BUFFERED'}`,
  };
}
