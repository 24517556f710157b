import { useQuery } from '@tanstack/react-query';
import { request } from '../../api/client';
import { useCan } from '../../api/session';
import type { ApiKey, ListResponse, Model, Provider, Team } from '../../api/types';

// Names for the identifiers the usage records hold (key, team, model, provider entry), for filter lists and
// tables. Each list is read only when the role may read it; without it, the pages show identifiers and free-text
// filters. Kept under their own query keys so they never mix with the other pages' caches.

export interface Option {
  value: string;
  label: string;
}

function useList<T>(name: string, path: string, permission: string) {
  const allowed = useCan(permission);
  return useQuery({
    queryKey: ['usage', 'names', name] as const,
    queryFn: async () => (await request<ListResponse<T>>(path)).data,
    enabled: allowed,
    staleTime: 60_000,
  });
}

export interface NameLists {
  keys: Option[] | undefined;
  teams: Option[] | undefined;
  models: Option[] | undefined;
  providers: Option[] | undefined;
}

/** The option lists the role can read (undefined for the others, or while loading or on error). */
export function useNameLists(): NameLists {
  const keys = useList<ApiKey>('keys', '/admin/v1/keys', 'keys.read');
  const teams = useList<Team>('teams', '/admin/v1/teams', 'teams.read');
  const models = useList<Model>('models', '/admin/v1/models', 'models.read');
  const providers = useList<Provider>('providers', '/admin/v1/providers', 'providers.read');
  return {
    keys: keys.data?.map((key) => ({ value: key.id, label: `${key.name} (${key.prefix}…)` })),
    teams: teams.data?.map((team) => ({ value: team.id, label: team.name })),
    models: models.data?.map((model) => ({ value: model.id, label: model.id })),
    providers: providers.data?.map((provider) => ({
      value: provider.id,
      label: provider.displayName === provider.id ? provider.id : `${provider.displayName} (${provider.id})`,
    })),
  };
}

/** The label of `id` in `options`, else the id itself; an em dash for none. */
export function nameOf(options: Option[] | undefined, id: string | null | undefined): string {
  if (id === null || id === undefined) return '—';
  return options?.find((option) => option.value === id)?.label ?? id;
}
