import { AppShell, Badge, Burger, Button, Group, NavLink, Text, Title } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import type { ReactNode } from 'react';
import { useMe } from '../api/system';
import { type Page, pageHref, pageLabels, pages } from '../lib/navigation';

interface AppLayoutProps {
  page: Page;
  onSignOut: () => void;
  children: ReactNode;
}

/** The signed-in shell: header with product name and Sign out, navbar with the pages. */
export function AppLayout({ page, onSignOut, children }: AppLayoutProps) {
  const [opened, { toggle, close }] = useDisclosure(false);
  const me = useMe();

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
          <Group gap="sm" wrap="nowrap">
            {me.data ? (
              <Group gap={6} wrap="nowrap" visibleFrom="xs">
                <Text size="sm">{me.data.name}</Text>
                <Badge variant="light" size="sm">
                  {me.data.role}
                </Badge>
              </Group>
            ) : null}
            <Button variant="default" size="xs" onClick={onSignOut}>
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
      <AppShell.Main>{children}</AppShell.Main>
    </AppShell>
  );
}
