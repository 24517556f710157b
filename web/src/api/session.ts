import { useQuery } from '@tanstack/react-query';
import { signedIn, signedOut } from '../auth/session';
import { clearToken, setToken } from '../auth/token';
import { ApiError } from './ApiError';
import { request } from './client';
import { queryKeys } from './queryKeys';
import type { AuthMethods, Me, SignInAnswer } from './types';

const ME = '/admin/v1/me';
const SESSION = '/admin/v1/session';

/** `GET /me` with the stored admin token or the session cookie; `null` when neither signs anyone in (401). */
export async function fetchSession(): Promise<Me | null> {
  try {
    return await request<Me>(ME);
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) return null;
    throw error;
  }
}

/**
 * The signed-in principal: `undefined` while loading, `null` when signed out, else the `/me` answer (name,
 * email, role, teamId, permissions, csrfToken). The one place the rest of the app reads it from.
 */
export function useSession() {
  return useQuery({
    queryKey: queryKeys.me,
    queryFn: fetchSession,
    // Refetched when the window regains focus after a minute, so an ended session shows the sign-in page.
    staleTime: 60_000,
  });
}

/** Whether the signed-in principal's role grants `permission`. */
export function useCan(permission: string): boolean {
  const { data } = useSession();
  return data?.permissions.includes(permission) ?? false;
}

export function useAuthMethods() {
  return useQuery({
    queryKey: queryKeys.authMethods,
    queryFn: () => request<AuthMethods>('/admin/v1/auth/methods', { anonymous: true }),
    staleTime: 60_000,
  });
}

/**
 * Password sign-in: `POST /session` sets the HttpOnly session cookie and answers the CSRF token; `GET /me` (cookie
 * only) then gives the permissions.
 */
export async function signInWithPassword(email: string, password: string): Promise<Me> {
  const answer = await request<SignInAnswer>(SESSION, {
    method: 'POST',
    body: { email, password },
    anonymous: true,
  });
  // The cookie session is the credential from now on; a leftover admin token would take precedence.
  clearToken();
  const me = await request<Me>(ME, { anonymous: true });
  const session: Me = { ...me, csrfToken: me.csrfToken ?? answer.csrfToken };
  signedIn(session);
  return session;
}

/** Admin-token sign-in: validates the token with `GET /me`, then keeps it in sessionStorage. */
export async function signInWithToken(token: string): Promise<Me> {
  const me = await request<Me>(ME, { token });
  setToken(token);
  signedIn(me);
  return me;
}

/**
 * Signs out. A browser session is ended on the server first (`DELETE /session`, which the client sends with
 * the CSRF token); if that fails for another reason than an already-ended session, the error is thrown and the
 * person stays signed in (see `signOutLocally`). An admin token is simply forgotten.
 */
export async function signOut(me: Me): Promise<void> {
  if (me.kind === 'user') {
    try {
      await request<void>(SESSION, { method: 'DELETE' });
    } catch (error) {
      if (!(error instanceof ApiError && error.status === 401)) throw error;
    }
  }
  signedOut();
}

/** Forgets the session on this device only (when the server could not be reached to end it). */
export const signOutLocally = signedOut;

/**
 * Where the single sign-on button goes: the server's login URL with `next` set to the current path and query,
 * so the callback brings the person back here. Only http(s) URLs are followed.
 */
export function ssoLoginHref(loginUrl: string): string | null {
  let url: URL;
  try {
    url = new URL(loginUrl, window.location.origin);
  } catch {
    return null;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return null;
  url.searchParams.set('next', `${window.location.pathname}${window.location.search}`);
  return url.origin === window.location.origin ? `${url.pathname}${url.search}` : url.href;
}
