import type { ProviderEntry } from '../../api/providers';

// Filtering and sorting of the providers list, kept apart from the JSX.

export type SortKey =
  | 'id'
  | 'displayName'
  | 'type'
  | 'region'
  | 'environments'
  | 'status'
  | 'lastVerifiedAt'
  | 'latencyMs';

export interface SortState {
  key: SortKey;
  direction: 'asc' | 'desc';
}

export type StatusFilter = 'all' | 'healthy' | 'unhealthy' | 'unverified' | 'deferred' | 'disabled';

/** Entries whose text fields contain `text` (any case) and whose status matches. */
export function filterProviders(
  providers: readonly ProviderEntry[],
  text: string,
  status: StatusFilter,
  typeLabel: (type: string) => string,
): ProviderEntry[] {
  const needle = text.trim().toLowerCase();
  return providers.filter((provider) => {
    if (status === 'disabled' && provider.enabled) return false;
    if (status !== 'all' && status !== 'disabled' && provider.health.status !== status) return false;
    if (!needle) return true;
    return [
      provider.id,
      provider.displayName,
      provider.type,
      typeLabel(provider.type),
      provider.region ?? '',
      ...provider.environments,
    ].some((value) => value.toLowerCase().includes(needle));
  });
}

/** Unhealthy first when sorting by status ascending: what needs attention comes up. */
const statusOrder: Record<string, number> = { unhealthy: 0, unverified: 1, deferred: 2, healthy: 3 };

function sortValue(
  provider: ProviderEntry,
  key: SortKey,
  typeLabel: (type: string) => string,
): string | number | null {
  switch (key) {
    case 'id':
      return provider.id;
    case 'displayName':
      return provider.displayName.toLowerCase();
    case 'type':
      return typeLabel(provider.type).toLowerCase();
    case 'region':
      return provider.region;
    case 'environments':
      return provider.environments.join(',');
    case 'status':
      return (statusOrder[provider.health.status] ?? 9) + (provider.enabled ? 0 : 10);
    case 'lastVerifiedAt':
      return provider.health.lastVerifiedAt ? Date.parse(provider.health.lastVerifiedAt) : null;
    case 'latencyMs':
      return provider.health.latencyMs;
  }
}

/** Sorted by one column; missing values (no region, never verified) always last; ties by identifier. */
export function sortProviders(
  providers: readonly ProviderEntry[],
  sort: SortState,
  typeLabel: (type: string) => string,
): ProviderEntry[] {
  const factor = sort.direction === 'asc' ? 1 : -1;
  return [...providers].sort((a, b) => {
    const left = sortValue(a, sort.key, typeLabel);
    const right = sortValue(b, sort.key, typeLabel);
    if (left === null && right !== null) return 1;
    if (right === null && left !== null) return -1;
    if (left !== null && right !== null && left !== right) {
      const order =
        typeof left === 'number' && typeof right === 'number'
          ? left - right
          : String(left).localeCompare(String(right));
      if (order !== 0) return order * factor;
    }
    return a.id.localeCompare(b.id);
  });
}
