// Free TCP ports on 127.0.0.1, and a bounded wait for a port to accept connections.
import { connect, createServer } from 'node:net';
import { waitFor } from './proc.mjs';

export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

const accepts = (port) =>
  new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });

export const waitForPort = (port, timeoutMs = 15_000) =>
  waitFor(() => accepts(port), { timeoutMs, what: `127.0.0.1:${port}` });
