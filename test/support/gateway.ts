/**
 * Starts a whole Junction in-process on 127.0.0.1:0 (data plane, admin API, web app) on a private test
 * store, with helpers to configure it through the real admin API.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent, request } from 'undici';
import { type Logger, silentLogger } from '../../src/observability/logger.js';
import { type ConfigOverrides, resolveConfig } from '../../src/server/config.js';
import { type RunningJunction, startJunction } from '../../src/server/server.js';
import type { Store } from '../../src/store/database.js';
import { openTestStore, type StoreKind } from './stores.js';

export const TEST_ADMIN_TOKEN = 'jat_test-admin-token-0123456789abcdefghijklmnopqrstuv';
export const TEST_MASTER_KEY = Buffer.alloc(32, 7).toString('base64');

export interface HttpResult<T = unknown> {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  json: T;
}

export interface TestGateway {
  readonly url: string;
  readonly running: RunningJunction;
  readonly store: Store;
  /** Calls the admin API with the test admin token (or `token`). */
  admin<T = unknown>(method: string, path: string, body?: unknown, token?: string): Promise<HttpResult<T>>;
  /** Calls the data plane with an API key. */
  call<T = unknown>(
    method: string,
    path: string,
    body: unknown,
    key: string | undefined,
    headers?: Record<string, string>,
  ): Promise<HttpResult<T>>;
  /** Creates a team and a production key; returns the secret. */
  createKey(options?: {
    environment?: 'production' | 'staging';
    team?: string;
  }): Promise<{ secret: string; id: string; teamId: string }>;
  close(): Promise<void>;
}

export interface TestGatewayOptions {
  /** A store kind to open privately, or an open store to share with another gateway (a second replica). */
  store?: StoreKind | Store;
  config?: ConfigOverrides;
  logger?: Logger;
  random?: () => number;
  /** Resolves provider host names for the health checks (tests inject one that fails with ENOTFOUND). */
  lookup?: import('node:net').LookupFunction;
}

const agent = new Agent({ keepAliveTimeout: 1000, connections: 64 });

/** Performs an HTTP request and decodes the answer. */
export async function http<T = unknown>(
  url: string,
  method: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<HttpResult<T>> {
  const payload = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
  const response = await request(url, {
    method: method as 'GET',
    headers: payload === undefined ? headers : { 'content-type': 'application/json', ...headers },
    body: payload,
    dispatcher: agent,
  });
  const text = await response.body.text();
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return { status: response.statusCode, headers: response.headers, text, json: json as T };
}

let teamCounter = 0;

/** Starts a test gateway. */
export async function startTestGateway(options: TestGatewayOptions = {}): Promise<TestGateway> {
  const shared = typeof options.store === 'object' ? options.store : undefined;
  // A shared store stays open when this gateway stops: its owner closes it.
  const store: Store = shared
    ? {
        kind: shared.kind,
        db: shared.db,
        location: shared.location,
        migrate: () => shared.migrate(),
        close: async () => undefined,
      }
    : await openTestStore((options.store as StoreKind | undefined) ?? 'embedded');
  // Each gateway has its own usage spool (a test may pass one to keep it across a restart).
  const ownSpool = options.config?.spoolDir === undefined;
  const spoolDir = options.config?.spoolDir ?? mkdtempSync(join(tmpdir(), 'junction-spool-'));
  const config = resolveConfig(
    {
      host: '127.0.0.1',
      port: 0,
      dataDir: '.junction-test-unused',
      masterKey: TEST_MASTER_KEY,
      adminToken: TEST_ADMIN_TOKEN,
      migrate: false,
      drainTimeoutMs: 2000,
      // Tests never let the gateway probe real host names; suites that test verification turn it on
      // against loopback upstreams only.
      autoVerify: false,
      healthCheckIntervalMs: 0,
      ...options.config,
      spoolDir,
    },
    {},
  );
  const running = await startJunction({
    config,
    store,
    logger: options.logger ?? silentLogger(),
    random: options.random,
    lookup: options.lookup,
  });
  const url = running.url;
  const gateway: TestGateway = {
    url,
    running,
    store,
    admin: (method, path, body, token = TEST_ADMIN_TOKEN) =>
      http(`${url}/admin/v1${path}`, method, body, { authorization: `Bearer ${token}` }),
    call: (method, path, body, key, headers = {}) =>
      http(
        `${url}${path}`,
        method,
        body,
        key === undefined ? headers : { authorization: `Bearer ${key}`, ...headers },
      ),
    createKey: async (keyOptions = {}) => {
      const team = await gateway.admin<{ id: string }>('POST', '/teams', {
        name: keyOptions.team ?? `team-${++teamCounter}-${Date.now()}`,
      });
      if (team.status !== 201) throw new Error(`team creation failed: ${team.text}`);
      const key = await gateway.admin<{ secret: string; key: { id: string } }>('POST', '/keys', {
        name: 'test key',
        teamId: team.json.id,
        environment: keyOptions.environment ?? 'production',
      });
      if (key.status !== 201) throw new Error(`key creation failed: ${key.text}`);
      return { secret: key.json.secret, id: key.json.key.id, teamId: team.json.id };
    },
    close: async () => {
      await running.shutdown();
      if (ownSpool) rmSync(spoolDir, { recursive: true, force: true });
    },
  };
  return gateway;
}

/** Asserts an admin call succeeded and returns its JSON. */
export async function ok<T>(result: Promise<HttpResult<T>>, expected = [200, 201, 204]): Promise<T> {
  const settled = await result;
  if (!expected.includes(settled.status)) throw new Error(`unexpected ${settled.status}: ${settled.text}`);
  return settled.json;
}

/** Adds provider entry `up` (OpenAI-compatible, at `upstreamUrl`) and chat model `m` served by its model `u`. */
export async function addChatModel(gateway: TestGateway, upstreamUrl: string): Promise<void> {
  await ok(
    gateway.admin('POST', '/providers', {
      id: 'up',
      type: 'openai-compatible',
      displayName: 'up',
      baseUrl: `${upstreamUrl}/v1`,
    }),
  );
  await ok(
    gateway.admin('POST', '/models', {
      id: 'm',
      kind: 'chat',
      deployments: [{ providerId: 'up', upstreamModel: 'u' }],
    }),
  );
}

/** Adds the in-process echo provider entry `echo` and chat model `chat` served by it. */
export async function addEchoChatModel(gateway: Pick<TestGateway, 'admin'>): Promise<void> {
  await ok(gateway.admin('POST', '/providers', { id: 'echo', type: 'echo', displayName: 'Echo' }));
  await ok(
    gateway.admin('POST', '/models', {
      id: 'chat',
      kind: 'chat',
      deployments: [{ providerId: 'echo', upstreamModel: 'echo' }],
    }),
  );
}
