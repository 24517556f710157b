import { useSyncExternalStore } from 'react';

// Minimal hash-based navigation (`#/providers`). Pages stay independent components so a router
// (TanStack Router) can replace this module later without touching them.

export const pages = ['overview', 'providers', 'models', 'teams', 'users', 'sso'] as const;
export type Page = (typeof pages)[number];

export const pageLabels: Record<Page, string> = {
  overview: 'Overview',
  providers: 'Providers',
  models: 'Models',
  teams: 'Teams & keys',
  users: 'Users',
  sso: 'Single sign-on',
};

/** A page is listed when the role grants any of these: what the page reads. */
export const pageNeeds: Record<Page, readonly string[]> = {
  overview: ['status.read'],
  providers: ['providers.read'],
  models: ['models.read'],
  teams: ['keys.read', 'teams.read'],
  users: ['users.read'],
  sso: ['sso.read'],
};

/** The pages a principal with `permissions` may open, in menu order. */
export function allowedPages(permissions: readonly string[]): Page[] {
  return pages.filter((page) => pageNeeds[page].some((needed) => permissions.includes(needed)));
}

function isPage(value: string): value is Page {
  return (pages as readonly string[]).includes(value);
}

function currentPage(): Page {
  const name = window.location.hash.replace(/^#\/?/, '');
  return isPage(name) ? name : 'overview';
}

function subscribe(listener: () => void): () => void {
  window.addEventListener('hashchange', listener);
  return () => window.removeEventListener('hashchange', listener);
}

export function pageHref(page: Page): string {
  return `#/${page}`;
}

export function usePage(): Page {
  return useSyncExternalStore(subscribe, currentPage, currentPage);
}

// Single sign-on leaves the app for the identity provider and comes back to `/` (the server only keeps a path as
// `next`, never the hash), so the page the person was on is remembered in sessionStorage for that round trip.
const RETURN_PAGE_KEY = 'junction.returnPage';

/** The page whose hash is exactly `hash` (`#/providers`), if any. */
function pageOfHash(hash: string): Page | undefined {
  return pages.find((page) => pageHref(page) === hash);
}

/** Before leaving for single sign-on: remembers the current page hash (only a known one; otherwise none). */
export function rememberPageForSignIn(): void {
  try {
    const hash = window.location.hash;
    if (pageOfHash(hash)) window.sessionStorage.setItem(RETURN_PAGE_KEY, hash);
    else window.sessionStorage.removeItem(RETURN_PAGE_KEY);
  } catch {
    // Storage unavailable: the person lands on the overview.
  }
}

/**
 * Once signed in: takes the remembered page hash (the key is always cleared) and, when the app opened on `/` with
 * no hash, goes back to that page if it is a known page the role may open. Replaces the history entry, so Back
 * does not return to the bare `/`; called before the page is first read, so no `hashchange` is needed.
 */
export function restoreRememberedPage(allowed: readonly Page[]): void {
  let stored: string | null;
  try {
    stored = window.sessionStorage.getItem(RETURN_PAGE_KEY);
    if (stored === null) return;
    window.sessionStorage.removeItem(RETURN_PAGE_KEY);
  } catch {
    return;
  }
  const { pathname, search, hash } = window.location;
  if (pathname !== '/' || (hash !== '' && hash !== '#')) return;
  const page = pageOfHash(stored);
  if (!page || !allowed.includes(page)) return;
  window.history.replaceState(window.history.state, '', `${pathname}${search}${pageHref(page)}`);
}
