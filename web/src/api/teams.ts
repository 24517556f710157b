import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { request } from './client';
import { queryKeys } from './queryKeys';
import type { CreateTeamInput, ListResponse, Team } from './types';

const base = '/admin/v1/teams';

export function useTeams() {
  return useQuery({
    queryKey: queryKeys.teams,
    queryFn: async () => (await request<ListResponse<Team>>(base)).data,
  });
}

export function useCreateTeam() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (input: CreateTeamInput) => request<Team>(base, { method: 'POST', body: input }),
    onSuccess: () => client.invalidateQueries({ queryKey: queryKeys.teams }),
  });
}
