import { useSyncExternalStore } from 'react';
import { getToken, subscribeToken } from './token';

/** The current admin token, or null when signed out. Re-renders on sign-in/sign-out. */
export function useToken(): string | null {
  return useSyncExternalStore(subscribeToken, getToken, getToken);
}
