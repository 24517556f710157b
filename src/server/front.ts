/**
 * The one node:http listener of a Junction process: `/v1/*` goes to the data plane, `/healthz`, `/readyz` and
 * `/metrics` are answered here, and every other path goes to `other` (the management plane in `junction serve`, a
 * not-found in `junction dataplane`). Closing it stops accepting, lets in-flight requests finish up to the drain
 * timeout, then ends the connections left.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { GatewayError } from '../core/errors/gateway-error.js';
import { sendError } from '../dataplane/http/reply.js';
import type { Logger } from '../observability/logger.js';
import type { JunctionConfig } from './config.js';
import type { Runtime } from './runtime.js';

export interface Front {
  readonly server: Server;
  readonly url: string;
  readonly port: number;
  /** Stops accepting and waits for in-flight requests (at most `drainTimeoutMs`), then closes every connection. */
  close(drainTimeoutMs: number): Promise<void>;
}

export interface FrontOptions {
  config: Pick<JunctionConfig, 'host' | 'port'>;
  logger: Logger;
  runtime: Pick<Runtime, 'dataPlane' | 'snapshots' | 'metrics'>;
  other: (request: IncomingMessage, response: ServerResponse) => void;
}

/** Connections the kernel queues for accepting (capped by net.core.somaxconn). */
const LISTEN_BACKLOG = 4096;

export async function listen(options: FrontOptions): Promise<Front> {
  const { dataPlane, snapshots, metrics } = options.runtime;
  const { host } = options.config;
  let draining = false;
  const handler = (request: IncomingMessage, response: ServerResponse) => {
    const url = request.url ?? '/';
    if (url.startsWith('/v1/')) {
      if (draining) {
        response.setHeader('connection', 'close');
        return sendError(response, new GatewayError('shutting_down', 'The gateway is shutting down; retry'));
      }
      return dataPlane.handle(request, response);
    }
    if (url === '/healthz') return plain(response, 200, '{"status":"ok"}');
    if (url === '/readyz') {
      const ready = !draining && snapshots.current !== undefined;
      return plain(response, ready ? 200 : 503, ready ? '{"status":"ready"}' : '{"status":"not ready"}');
    }
    if (url === '/metrics') {
      metrics.registry
        .metrics()
        .then((text) => {
          response.setHeader('content-type', metrics.registry.contentType);
          response.end(text);
        })
        .catch(() => plain(response, 500, '{"status":"metrics failed"}'));
      return;
    }
    options.other(request, response);
  };

  const server = createServer(
    { keepAliveTimeout: 65_000, requestTimeout: 0, headersTimeout: 30_000 },
    handler,
  );
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    // A burst of new connections (clients reconnecting after a deploy, a load balancer opening its pool) waits in
    // the kernel's accept queue while the event loop is busy: Node's default of 511 dropped connections at 2,500 new
    // streams a second. The kernel caps this at net.core.somaxconn.
    server.listen({ port: options.config.port, host, backlog: LISTEN_BACKLOG }, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const displayHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  return {
    server,
    url: `http://${displayHost}:${port}`,
    port,
    close: async (drainTimeoutMs) => {
      draining = true;
      options.logger.info({ inFlight: dataPlane.inFlight() }, 'shutting down: draining in-flight requests');
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      const deadline = Date.now() + drainTimeoutMs;
      while (dataPlane.inFlight() > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25));
      server.closeAllConnections();
      await closed;
    },
  };
}

/** A small JSON answer that no cache keeps. */
export function plain(response: ServerResponse, status: number, json: string): void {
  response.statusCode = status;
  response.setHeader('content-type', 'application/json');
  response.setHeader('cache-control', 'no-store');
  response.end(json);
}
