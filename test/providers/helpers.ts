/**
 * Helpers shared by the provider suites: reading an entry's health through the admin API, polling until a
 * condition holds, a bare model-list server on a chosen port, and a lookup that resolves nothing.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo, LookupFunction, Socket } from 'node:net';
import type { ProviderView } from '../../src/management/services/providers.js';
import { type HttpResult, ok, type TestGateway } from '../support/gateway.js';

export type { ProviderView };
export type HealthView = ProviderView['health'];

export interface HealthEvent {
  at: string;
  source: 'check' | 'traffic' | 'configuration' | 'outlier';
  status: HealthView['status'] | 'ejected' | 'rejoined';
  latencyMs: number | null;
  diagnostic: HealthView['diagnostic'];
}

/** GET /providers/{id}. */
export function readProvider(gateway: TestGateway, id: string): Promise<ProviderView> {
  return ok(gateway.admin<ProviderView>('GET', `/providers/${id}`));
}

/** GET /providers/{id}/health. */
export function readHealth(
  gateway: TestGateway,
  id: string,
): Promise<{ current: HealthView; history: HealthEvent[] }> {
  return ok(gateway.admin<{ current: HealthView; history: HealthEvent[] }>('GET', `/providers/${id}/health`));
}

/** POST /providers/{id}/verify, asserting a 200. */
export async function verify(gateway: TestGateway, id: string): Promise<ProviderView> {
  const result = await gateway.admin<ProviderView>('POST', `/providers/${id}/verify`);
  if (result.status !== 200) throw new Error(`verify ${id}: ${result.status} ${result.text}`);
  return result.json;
}

/**
 * Calls `read` until `accept` holds for its value or `timeoutMs` passes; returns the last value read either
 * way, so the caller's assertion shows what was seen.
 */
export async function until<T>(
  read: () => Promise<T>,
  accept: (value: T) => boolean,
  timeoutMs = 3_000,
  stepMs = 25,
): Promise<T> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (accept(value) || performance.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, stepMs));
  }
}

/** Creates an openai-compatible entry through the admin API and returns the 201 answer. */
export async function createEntry(
  gateway: TestGateway,
  entry: Record<string, unknown> & { id: string },
): Promise<HttpResult<ProviderView>> {
  const result = await gateway.admin<ProviderView>('POST', '/providers', {
    displayName: entry.id,
    type: 'openai-compatible',
    ...entry,
  });
  if (result.status !== 201) throw new Error(`create ${entry.id}: ${result.status} ${result.text}`);
  return result;
}

/** Creates a team and a key in any environment; returns the secret. */
export async function keyIn(gateway: TestGateway, environment: string): Promise<string> {
  const team = await ok(
    gateway.admin<{ id: string }>('POST', '/teams', {
      name: `team-${environment}-${Math.random().toString(36).slice(2, 10)}`,
    }),
  );
  const key = await ok(
    gateway.admin<{ secret: string }>('POST', '/keys', { name: 'k', teamId: team.id, environment }),
  );
  return key.secret;
}

/** A lookup that resolves no name (ENOTFOUND), so nothing ever leaves the machine. */
export const unresolvable: LookupFunction = (hostname, _options, callback) => {
  const error = Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
  callback(error, '', 4);
};

export interface ModelListServer {
  readonly port: number;
  /** `Authorization` headers received, in order. */
  readonly authorizations: Array<string | undefined>;
  close(): Promise<void>;
}

/** A bare HTTP server on 127.0.0.1:`port` (0 for any) answering GET /v1/models with a one-model list. */
export async function modelListServer(port: number): Promise<ModelListServer> {
  const authorizations: Array<string | undefined> = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer((request, response) => {
    authorizations.push(request.headers.authorization);
    if (request.method === 'GET' && request.url === '/v1/models') {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ object: 'list', data: [{ id: 'back-again', object: 'model' }] }));
      return;
    }
    response.writeHead(404).end();
  });
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    authorizations,
    close: () => {
      for (const socket of sockets) socket.destroy();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
