import { Alert, AppShell, Badge, Burger, Button, Group, NavLink, Stack, Text, Title } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { type ReactNode, useState } from 'react';
import { errorMessage } from '../api/ApiError';
import { signOut, signOutLocally } from '../api/session';
import type { Me } from '../api/types';
import { type Page, pageHref, pageLabels } from '../lib/navigation';

interface AppLayoutProps {
  page: Page;
  /** The pages the signed-in role may open (menu entries). */
  pages: readonly Page[];
  me: Me;
  children: ReactNode;
}

/** Who is signed in, as text (names and emails are user-supplied: never rendered as HTML). */
function Identity({ me }: { me: Me }) {
  const email = me.email && me.email !== me.name ? me.email : undefined;
  return (
    <Group gap="xs" wrap="nowrap" visibleFrom="xs">
      <Stack gap={0} align="flex-end" miw={0}>
        <Text size="sm" fw={500} truncate="end" maw={260}>
          {me.name}
        </Text>
        {email ? (
          <Text size="xs" c="dimmed" truncate="end" maw={260}>
            {email}
          </Text>
        ) : null}
      </Stack>
      <Badge variant="light" size="sm">
        {me.role}
      </Badge>
      {me.kind === 'token' ? (
        <Badge variant="outline" color="gray" size="sm">
          admin token
        </Badge>
      ) : null}
    </Group>
  );
}

/** The signed-in shell: header with product name, who is signed in and Sign out; navbar with the pages. */
export function AppLayout({ page, pages, me, children }: AppLayoutProps) {
  const [opened, { toggle, close }] = useDisclosure(false);
  const [signingOut, setSigningOut] = useState(false);
  const [signOutError, setSignOutError] = useState<unknown>(null);

  const handleSignOut = async () => {
    setSigningOut(true);
    setSignOutError(null);
    try {
      await signOut(me);
    } catch (error) {
      setSignOutError(error);
      setSigningOut(false);
    }
  };

  return (
    <AppShell
      header={{ height: 56 }}
      navbar={{ width: 220, breakpoint: 'sm', collapsed: { mobile: !opened } }}
      padding="md"
    >
      <AppShell.Header>
        <Group h="100%" px="md" justify="space-between" wrap="nowrap">
          <Group gap="sm" wrap="nowrap">
            <Burger
              opened={opened}
              onClick={toggle}
              hiddenFrom="sm"
              size="sm"
              aria-label="Toggle navigation"
            />
            <Title order={3}>Junction</Title>
          </Group>
          <Group gap="sm" wrap="nowrap" miw={0}>
            <Identity me={me} />
            <Button variant="default" size="xs" onClick={handleSignOut} loading={signingOut}>
              Sign out
            </Button>
          </Group>
        </Group>
      </AppShell.Header>
      <AppShell.Navbar p="xs">
        {pages.map((name) => (
          <NavLink
            key={name}
            href={pageHref(name)}
            label={pageLabels[name]}
            active={name === page}
            onClick={close}
          />
        ))}
      </AppShell.Navbar>
      <AppShell.Main>
        {signOutError ? (
          <Alert
            color="red"
            variant="light"
            title="Could not sign out"
            mb="md"
            withCloseButton
            onClose={() => setSignOutError(null)}
          >
            <Text size="sm">The gateway did not end the session, so it stays valid until it expires.</Text>
            <Text size="sm" c="dimmed">
              {errorMessage(signOutError)}
            </Text>
            <Group gap="xs" mt="sm">
              <Button size="xs" variant="light" color="red" onClick={handleSignOut}>
                Try again
              </Button>
              <Button size="xs" variant="subtle" color="red" onClick={signOutLocally}>
                Sign out on this device only
              </Button>
            </Group>
          </Alert>
        ) : null}
        {children}
      </AppShell.Main>
    </AppShell>
  );
}
