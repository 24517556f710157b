// Starts the installed @portkey-ai/gateway server bound to 127.0.0.1 only (its own start script listens on
// every interface: it passes no host, so the host is supplied here before its module loads).
// Usage: NODE_ENV=production node bench/targets/portkey.mjs --port=N --headless

import { createRequire } from 'node:module';
import net from 'node:net';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';

const listen = net.Server.prototype.listen;
net.Server.prototype.listen = function (...args) {
  if (typeof args[0] === 'number' && (args[1] === undefined || typeof args[1] === 'function')) {
    args.splice(1, args[1] === undefined ? 1 : 0, '127.0.0.1');
  } else if (args[0] && typeof args[0] === 'object' && !args[0].path) {
    args[0] = { ...args[0], host: '127.0.0.1' };
  }
  return listen.apply(this, args);
};
// The start script clears the console and draws a spinner: keep its output short.
console.clear = () => {};

const require = createRequire(import.meta.url);
const root = dirname(require.resolve('@portkey-ai/gateway/package.json'));
await import(pathToFileURL(join(root, 'build', 'start-server.js')).href);
