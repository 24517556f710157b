/**
 * A stream holds what it relays, not the request that opened it: once the answer is streaming, the client's body
 * (as text and parsed) and the body sent upstream (kept by undici as bytes, outside the JavaScript heap) are not
 * held on the heap for the stream's life. With a prompt of several MB and thousands of streams open, each copy
 * held would cost gigabytes. Checked in a child process that may force garbage collection.
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, inject, it } from 'vitest';

const PROMPT_BYTES = 8 * 1024 * 1024;

describe('memory held by an open stream', () => {
  it('does not keep the request on the heap while the answer streams', () => {
    const source = (path: string) => JSON.stringify(fileURLToPath(new URL(path, import.meta.url)));
    const script = `
      import { createServer, request } from 'node:http';
      import { mkdtempSync, readFileSync } from 'node:fs';
      import { tmpdir } from 'node:os';
      import { join } from 'node:path';
      const { openStore } = await import(${source('../../src/store/database.ts')});
      const { resolveConfig } = await import(${source('../../src/server/config.ts')});
      const { startJunction } = await import(${source('../../src/server/server.ts')});
      const { silentLogger } = await import(${source('../../src/observability/logger.ts')});
      const chunk = (delta, finish) => 'data: ' + JSON.stringify({ id: 'c', object: 'chat.completion.chunk', created: 1,
        model: 'u', choices: [{ index: 0, delta, finish_reason: finish }] }) + '\\n\\n';
      let release;
      const released = new Promise((resolve) => { release = resolve; });
      const upstream = createServer((req, res) => {
        req.resume();
        req.on('end', async () => {
          res.writeHead(200, { 'content-type': 'text/event-stream' });
          res.write(chunk({ role: 'assistant', content: 'hello' }, null));
          await released;
          res.end(chunk({}, 'stop') + 'data: [DONE]\\n\\n');
        });
      });
      await new Promise((resolve) => upstream.listen(0, '127.0.0.1', resolve));
      const template = readFileSync(${JSON.stringify(inject('pgliteTemplate'))});
      const store = await openStore({ dataDir: '.', inMemory: true, loadDataDir: new Blob([new Uint8Array(template)]) });
      const admin = 'jat_memory-test-admin-token-0123456789abcdefghijk';
      const config = resolveConfig({ host: '127.0.0.1', port: 0, dataDir: '.junction-test-unused', migrate: false,
        masterKey: Buffer.alloc(32, 7).toString('base64'), adminToken: admin, autoVerify: false,
        healthCheckIntervalMs: 0, spoolDir: mkdtempSync(join(tmpdir(), 'junction-spool-')) }, {});
      const junction = await startJunction({ config, store, logger: silentLogger() });
      const call = async (path, body) => {
        const res = await fetch(junction.url + '/admin/v1' + path, { method: 'POST', body: JSON.stringify(body),
          headers: { authorization: 'Bearer ' + admin, 'content-type': 'application/json' } });
        if (res.status >= 300) throw new Error(path + ': ' + res.status + ' ' + (await res.text()));
        return res.json();
      };
      await call('/providers', { id: 'up', type: 'openai-compatible', displayName: 'up',
        baseUrl: 'http://127.0.0.1:' + upstream.address().port + '/v1' });
      await call('/models', { id: 'm', kind: 'chat', deployments: [{ providerId: 'up', upstreamModel: 'u' }] });
      const team = await call('/teams', { name: 'memory' });
      const { secret } = await call('/keys', { name: 'memory', teamId: team.id, environment: 'production' });
      // The body as bytes only (outside the heap): the message is ${PROMPT_BYTES} letters.
      const body = Buffer.concat([
        Buffer.from('{"model":"m","stream":true,"messages":[{"role":"user","content":"'),
        Buffer.alloc(${PROMPT_BYTES}, 'x'),
        Buffer.from('"}]}'),
      ]);
      const heap = () => { for (let i = 0; i < 4; i++) globalThis.gc(); return process.memoryUsage().heapUsed; };
      const before = heap();
      const url = new URL(junction.url);
      let text = '';
      const during = await new Promise((resolve, reject) => {
        const req = request({ host: url.hostname, port: url.port, method: 'POST', path: '/v1/chat/completions',
          headers: { authorization: 'Bearer ' + secret, 'content-type': 'application/json', 'content-length': body.length } },
          (res) => {
            res.setEncoding('utf8');
            res.on('data', (piece) => {
              text += piece;
              if (text.includes('hello') && !resolve.done) { resolve.done = true; resolve(heap()); release(); }
            });
            res.on('end', () => {});
            res.on('error', reject);
          });
        req.on('error', reject);
        req.end(body);
      });
      await new Promise((resolve) => setTimeout(resolve, 200));
      await junction.shutdown();
      upstream.close();
      console.log(JSON.stringify({ heldBytes: during - before, complete: text.includes('[DONE]') }));
      process.exit(0);
    `;
    const output = execFileSync(
      process.execPath,
      ['--expose-gc', '--import', 'tsx', '--input-type=module', '-e', script],
      { encoding: 'utf8', timeout: 60_000 },
    );
    const result = JSON.parse(output.trim().split('\n').at(-1) ?? '{}') as {
      heldBytes: number;
      complete: boolean;
    };
    expect(result.complete).toBe(true);
    // One copy of the prompt on the heap would be 8 MB; the request, its parse and the upstream body were three.
    expect(result.heldBytes).toBeLessThan(PROMPT_BYTES / 2);
  }, 90_000);
});
