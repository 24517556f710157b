import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { request } from './client';
import { queryKeys } from './queryKeys';
import type { CreateUserInput, ListResponse, UpdateUserInput, User } from './types';

const base = '/admin/v1/users';

export function useUsers() {
  return useQuery({
    queryKey: queryKeys.users,
    queryFn: async () => (await request<ListResponse<User>>(base)).data,
  });
}

function useInvalidateUsers() {
  const client = useQueryClient();
  return () => client.invalidateQueries({ queryKey: queryKeys.users });
}

/**
 * Creates a local user. The variables hold the password: `gcTime: 0` drops the mutation as soon as nothing
 * observes it, and callers `reset()` it once done.
 */
export function useCreateUser() {
  const invalidate = useInvalidateUsers();
  return useMutation({
    mutationFn: (input: CreateUserInput) => request<User>(base, { method: 'POST', body: input }),
    onSuccess: invalidate,
    gcTime: 0,
  });
}

/** Changes a user (name, role and team, password, disabled). A password reset is dropped like a creation. */
export function useUpdateUser() {
  const invalidate = useInvalidateUsers();
  return useMutation({
    mutationFn: ({ id, patch }: { id: string; patch: UpdateUserInput }) =>
      request<User>(`${base}/${encodeURIComponent(id)}`, { method: 'PATCH', body: patch }),
    onSuccess: invalidate,
    gcTime: 0,
  });
}

export function useDeleteUser() {
  const invalidate = useInvalidateUsers();
  return useMutation({
    mutationFn: (id: string) => request<void>(`${base}/${encodeURIComponent(id)}`, { method: 'DELETE' }),
    onSuccess: invalidate,
  });
}
