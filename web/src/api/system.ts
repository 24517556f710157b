import { useQuery } from '@tanstack/react-query';
import { request } from './client';
import { queryKeys } from './queryKeys';
import type { Status } from './types';

// `GET /me` and the signed-in state live in `./session.ts`.

export function useStatus() {
  return useQuery({
    queryKey: queryKeys.status,
    queryFn: () => request<Status>('/admin/v1/status'),
  });
}
