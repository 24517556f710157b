/** Shared assertions for the admin API tests: problem+json answers, the snapshot version, an echo chat call. */
import { expect } from 'vitest';
import type { KeyView } from '../../src/management/services/teams-and-keys.js';
import type { HttpResult, TestGateway } from '../support/gateway.js';

export type { ModelView } from '../../src/management/services/models.js';
export type { ProviderView } from '../../src/management/services/providers.js';
export type { KeyView };

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: string;
  errors?: Array<{ path: string; message: string }>;
}

export interface TeamView {
  id: string;
  name: string;
  description: string | null;
  createdAt: string;
}

export interface KeyCreated {
  key: KeyView;
  secret: string;
}

export interface StatusView {
  snapshotVersion: number;
  compiledAt: string;
  providers: number;
  models: number;
  keys: number;
  store: string;
}

/** Asserts a problem+json answer with this status and code, and returns its body. */
export function expectProblem(result: HttpResult, status: number, code: string): Problem {
  expect(result.status, result.text).toBe(status);
  expect(result.headers['content-type']).toBe('application/problem+json');
  const problem = result.json as Problem;
  expect(problem.type).toBe(`urn:junction:error:${code}`);
  expect(problem.status).toBe(status);
  expect(problem.code).toBe(code);
  expect(problem.title).toEqual(expect.any(String));
  expect(problem.title.length).toBeGreaterThan(0);
  expect(problem.detail).toEqual(expect.any(String));
  expect(problem.detail.length).toBeGreaterThan(0);
  return problem;
}

/** Asserts a 400 whose `errors` name `path`, and returns the message given for it. */
export function expectFieldError(result: HttpResult, path: string): string {
  const problem = expectProblem(result, 400, 'invalid_request');
  const entry = problem.errors?.find((error) => error.path === path);
  expect(entry, `errors of ${result.text}`).toBeDefined();
  return entry!.message;
}

/** The snapshot version in service, from `GET /status`. */
export async function snapshotVersion(gateway: TestGateway): Promise<number> {
  const status = await gateway.admin<StatusView>('GET', '/status');
  expect(status.status).toBe(200);
  return status.json.snapshotVersion;
}

/** A chat completion through the data plane. */
export function chat(gateway: TestGateway, secret: string, model: string): Promise<HttpResult> {
  return gateway.call(
    'POST',
    '/v1/chat/completions',
    { model, messages: [{ role: 'user', content: 'ping' }] },
    secret,
  );
}

/** A random suffix for names that must be unique within one store. */
export const unique = () => Math.random().toString(36).slice(2, 10);
