//! Which database is in use, why it is not open when it is not, and the
//! switch between the embedded database and a shared PostgreSQL server.
import { useState } from 'react';
import { Alert, Badge, Button, Group, PasswordInput, Stack, Table, Text, Title } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { settingsSetDatabase } from '../../api';
import type { DatabaseInfo } from '../../bindings';
import { errorProps, formLevelError } from '../../components/fieldError';
import { ErrorState } from '../../components/ErrorState';
import { ProgressBar } from '../../components/ProgressBar';
import { toApiError } from '../../errors';
import { notifyDone } from '../../notify';
import { useAppInfo } from '../../queries';

function CurrentDatabase({ db }: { db: DatabaseInfo }) {
  return (
    <Stack gap="xs">
      <Table withTableBorder variant="vertical" layout="fixed">
        <Table.Tbody>
          <Table.Tr>
            <Table.Th w={140}>Backend</Table.Th>
            <Table.Td data-testid="db-backend">{db.backend}</Table.Td>
          </Table.Tr>
          <Table.Tr>
            <Table.Th>Location</Table.Th>
            <Table.Td data-testid="db-location" style={{ wordBreak: 'break-all' }}>{db.location}</Table.Td>
          </Table.Tr>
          <Table.Tr>
            <Table.Th>State</Table.Th>
            <Table.Td><Badge color={db.ok ? 'teal' : 'red'} variant="light" data-testid="db-ok">{db.ok ? 'open' : 'not open'}</Badge></Table.Td>
          </Table.Tr>
        </Table.Tbody>
      </Table>
      {!db.ok && (
        <Alert color="red" title="The database is not open" data-testid="db-error">
          <Text size="sm" style={{ whiteSpace: 'pre-wrap' }}>{db.error ?? 'No reason was given.'}</Text>
          <Text size="sm" mt="xs">Partners and everything else stay unavailable until a database opens. Fix the server or choose another one below.</Text>
        </Alert>
      )}
    </Stack>
  );
}

function SwitchDatabase() {
  const client = useQueryClient();
  const [url, setUrl] = useState('');
  const change = useMutation({
    mutationFn: (url: string) => settingsSetDatabase(url),
    onSuccess: async (db) => {
      if (db.ok) {
        setUrl('');
        notifyDone(`Now using ${db.backend}: ${db.location}`);
      }
      // Everything cached came from the previous database.
      await client.resetQueries();
    },
  });
  const other = formLevelError(change.error, ['url']);
  return (
    <Stack gap="xs">
      <Title order={4}>Switch database</Title>
      <PasswordInput
        label="PostgreSQL URL"
        placeholder="postgres://user:password@host:5432/partnerdesk"
        description="The password is not written to the settings file: Partnerdesk keeps it in the operating system's keyring."
        value={url}
        onChange={(e) => setUrl(e.currentTarget.value)}
        data-testid="db-url"
        {...errorProps(change.error, 'db', 'url')}
      />
      {other ? <Alert color="red" data-testid="db-switch-error">{toApiError(other).message}</Alert> : null}
      {change.data && !change.data.ok && (
        <Alert color="red" data-testid="db-switch-error">{change.data.error ?? 'The database could not be opened.'}</Alert>
      )}
      <ProgressBar task="database" />
      <Group>
        <Button onClick={() => change.mutate(url.trim())} disabled={!url.trim()} loading={change.isPending} data-testid="db-connect">
          Use this PostgreSQL database
        </Button>
        <Button variant="default" onClick={() => change.mutate('default')} loading={change.isPending} data-testid="db-use-default">
          Use the embedded database (default)
        </Button>
      </Group>
    </Stack>
  );
}

export function DatabaseSection() {
  const info = useAppInfo();
  return (
    <Stack gap="sm">
      <Title order={3}>Database</Title>
      {info.isPending && <Text c="dimmed">Asking the core…</Text>}
      {info.isError && <ErrorState error={info.error} />}
      {info.data && <CurrentDatabase db={info.data.database} />}
      <SwitchDatabase />
    </Stack>
  );
}
