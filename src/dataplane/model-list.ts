/** The `GET /v1/models` body a key sees. */
import type { CompiledKey, GatewaySnapshot } from '../core/snapshot/snapshot.js';

const EMPTY_LIST = '{"object":"list","data":[]}';
const listsBySnapshot = new WeakMap<GatewaySnapshot, Map<string, string>>();

/**
 * The `GET /v1/models` body for a key: the environment's precomputed list when no model there has an audience,
 * otherwise that list plus the restricted models the key may call, computed once per key and snapshot.
 */
export function modelListFor(snapshot: GatewaySnapshot, key: CompiledKey): string {
  const open = snapshot.modelListJsonByEnvironment.get(key.environment) ?? EMPTY_LIST;
  const restricted = snapshot.restrictedModelsByEnvironment.get(key.environment);
  if (!restricted || restricted.length === 0) return open;
  let cache = listsBySnapshot.get(snapshot);
  if (!cache) {
    cache = new Map();
    listsBySnapshot.set(snapshot, cache);
  }
  const cached = cache.get(key.id);
  if (cached !== undefined) return cached;
  const data = (JSON.parse(open) as { data: Array<{ id: string }> }).data;
  for (const { listed, audience } of restricted) {
    if (audience.teams.has(key.teamId) || audience.keys.has(key.id)) data.push(listed);
  }
  data.sort((a, b) => a.id.localeCompare(b.id));
  const json = JSON.stringify({ object: 'list', data });
  cache.set(key.id, json);
  return json;
}
