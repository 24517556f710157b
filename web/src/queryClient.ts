import { QueryClient } from '@tanstack/react-query';
import { ApiError } from './api/ApiError';

/** Retries only transient failures: never 4xx problems (bad token, validation, not found). */
function shouldRetry(failureCount: number, error: unknown): boolean {
  if (error instanceof ApiError && error.status >= 400 && error.status < 500) return false;
  return failureCount < 2;
}

export function createQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: { retry: shouldRetry, staleTime: 10_000, refetchOnWindowFocus: true },
      mutations: { retry: false },
    },
  });
}

/**
 * The app's one client. The API client reads the signed-in session from it (`auth/session.ts`), so it lives in a
 * module rather than only in React.
 */
export const queryClient = createQueryClient();
