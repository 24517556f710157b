// A slow OpenAI-style SSE upstream on 127.0.0.1 (Node; its numbers are not comparable with nginx's, it only
// paces): POST /gap-<ms>/v1/chat/completions answers after 50 ms with the same 15 events as the nginx mock,
// one every <ms> milliseconds, then `data: [DONE]`. GET /stats reports open streams.
// Usage: node bench/mock/slow-stream.mjs --port=N
import { createServer } from 'node:http';
import { sseEvents } from '../lib/mock-bodies.mjs';

const port = Number(process.argv.find((a) => a.startsWith('--port='))?.split('=')[1]);
if (!port) throw new Error('--port is required');
const events = sseEvents().map((event) => `data: ${JSON.stringify(event)}\n\n`);
const FIRST_BYTE_MS = 50;
let open = 0;
let served = 0;

const server = createServer((request, response) => {
  if (request.method === 'GET' && request.url === '/stats') {
    response.end(JSON.stringify({ open, served }));
    return;
  }
  const gap = Number(/^\/gap-(\d+)\//.exec(request.url ?? '')?.[1] ?? 20);
  request.resume();
  request.on('end', () => {
    open++;
    let index = 0;
    let timer;
    const finish = () => {
      clearTimeout(timer);
      open--;
    };
    response.once('close', () => {
      if (index <= events.length) finish();
    });
    const next = () => {
      if (index === 0)
        response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
      if (index < events.length) {
        response.write(events[index++]);
        timer = setTimeout(next, gap);
      } else {
        index++;
        served++;
        finish();
        response.end('data: [DONE]\n\n');
      }
    };
    timer = setTimeout(next, FIRST_BYTE_MS);
  });
});
server.keepAliveTimeout = 65_000;
server.maxConnections = 30_000;
server.listen(port, '127.0.0.1');
const stop = () => {
  server.closeAllConnections?.();
  server.close(() => process.exit(0));
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
