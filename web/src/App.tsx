import { useQueryClient } from '@tanstack/react-query';
import { useEffect } from 'react';
import { clearToken } from './auth/token';
import { useToken } from './auth/useToken';
import { AppLayout } from './components/AppLayout';
import { type Page, usePage } from './lib/navigation';
import { ModelsPage } from './pages/models/ModelsPage';
import { OverviewPage } from './pages/OverviewPage';
import { ProvidersPage } from './pages/providers/ProvidersPage';
import { SignInPage } from './pages/SignInPage';
import { TeamsKeysPage } from './pages/teams/TeamsKeysPage';

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
  }
}

export function App() {
  const token = useToken();
  const page = usePage();
  const queryClient = useQueryClient();

  // Whenever the session ends (sign out, or a 401 from the API), drop all cached admin data.
  useEffect(() => {
    if (!token) queryClient.clear();
  }, [token, queryClient]);

  if (!token) return <SignInPage />;
  return (
    <AppLayout page={page} onSignOut={clearToken}>
      <PageContent page={page} />
    </AppLayout>
  );
}
