// node-bare: the floor of any Node gateway. node:http in, undici Pool out, no parsing, no auth, no logging:
// the request body is collected and sent upstream as is, the answer piped back with its status, type and length.
// Usage: node bench/targets/node-bare.mjs --port=N --upstream=http://127.0.0.1:M [--connections=256]
import { createServer } from 'node:http';
import { Pool } from 'undici';

const arg = (name) => process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1];
const port = Number(arg('port'));
const upstream = arg('upstream');
if (!port || !upstream?.startsWith('http://127.0.0.1:'))
  throw new Error('--port and --upstream=http://127.0.0.1:PORT are required');

const pool = new Pool(upstream, { connections: Number(arg('connections') ?? 256), keepAliveTimeout: 60_000 });

const server = createServer({ keepAliveTimeout: 65_000 }, (request, response) => {
  const chunks = [];
  request.on('data', (chunk) => chunks.push(chunk));
  request.on('end', () => {
    pool
      .request({
        path: request.url,
        method: request.method,
        headers: { 'content-type': request.headers['content-type'] ?? 'application/json' },
        body: chunks.length === 1 ? chunks[0] : Buffer.concat(chunks),
      })
      .then(({ statusCode, headers, body }) => {
        const out = { 'content-type': headers['content-type'] ?? 'application/json' };
        if (headers['content-length'] !== undefined) out['content-length'] = headers['content-length'];
        response.writeHead(statusCode, out);
        body.pipe(response);
      })
      .catch(() => {
        if (!response.headersSent) response.writeHead(502, { 'content-type': 'application/json' });
        response.end('{"error":{"message":"upstream failed","type":"api_error"}}');
      });
  });
});

server.listen({ port, host: '127.0.0.1', backlog: 4096 });
const stop = () => server.close(() => pool.close().then(() => process.exit(0)));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
