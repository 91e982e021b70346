//! A partner's postbacks out (issue 29): the URL its own tracker gives per
//! event (registration, FTD, qualified CPA, purchase) with the macros it may
//! carry, whether amounts go out (an admin's decision), a test call with
//! sample values, and the partner's postback log (each postback's state,
//! attempts, last error and times), newest first, page by page.
import { useState } from 'react';
import { Button, Checkbox, Code, Group, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { partnerPostbackDelete, partnerPostbackSet, partnerPostbackTest, partnerPostbacksGet, partnerPostbacksLog } from '../../api';
import type { PartnerPostbackView, PostbackTestView } from '../../bindings';
import { ErrorState } from '../../components/ErrorState';
import { errorProps, formLevelError } from '../../components/fieldError';
import { usePagedSearch } from '../../components/usePagedSearch';
import { toApiError } from '../../errors';
import { notifyDone, notifyError } from '../../notify';
import { postbackKeys } from '../../queries';
import { useCan } from '../../session';
import { when } from '../../when';

export const EVENTS = [
  { value: 'registration', label: 'Registration' },
  { value: 'ftd', label: 'First deposit (FTD)' },
  { value: 'qualified_cpa', label: 'Qualified CPA' },
  { value: 'purchase', label: 'Purchase' },
];
const MACROS = '{click_id} {sub1}…{sub5} {customer_id} {event} {code} {amount} {currency}';
const STATE_COLORS: Record<string, string> = { pending: 'blue', sending: 'blue', sent: 'teal', failed: 'red' };

function TestResult({ result }: { result: PostbackTestView }) {
  const ok = result.error === null;
  return (
    <Text size="xs" c={ok ? 'teal' : 'red'} data-testid="postback-test-result">
      {ok ? `Answered ${result.status_code}` : result.error}{' '}
      <Text span size="xs" c="dimmed" ff="monospace">{result.url}</Text>
    </Text>
  );
}

function EventRow({ partnerId, event, label, current }: { partnerId: string; event: string; label: string; current: PartnerPostbackView | undefined }) {
  const client = useQueryClient();
  const canEdit = useCan('link.edit');
  const canAllowAmounts = useCan('tracking.settings');
  const [url, setUrl] = useState<string | null>(null);
  const [amounts, setAmounts] = useState<boolean | null>(null);
  const shownUrl = url ?? current?.url ?? '';
  const shownAmounts = amounts ?? current?.send_amount ?? false;
  const changed = (url !== null && url !== (current?.url ?? '')) || (amounts !== null && amounts !== (current?.send_amount ?? false));
  const refresh = () => client.invalidateQueries({ queryKey: postbackKeys.urls(partnerId) });
  const save = useMutation({
    mutationFn: () => partnerPostbackSet(partnerId, event, shownUrl.trim(), shownAmounts),
    onSuccess: () => {
      setUrl(null);
      setAmounts(null);
      notifyDone(`${label} postback URL saved`);
      return refresh();
    },
  });
  const remove = useMutation({
    mutationFn: () => partnerPostbackDelete(partnerId, event),
    onSuccess: () => {
      setUrl(null);
      setAmounts(null);
      notifyDone(`${label} postback URL removed; postbacks already queued still go out`);
      return refresh();
    },
    onError: (e) => notifyError(e, 'The URL was not removed'),
  });
  const test = useMutation({ mutationFn: () => partnerPostbackTest(partnerId, event) });
  const other = formLevelError(save.error, ['url']);
  return (
    <Table.Tr data-testid={`postback-row-${event}`}>
      <Table.Td w={150}><Text size="sm">{label}</Text></Table.Td>
      <Table.Td>
        <Stack gap={4}>
          <TextInput size="xs" ff="monospace" value={shownUrl} disabled={!canEdit} placeholder="https://tracker.example/pb?cid={click_id}"
            onChange={(e) => setUrl(e.currentTarget.value)} data-testid={`postback-url-${event}`}
            {...errorProps(save.error, `postback-${event}`, 'url')} />
          {other ? <Text size="xs" c="red" data-testid={`postback-error-${event}`}>{toApiError(other).message}</Text> : null}
          {test.data && <TestResult result={test.data} />}
          {test.isError && <Text size="xs" c="red" data-testid="postback-test-result">{toApiError(test.error).message}</Text>}
        </Stack>
      </Table.Td>
      <Table.Td w={110}>
        <Checkbox size="xs" label="Amounts" checked={shownAmounts} disabled={!canAllowAmounts || !canEdit}
          title={canAllowAmounts ? 'Fill {amount} and {currency} (the partner sees amounts)' : 'Only an admin decides whether a partner sees amounts'}
          onChange={(e) => setAmounts(e.currentTarget.checked)} data-testid={`postback-amounts-${event}`} />
      </Table.Td>
      <Table.Td w={220}>
        <Group gap={4} wrap="nowrap" justify="end">
          {canEdit && (
            <Button size="compact-xs" disabled={!changed || shownUrl.trim() === ''} loading={save.isPending} onClick={() => save.mutate()}
              data-testid={`postback-save-${event}`}>Save</Button>
          )}
          {canEdit && current && (
            <Button size="compact-xs" variant="light" loading={test.isPending} onClick={() => test.mutate()} data-testid={`postback-test-${event}`}>
              Send a test
            </Button>
          )}
          {canEdit && current && (
            <Button size="compact-xs" variant="subtle" color="red" loading={remove.isPending}
              onClick={() => { if (window.confirm(`Remove the ${label} postback URL of ${partnerId}?`)) remove.mutate(); }}
              data-testid={`postback-remove-${event}`}>Remove</Button>
          )}
        </Group>
      </Table.Td>
    </Table.Tr>
  );
}

function PostbackLog({ partnerId }: { partnerId: string }) {
  const pages = usePagedSearch([...postbackKeys.logOf(partnerId)], (offset, limit) => partnerPostbacksLog(partnerId, offset, limit));
  const { rows } = pages;
  if (pages.isError) return <ErrorState error={pages.error} title="The postback log could not be loaded" />;
  if (pages.isPending) return <Text size="sm" c="dimmed">Loading the postback log…</Text>;
  if (rows.length === 0) {
    return <Text size="sm" c="dimmed" data-testid="postback-log-empty">No postbacks yet: they are queued when this partner's customers register, deposit first, qualify or buy.</Text>;
  }
  return (
    <Stack gap={4}>
      <Table striped withTableBorder data-testid="postback-log">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Queued</Table.Th><Table.Th>Event</Table.Th><Table.Th>State</Table.Th>
            <Table.Th ta="right">Attempts</Table.Th><Table.Th>Next attempt</Table.Th><Table.Th>Last error</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {rows.map((o) => (
            <Table.Tr key={o.id} data-testid={`postback-log-row-${o.id}`}>
              <Table.Td><Text size="xs">{when(o.created_at)}</Text></Table.Td>
              <Table.Td><Text size="xs">{EVENTS.find((e) => e.value === o.event)?.label ?? o.event}</Text></Table.Td>
              <Table.Td><Text size="xs" c={STATE_COLORS[o.state] ?? 'gray'} data-testid={`postback-log-state-${o.id}`}>{o.state}</Text></Table.Td>
              <Table.Td ta="right"><Text size="xs">{o.attempts}</Text></Table.Td>
              <Table.Td><Text size="xs" c="dimmed">{o.state === 'pending' ? when(o.next_at) : '—'}</Text></Table.Td>
              <Table.Td maw={320}><Text size="xs" c="red" truncate title={o.last_error ?? ''}>{o.last_error ?? ''}</Text></Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      <Group justify="space-between">
        <Text size="xs" c="dimmed" data-testid="postback-log-count">{rows.length} of {pages.total ?? rows.length}</Text>
        {pages.hasNextPage && (
          <Button size="compact-xs" variant="default" loading={pages.isFetchingNextPage} onClick={() => void pages.fetchNextPage()}
            data-testid="postback-log-more">Older postbacks</Button>
        )}
      </Group>
    </Stack>
  );
}

export function PartnerPostbacks({ partnerId }: { partnerId: string }) {
  const urls = useQuery({ queryKey: postbackKeys.urls(partnerId), queryFn: () => partnerPostbacksGet(partnerId) });
  return (
    <Stack gap="xs" data-testid="partner-postbacks">
      <Title order={4}>Postbacks</Title>
      <Text size="xs" c="dimmed">
        The partner's own tracker is called (a GET) when its customers register, deposit first, qualify for CPA or buy;
        retried with backoff when it fails. Macros, filled and percent-encoded: <Code>{MACROS}</Code>. Amounts are in the
        partner's currency and are filled only where an admin allows it.
      </Text>
      {urls.isError ? (
        <ErrorState error={urls.error} title="The postback URLs could not be loaded" />
      ) : urls.isPending ? (
        <Text size="sm" c="dimmed">Loading postback URLs…</Text>
      ) : (
        <>
          {urls.data.length === 0 && (
            <Text size="sm" c="dimmed" data-testid="postbacks-none">No postback URLs yet: nothing is sent to this partner's tracker.</Text>
          )}
          <Table withTableBorder>
            <Table.Tbody>
              {EVENTS.map((e) => (
                <EventRow key={e.value} partnerId={partnerId} event={e.value} label={e.label} current={urls.data.find((u) => u.event === e.value)} />
              ))}
            </Table.Tbody>
          </Table>
        </>
      )}
      <Title order={5} mt="xs">Postback log</Title>
      <PostbackLog partnerId={partnerId} />
    </Stack>
  );
}
