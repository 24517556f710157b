import { useSyncExternalStore } from 'react';

// Minimal hash-based navigation (`#/providers`). Pages stay independent components so a router
// (TanStack Router) can replace this module later without touching them.

export const pages = [
  'overview',
  'providers',
  'models',
  'teams',
  'playground',
  'usage',
  'logs',
  'audit',
  'users',
  'sso',
  'tokens',
] as const;
export type Page = (typeof pages)[number];

export const pageLabels: Record<Page, string> = {
  overview: 'Overview',
  providers: 'Providers',
  models: 'Models',
  teams: 'Teams & keys',
  playground: 'Playground',
  usage: 'Usage',
  logs: 'Request logs',
  audit: 'Audit log',
  users: 'Users',
  sso: 'Single sign-on',
  tokens: 'Personal tokens',
};

/** A page is listed when the role grants any of these: what the page reads. */
export const pageNeeds: Record<Page, readonly string[]> = {
  overview: ['status.read'],
  providers: ['providers.read'],
  models: ['models.read'],
  teams: ['keys.read', 'teams.read'],
  // Anyone who may hold API keys, or verify models: the pasted key is what authorises the calls.
  playground: ['keys.read', 'models.verify'],
  usage: ['usage.read'],
  logs: ['logs.read'],
  audit: ['audit.read'],
  users: ['users.read'],
  sso: ['sso.read'],
  // Signed-in users only (App.tsx leaves it out for an admin token): what `/me/tokens` needs.
  tokens: ['status.read'],
};

/** The pages a principal with `permissions` may open, in menu order. */
export function allowedPages(permissions: readonly string[]): Page[] {
  return pages.filter((page) => pageNeeds[page].some((needed) => permissions.includes(needed)));
}

function isPage(value: string): value is Page {
  return (pages as readonly string[]).includes(value);
}

/** The hash's segments after `#/`, still encoded: `#/providers/openai-eu` gives `['providers', 'openai-eu']`. */
function hashSegments(): string[] {
  return window.location.hash
    .replace(/^#\/?/, '')
    .split('/')
    .filter((segment) => segment.length > 0);
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

function currentPage(): Page {
  const name = decodeSegment(hashSegments()[0] ?? '');
  return isPage(name) ? name : 'overview';
}

// The detail path is compared as a string (still encoded) so useSyncExternalStore sees a stable value.
function currentDetail(): string {
  return hashSegments().slice(1).join('/');
}

function subscribe(listener: () => void): () => void {
  window.addEventListener('hashchange', listener);
  return () => window.removeEventListener('hashchange', listener);
}

/** The hash of a page, or of a detail under it (`pageHref('providers', id)` gives `#/providers/<id>`). */
export function pageHref(page: Page, ...detail: string[]): string {
  return `#/${[page, ...detail].map((segment) => encodeURIComponent(segment)).join('/')}`;
}

export function usePage(): Page {
  return useSyncExternalStore(subscribe, currentPage, currentPage);
}

/**
 * The segments after the page in the hash (`#/providers/openai-eu` gives `['openai-eu']`), decoded; empty on the
 * page itself. Pages use it for their detail views.
 */
export function usePageDetail(): string[] {
  const detail = useSyncExternalStore(subscribe, currentDetail, currentDetail);
  return detail === '' ? [] : detail.split('/').map(decodeSegment);
}

/** Opens a page or one of its details. */
export function navigate(page: Page, ...detail: string[]): void {
  window.location.hash = pageHref(page, ...detail);
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
