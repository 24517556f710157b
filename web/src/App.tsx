import { Button, Center, Loader, Paper } from '@mantine/core';
import { useState } from 'react';
import { useSession } from './api/session';
import type { Me } from './api/types';
import { AppLayout } from './components/AppLayout';
import { EmptyMessage } from './components/EmptyMessage';
import { ErrorAlert } from './components/ErrorAlert';
import {
  allowedPages,
  type Page,
  pageHref,
  pageLabels,
  restoreRememberedPage,
  usePage,
} from './lib/navigation';
import { AuditPage } from './pages/audit/AuditPage';
import { LogsPage } from './pages/logs/LogsPage';
import { ModelsPage } from './pages/models/ModelsPage';
import { OverviewPage } from './pages/OverviewPage';
import { PlaygroundPage } from './pages/playground/PlaygroundPage';
import { ProvidersPage } from './pages/providers/ProvidersPage';
import { SignInPage } from './pages/SignInPage';
import { SsoPage } from './pages/sso/SsoPage';
import { TeamsKeysPage } from './pages/teams/TeamsKeysPage';
import { TokensPage } from './pages/tokens/TokensPage';
import { UsagePage } from './pages/usage/UsagePage';
import { UsersPage } from './pages/users/UsersPage';

function PageContent({ page }: { page: Page }) {
  switch (page) {
    case 'overview':
      return <OverviewPage />;
    case 'providers':
      return <ProvidersPage />;
    case 'models':
      return <ModelsPage />;
    case 'teams':
      return <TeamsKeysPage />;
    case 'playground':
      return <PlaygroundPage />;
    case 'usage':
      return <UsagePage />;
    case 'logs':
      return <LogsPage />;
    case 'audit':
      return <AuditPage />;
    case 'users':
      return <UsersPage />;
    case 'sso':
      return <SsoPage />;
    case 'tokens':
      return <TokensPage />;
  }
}

function NoAccess({ allowed }: { allowed: Page[] }) {
  const first = allowed[0];
  return (
    <EmptyMessage
      title="No access to this page"
      description={
        first
          ? 'Your role does not include this page.'
          : 'Your role does not include any page of the dashboard. Ask an administrator for access.'
      }
      action={
        first ? (
          <Button component="a" href={pageHref(first)} variant="light">
            Go to {pageLabels[first]}
          </Button>
        ) : null
      }
    />
  );
}

function SignedInApp({ me }: { me: Me }) {
  // Personal tokens belong to users signed in with a session, not to admin tokens.
  const allowed = allowedPages(me.permissions).filter((page) => page !== 'tokens' || me.kind === 'user');
  // Back from single sign-on: reopen the page the person left, once, before the page is first read. Doing it
  // again (Strict Mode) finds nothing stored.
  useState(() => restoreRememberedPage(allowed));
  const page = usePage();
  return (
    <AppLayout page={page} pages={allowed} me={me}>
      {allowed.includes(page) ? <PageContent page={page} /> : <NoAccess allowed={allowed} />}
    </AppLayout>
  );
}

/**
 * Asks `GET /admin/v1/me` who is signed in (the session cookie, or the stored admin token): an answer shows the
 * dashboard, a 401 the sign-in page. A 401 from any later call signs out the same way (`api/client.ts`).
 */
export function App() {
  const session = useSession();

  if (session.data === undefined) {
    if (session.isError) {
      return (
        <Center mih="100vh" p="md">
          <Paper w="100%" maw={480}>
            <ErrorAlert error={session.error} title="Could not reach the gateway">
              <Button size="xs" variant="light" color="red" mt="sm" onClick={() => session.refetch()}>
                Retry
              </Button>
            </ErrorAlert>
          </Paper>
        </Center>
      );
    }
    return (
      <Center mih="100vh">
        <Loader aria-label="Loading" />
      </Center>
    );
  }
  if (session.data === null) return <SignInPage />;
  return <SignedInApp me={session.data} />;
}
