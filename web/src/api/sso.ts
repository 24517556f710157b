import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { request } from './client';
import { queryKeys } from './queryKeys';
import type { SsoSettings, SsoSettingsInput } from './types';

const base = '/admin/v1/sso';

/** The single sign-on configuration (`clientSecret.set` says whether a secret is stored; never the secret). */
export function useSsoSettings() {
  return useQuery({
    queryKey: queryKeys.sso,
    queryFn: () => request<SsoSettings>(base),
  });
}

/**
 * Replaces the configuration. The variables may hold the client secret: `gcTime: 0` drops the mutation as soon
 * as nothing observes it, and the form resets it after a save.
 */
export function useSaveSso() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (input: SsoSettingsInput) => request<SsoSettings>(base, { method: 'PUT', body: input }),
    onSuccess: (saved) => {
      client.setQueryData(queryKeys.sso, saved);
      return client.invalidateQueries({ queryKey: queryKeys.authMethods });
    },
    gcTime: 0,
  });
}

/** Turns single sign-on off and removes its configuration (its users' sessions end). */
export function useRemoveSso() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: () => request<void>(base, { method: 'DELETE' }),
    onSuccess: () =>
      Promise.all([
        client.invalidateQueries({ queryKey: queryKeys.sso }),
        client.invalidateQueries({ queryKey: queryKeys.authMethods }),
      ]),
  });
}
