import { useQuery } from '@tanstack/react-query';
import { request } from './client';
import { queryKeys } from './queryKeys';
import type { Me, Status } from './types';

export function fetchMe(token?: string): Promise<Me> {
  return request<Me>('/admin/v1/me', { token });
}

export function useMe() {
  return useQuery({ queryKey: queryKeys.me, queryFn: () => fetchMe() });
}

export function useStatus() {
  return useQuery({
    queryKey: queryKeys.status,
    queryFn: () => request<Status>('/admin/v1/status'),
  });
}
