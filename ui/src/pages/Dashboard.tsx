//! A first overview: how many partners, which database, which version.
import { Anchor, Badge, Card, Group, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import { Link } from 'react-router-dom';
import { ErrorState } from '../components/ErrorState';
import { useAppInfo } from '../queries';

export function Dashboard() {
  const info = useAppInfo();
  return (
    <Stack maw={900}>
      <Title order={2}>Dashboard</Title>
      {info.isError && <ErrorState error={info.error} />}
      {info.data && (
        <SimpleGrid cols={{ base: 1, sm: 3 }}>
          <Card withBorder>
            <Text size="sm" c="dimmed">Partners</Text>
            <Text size="xl" fw={700} data-testid="dashboard-partners">{info.data.partners}</Text>
            <Anchor component={Link} to="/partners" size="sm">Open the partner list</Anchor>
          </Card>
          <Card withBorder>
            <Text size="sm" c="dimmed">Database</Text>
            <Group gap="xs">
              <Text fw={600}>{info.data.database.backend}</Text>
              <Badge color={info.data.database.ok ? 'teal' : 'red'} variant="light">
                {info.data.database.ok ? 'open' : 'unavailable'}
              </Badge>
            </Group>
            <Text size="xs" c="dimmed" style={{ wordBreak: 'break-all' }}>{info.data.database.location}</Text>
            {!info.data.database.ok && <Anchor component={Link} to="/settings" size="sm">See the problem in Settings</Anchor>}
          </Card>
          <Card withBorder>
            <Text size="sm" c="dimmed">Signed in as</Text>
            <Text fw={600}>{info.data.user}</Text>
            <Text size="xs" c="dimmed">Partnerdesk {info.data.version}</Text>
          </Card>
        </SimpleGrid>
      )}
      <Text size="sm" c="dimmed">Charts of registrations, deposits, commission and payouts come with the reporting pages.</Text>
    </Stack>
  );
}
