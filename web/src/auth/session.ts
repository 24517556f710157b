// Who is signed in. The answer of `GET /admin/v1/me` is kept in exactly one place: the TanStack query
// `queryKeys.me` (a `Me`, or `null` when signed out). React reads it with `useSession()`; the API client reads the
// CSRF token from it here. Nothing of a browser session is stored by the app: its secret is an HttpOnly cookie
// the page never sees, and the CSRF token lives in that in-memory query only (it comes back from `/me` after a
// reload). Admin-token mode keeps the token in sessionStorage (`token.ts`) as before.

import { queryKeys } from '../api/queryKeys';
import type { Me } from '../api/types';
import { queryClient } from '../queryClient';
import { clearToken } from './token';

// Bumped at every sign-in and sign-out, so a 401 from a request started under an earlier session cannot sign
// out the session that replaced it.
let generation = 0;

export function sessionGeneration(): number {
  return generation;
}

/** The cached `/me` answer: `undefined` while still unknown, `null` when signed out. */
export function currentSession(): Me | null | undefined {
  return queryClient.getQueryData<Me | null>(queryKeys.me);
}

/** The CSRF token of the current browser session, if signed in with one (never for admin tokens). */
export function csrfToken(): string | undefined {
  const me = currentSession();
  return me?.kind === 'user' ? me.csrfToken : undefined;
}

/** Drops every cached admin answer and mutation result (key secrets included), keeping only `/me`. */
function dropAdminData(): void {
  queryClient.removeQueries({ predicate: (query) => query.queryKey[0] !== queryKeys.me[0] });
  queryClient.getMutationCache().clear();
}

/** Records a successful sign-in (password, SSO return or admin token). */
export function signedIn(me: Me): void {
  generation += 1;
  dropAdminData();
  queryClient.setQueryData<Me | null>(queryKeys.me, me);
}

/**
 * Signs out on this device: forgets the admin token, all cached data and the session, which shows the sign-in
 * page. Ending a browser session on the server is `signOut()` in `api/session.ts`; this is also what a 401 does.
 */
export function signedOut(): void {
  generation += 1;
  clearToken();
  dropAdminData();
  queryClient.setQueryData<Me | null>(queryKeys.me, null);
}
