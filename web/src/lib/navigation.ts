import { useSyncExternalStore } from 'react';

// Minimal hash-based navigation (`#/providers`). Pages stay independent components so a router
// (TanStack Router) can replace this module later without touching them.

export const pages = ['overview', 'providers', 'models', 'teams'] as const;
export type Page = (typeof pages)[number];

export const pageLabels: Record<Page, string> = {
  overview: 'Overview',
  providers: 'Providers',
  models: 'Models',
  teams: 'Teams & keys',
};

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
