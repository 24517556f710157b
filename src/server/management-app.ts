/**
 * The management plane's HTTP side in `junction serve`: the admin API and the web app behind one node:http request
 * listener. It is the larger part of the process's code (the admin API's routes, their validation schemas and
 * OpenAPI document, Hono and its node:http adapter), so `startJunction` loads it only once the data plane listens.
 */
import { getRequestListener } from '@hono/node-server';
import { Hono } from 'hono';
import { type AdminDependencies, createAdminApp } from '../management/api/app.js';
import { CONTENT_SECURITY_POLICY, type WebAssets } from './web-assets.js';

export type ManagementListener = ReturnType<typeof getRequestListener>;

/** The admin API under `/admin/v1`, and the web app's files (its index for any other path without a dot). */
export function createManagementListener(
  deps: AdminDependencies & { webAssets: WebAssets },
): ManagementListener {
  const { webAssets } = deps;
  const admin = createAdminApp(deps);
  const root = new Hono();
  root.route('/', admin);
  root.get('*', (c) => serveWeb(c.req.path, webAssets) ?? c.notFound());
  return getRequestListener(root.fetch);
}

function serveWeb(path: string, assets: WebAssets): Response | undefined {
  const asset = assets.get(path) ?? (path.includes('.') ? undefined : assets.index);
  if (!asset) return undefined;
  return new Response(new Uint8Array(asset.body), {
    headers: {
      'content-type': asset.contentType,
      'cache-control': asset.immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
      'content-security-policy': CONTENT_SECURITY_POLICY,
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
      'x-frame-options': 'DENY',
    },
  });
}
