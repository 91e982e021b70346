//! What a connection's syncs could not take, and what they could not place:
//! the records waiting in the retry list with their reason (a "retry"
//! tries them again now), the country texts that named no country (those
//! customers were kept with an unknown country; add aliases in the settings
//! to map them), and a run's report.
import { Alert, Badge, Button, Group, Stack, Table, Text } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { syncPending, syncRetry, syncUnmappedCountries } from '../../api';
import type { RunReport } from '../../bindings';
import { ErrorState } from '../../components/ErrorState';
import { toApiError } from '../../errors';
import { notifyDone } from '../../notify';

export function Waiting({ name, canRun }: { name: string; canRun: boolean }) {
  const client = useQueryClient();
  const pending = useQuery({ queryKey: ['connections', name, 'pending'], queryFn: () => syncPending(name, 500) });
  const retry = useMutation({
    mutationFn: () => syncRetry(name),
    onSuccess: (o) => {
      notifyDone(`${o.stored} stored, ${o.waiting} still waiting`);
      return client.invalidateQueries({ queryKey: ['connections'] });
    },
  });
  if (pending.isError) return <ErrorState error={pending.error} title="The waiting records could not be loaded" />;
  if (!pending.data) return null;
  return (
    <Stack gap={4} data-testid={`waiting-${name}`}>
      <Group justify="space-between">
        <Text size="sm" fw={500}>Waiting records ({pending.data.length})</Text>
        {canRun && pending.data.length > 0 && (
          <Button size="compact-xs" loading={retry.isPending} onClick={() => retry.mutate()} data-testid={`retry-${name}`}>Retry</Button>
        )}
      </Group>
      {pending.data.length === 0
        ? <Text size="sm" c="dimmed">Nothing waits: every record the platform sent is stored.</Text>
        : (
          <Table withTableBorder data-testid={`waiting-list-${name}`}>
            <Table.Thead>
              <Table.Tr><Table.Th>Stream</Table.Th><Table.Th>Record</Table.Th><Table.Th>Reason</Table.Th><Table.Th>Tries</Table.Th><Table.Th>Since</Table.Th></Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {pending.data.map((p) => (
                <Table.Tr key={`${p.stream}/${p.record_key}`}>
                  <Table.Td>{p.stream}</Table.Td><Table.Td>{p.label}</Table.Td><Table.Td>{p.reason}</Table.Td>
                  <Table.Td>{p.attempts}</Table.Td><Table.Td>{p.first_seen.slice(0, 19).replace('T', ' ')}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        )}
      {retry.data && <Text size="sm" data-testid={`retry-result-${name}`}>{retry.data.stored} stored, {retry.data.waiting} still waiting</Text>}
      {retry.error ? <Alert color="red" data-testid={`retry-error-${name}`}>{toApiError(retry.error).message}</Alert> : null}
    </Stack>
  );
}

export function UnmappedCountries({ name }: { name: string }) {
  const list = useQuery({ queryKey: ['connections', name, 'unmapped'], queryFn: () => syncUnmappedCountries(name) });
  if (list.isError) return <ErrorState error={list.error} title="The unmapped countries could not be loaded" />;
  if (!list.data) return null;
  return (
    <Stack gap={4} data-testid={`unmapped-${name}`}>
      <Text size="sm" fw={500}>Countries not recognised ({list.data.length})</Text>
      {list.data.length === 0
        ? <Text size="sm" c="dimmed">Every country text named a country.</Text>
        : (
          <>
            <Text size="xs" c="dimmed">
              These customers are kept with an unknown country (no geo rule applies to them, and their CPA is the plan&apos;s amount).
              Map a text to a country with &quot;country_aliases&quot; in the settings, e.g. {'{"Atlantis": "GR"}'}.
            </Text>
            <Table withTableBorder data-testid={`unmapped-list-${name}`}>
              <Table.Thead><Table.Tr><Table.Th>Text</Table.Th><Table.Th>Customers</Table.Th></Table.Tr></Table.Thead>
              <Table.Tbody>
                {list.data.map((u) => <Table.Tr key={u.text}><Table.Td>{u.text}</Table.Td><Table.Td>{u.customers}</Table.Td></Table.Tr>)}
              </Table.Tbody>
            </Table>
          </>
        )}
    </Stack>
  );
}

/** A run's report in one cell: unmapped texts and notes. */
export function ReportCell({ report }: { report: RunReport | null }) {
  if (!report) return null;
  const unmapped = report.unmapped_countries;
  return (
    <Stack gap={2}>
      {unmapped.length > 0 && (
        <Text size="xs" component="div">
          <Badge size="xs" color="yellow" mr={4}>countries</Badge>
          {unmapped.map((u) => `${u.text} (${u.count})`).join(', ')}
        </Text>
      )}
      {report.notes.filter((n) => n.count > 0).map((n) => <Text size="xs" key={n.text}>{n.text}: {n.count}</Text>)}
    </Stack>
  );
}
