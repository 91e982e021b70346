//! The window's frame: the header (which database, which user) and the left
//! navigation around the current page.
import type { ReactNode } from 'react';
import { AppShell, Badge, Group, NavLink, Text, Tooltip } from '@mantine/core';
import { Link, useLocation } from 'react-router-dom';
import { NAV, type NavEntry } from '../nav';
import { useAppInfo } from '../queries';

function isActive(entry: NavEntry, current: string): boolean {
  if (entry.path === '/') return current === '/';
  return [entry.path, ...(entry.also ?? [])].some((p) => current === p || current.startsWith(p + '/'));
}

function DatabaseBadge() {
  const info = useAppInfo();
  if (info.isPending) return <Text size="sm" c="dimmed">Opening database…</Text>;
  if (info.isError) {
    return (
      <Tooltip label={info.error.message} multiline w={360}>
        <Badge color="red" variant="light" data-testid="header-database">
          {info.error.code === 'not_in_desktop' ? 'Browser preview — no desktop app' : 'No database'}
        </Badge>
      </Tooltip>
    );
  }
  const db = info.data.database;
  return (
    <Group gap="xs" wrap="nowrap" data-testid="header-database">
      <Badge color={db.ok ? 'teal' : 'red'} variant="light">{db.backend}{db.ok ? '' : ' — unavailable'}</Badge>
      <Text size="sm" c="dimmed" truncate maw={420} title={db.location}>{db.location}</Text>
      <Text size="sm" data-testid="header-user">{info.data.user}</Text>
    </Group>
  );
}

export function AppFrame({ children }: { children: ReactNode }) {
  const { pathname } = useLocation();
  return (
    <AppShell header={{ height: 52 }} navbar={{ width: 210, breakpoint: 0 }} padding="md">
      <AppShell.Header>
        <Group h="100%" px="md" justify="space-between" wrap="nowrap">
          <Text fw={700} size="lg">Partnerdesk</Text>
          <DatabaseBadge />
        </Group>
      </AppShell.Header>
      <AppShell.Navbar p="xs">
        {NAV.map((n) => (
          <NavLink
            key={n.key}
            component={Link}
            to={n.path}
            label={n.label}
            active={isActive(n, pathname)}
            c={n.planned ? 'dimmed' : undefined}
            data-testid={`nav-${n.key}`}
          />
        ))}
      </AppShell.Navbar>
      <AppShell.Main>{children}</AppShell.Main>
    </AppShell>
  );
}
