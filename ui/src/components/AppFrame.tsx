//! The window's frame: the header (which database, which user) and the left
//! navigation around the current page.
import { MailSender } from '../pages/communication/MailSender';
import type { ReactNode } from 'react';
import { AppShell, Badge, Button, Group, NavLink, Text, Tooltip } from '@mantine/core';
import { Link, useLocation } from 'react-router-dom';
import { NAV, type NavEntry } from '../nav';
import { useAppInfo } from '../queries';
import { useSession } from '../session';

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
    </Group>
  );
}

/** Who is signed in, with which roles, and the way out. */
function SessionBadge() {
  const { session, error, signOut, signingOut } = useSession();
  if (!session) {
    return error ? (
      <Tooltip label={error.message} multiline w={360}>
        <Badge color="gray" variant="outline" data-testid="header-user">not signed in</Badge>
      </Tooltip>
    ) : null;
  }
  return (
    <Group gap="xs" wrap="nowrap">
      <Text size="sm" fw={500} data-testid="header-user">
        {session.display_name && session.display_name !== session.user ? `${session.display_name} (${session.user})` : session.user}
      </Text>
      {session.single_user ? (
        <Tooltip label="No users are set up: you act as the local user with every role. Add users under Compliance → Users." multiline w={320}>
          <Text size="sm" c="dimmed" fs="italic" data-testid="header-single-user">single-user mode</Text>
        </Tooltip>
      ) : (
        <>
          <Text size="xs" c="dimmed" data-testid="header-roles" title="Your roles">
            {session.roles.map((r) => r.replace('_', ' ')).join(' · ')}
          </Text>
          <Button size="xs" variant="default" onClick={signOut} loading={signingOut} data-testid="signout">Sign out</Button>
        </>
      )}
    </Group>
  );
}

export function AppFrame({ children }: { children: ReactNode }) {
  const { pathname } = useLocation();
  const { can } = useSession();
  return (
    <AppShell header={{ height: 52 }} navbar={{ width: 210, breakpoint: 0 }} padding="md">
      <MailSender />
      <AppShell.Header>
        <Group h="100%" px="md" justify="space-between" wrap="nowrap">
          <Text fw={700} size="lg">Partnerdesk</Text>
          <Group gap="lg" wrap="nowrap">
            <DatabaseBadge />
            <SessionBadge />
          </Group>
        </Group>
      </AppShell.Header>
      <AppShell.Navbar p="xs">
        {NAV.filter((n) => !n.requires || can(n.requires)).map((n) => (
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
