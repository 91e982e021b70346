//! The outbox: every message with its state, filters with counts, search,
//! server-side pages in a virtualised grid (like the customer list), a
//! message's detail with Retry / Cancel, and "Send now" with a progress bar.
import { useCallback, useEffect, useState } from 'react';
import { Alert, Badge, Box, Button, Chip, Group, Modal, Stack, Text, TextInput } from '@mantine/core';
import { createColumnHelper } from '@tanstack/react-table';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { mailOutboxCancel, mailOutboxList, mailOutboxMessage, mailOutboxRetry, mailSendDue } from '../../api';
import type { OutboxPage, OutboxRow, OutboxStatus } from '../../bindings';
import { ProgressBar } from '../../components/ProgressBar';
import { ErrorState } from '../../components/ErrorState';
import { usePagedSearch } from '../../components/usePagedSearch';
import { VirtualGrid } from '../../components/VirtualGrid';
import { toApiError } from '../../errors';
import { notifyDone } from '../../notify';
import { useSession } from '../../session';
import { when } from '../../when';
import { mailKeys, queuedSomething, STATUS_COLOR } from './mailQueries';

const STATUSES = ['queued', 'sending', 'sent', 'failed', 'cancelled'] as const satisfies readonly OutboxStatus[];

function StatusBadge({ status }: { status: OutboxStatus }) {
  return <Badge color={STATUS_COLOR[status] ?? 'gray'} variant="light" data-testid={`status-${status}`}>{status}</Badge>;
}

const col = createColumnHelper<OutboxRow>();
const columns = [
  col.accessor('status', { header: 'Status', size: 100, cell: (c) => <StatusBadge status={c.getValue()} /> }),
  col.accessor('to_address', {
    header: 'To',
    size: 220,
    cell: (c) => (c.row.original.partner_name ? `${c.row.original.partner_name} <${c.getValue()}>` : c.getValue()),
  }),
  col.accessor('subject', {
    header: 'Subject',
    size: 300,
    cell: (c) => (
      <span title={c.row.original.last_error ?? undefined}>
        {c.getValue()}{c.row.original.attachment_name ? ' 📎' : ''}
        {c.row.original.last_error ? <Text span size="xs" c="red"> — {c.row.original.last_error}</Text> : null}
      </span>
    ),
  }),
  col.accessor('created_at', { header: 'Queued', size: 150, cell: (c) => when(c.getValue()) }),
  col.accessor('attempts', { header: 'Attempts', size: 70 }),
];

function MessageDialog({ id, onClose }: { id: number; onClose: () => void }) {
  const client = useQueryClient();
  const { can } = useSession();
  const q = useQuery({ queryKey: ['mail', 'message', id], queryFn: () => mailOutboxMessage(id) });
  const act = useMutation({
    mutationFn: (what: 'retry' | 'cancel') => (what === 'retry' ? mailOutboxRetry(id) : mailOutboxCancel(id)),
    onSuccess: async (r) => {
      notifyDone(r.status === 'queued' ? 'The message is queued again' : 'The message will not be sent');
      await client.invalidateQueries({ queryKey: mailKeys.all });
      if (r.status === 'queued') queuedSomething();
      onClose();
    },
  });
  const m = q.data?.row;
  return (
    <Modal opened onClose={onClose} title={m ? m.subject : 'Message'} size="lg" data-testid="message-dialog">
      {q.isError && <ErrorState error={q.error} title="The message could not be loaded" />}
      {m && q.data && (
        <Stack gap="xs">
          <Group gap="xs"><StatusBadge status={m.status} /><Text size="sm">to {m.to_address}{m.partner_name ? ` (${m.partner_name})` : ''}</Text></Group>
          <Text size="sm" c="dimmed">
            Queued {when(m.created_at)} by {m.created_by}; attempts {m.attempts}
            {m.sent_at ? `; sent ${when(m.sent_at)}` : ''}
            {m.next_attempt_at && m.status === 'queued' ? `; next attempt ${when(m.next_attempt_at)}` : ''}
          </Text>
          {m.attachment_name && <Text size="sm" data-testid="message-attachment">Attachment: {m.attachment_name}</Text>}
          {m.last_error && <Alert color={m.status === 'failed' ? 'red' : 'yellow'} data-testid="message-error">{m.last_error}</Alert>}
          <Text component="pre" size="sm" style={{ whiteSpace: 'pre-wrap', fontFamily: 'inherit' }} data-testid="message-body">{q.data.body}</Text>
          {act.error ? <Alert color="red">{toApiError(act.error).message}</Alert> : null}
          {can('mail.send') && (
            <Group justify="flex-end">
              {(m.status === 'failed' || m.status === 'cancelled') && (
                <Button onClick={() => act.mutate('retry')} loading={act.isPending} data-testid="message-retry">Retry</Button>
              )}
              {m.status === 'queued' && (
                <Button color="red" variant="light" onClick={() => act.mutate('cancel')} loading={act.isPending} data-testid="message-cancel">Cancel</Button>
              )}
            </Group>
          )}
        </Stack>
      )}
    </Modal>
  );
}

export function SendNow() {
  const client = useQueryClient();
  const { can } = useSession();
  const send = useMutation({
    mutationFn: () => mailSendDue(1000),
    onSuccess: async (o) => {
      await client.invalidateQueries({ queryKey: mailKeys.all });
      // A stop is shown under the button (and once by the background sender), not as one more toast.
      if (!o.stopped) notifyDone(`Sent ${o.sent}; failed ${o.failed}; to retry later ${o.retry_later}`);
    },
  });
  if (!can('mail.send')) return null;
  return (
    <Stack gap={4} align="flex-end" maw={560}>
      <Button onClick={() => send.mutate()} loading={send.isPending} data-testid="outbox-send-now">Send now</Button>
      {send.isPending && <Box w={280}><ProgressBar task="mail.send" /></Box>}
      {send.error ? <Alert color="red" data-testid="outbox-send-error">{toApiError(send.error).message}</Alert> : null}
      {send.data?.stopped && <Alert color="red" data-testid="outbox-stopped">{send.data.stopped}</Alert>}
    </Stack>
  );
}

export function OutboxView() {
  const [status, setStatus] = useState<string | null>(null);
  const [search, setSearch] = useState('');
  const [typed, setTyped] = useState('');
  const [selected, setSelected] = useState(-1);
  const [open, setOpen] = useState<OutboxRow | null>(null);
  useEffect(() => {
    const t = setTimeout(() => setSearch(typed.trim()), 250);
    return () => clearTimeout(t);
  }, [typed]);
  const filter = { status, partner_id: null, search: search || null };
  const pages = usePagedSearch([...mailKeys.all, 'outbox', filter], (offset, limit) => mailOutboxList({ ...filter, offset, limit }));
  const { rows, fetchNextPage } = pages;
  const loadMore = useCallback(() => void fetchNextPage(), [fetchNextPage]);
  useEffect(() => setSelected(-1), [status, search]);
  const counts = (pages.data?.pages[0] as OutboxPage | undefined)?.counts;
  const all = counts ? STATUSES.reduce((n, s) => n + counts[s], 0) : null;
  const keys = (e: React.KeyboardEvent) => {
    if (e.key === 'ArrowDown') { e.preventDefault(); setSelected((i) => Math.min(rows.length - 1, i + 1)); }
    else if (e.key === 'ArrowUp') { e.preventDefault(); setSelected((i) => Math.max(0, i - 1)); }
    else if (e.key === 'Enter' && rows[selected]) { e.preventDefault(); setOpen(rows[selected]!); }
  };
  return (
    <Stack gap="sm" data-testid="outbox" h="calc(100vh - 200px)">
      <Group justify="space-between" align="end">
        <Group gap="xs">
          <Chip checked={status === null} onChange={() => setStatus(null)} data-testid="outbox-filter-all">All {all !== null ? `(${all})` : ''}</Chip>
          {STATUSES.map((s) => (
            <Chip key={s} checked={status === s} onChange={() => setStatus(s)} data-testid={`outbox-filter-${s}`}>
              {s} {counts ? `(${counts[s]})` : ''}
            </Chip>
          ))}
        </Group>
        <SendNow />
      </Group>
      <TextInput placeholder="Search subject, address or partner (↓ ↑ to choose, Enter to open)" value={typed}
        onChange={(e) => setTyped(e.currentTarget.value)} onKeyDown={keys} maw={420} data-testid="outbox-search" />
      {pages.isError && <ErrorState error={pages.error} title="The outbox could not be loaded" />}
      {pages.isPending && !pages.isError && <Text c="dimmed">Loading the outbox…</Text>}
      {pages.total === 0 && (
        <Text c="dimmed" data-testid="outbox-empty">
          {status || search ? 'No message matches this filter.' : 'No messages yet — announcements and statements put messages here.'}
        </Text>
      )}
      {rows.length > 0 && (
        <VirtualGrid
          rows={rows}
          columns={columns}
          hasMore={pages.hasNextPage && !pages.isFetchNextPageError}
          loadingMore={pages.isFetchingNextPage}
          loadMore={loadMore}
          selected={selected}
          onOpen={(r, i) => { setSelected(i); setOpen(r); }}
          rowTestId={(r) => `outbox-row-${r.id}`}
          rowStyle={(r) => (r.status === 'cancelled' ? { color: 'var(--mantine-color-dimmed)' } : undefined)}
          testId="outbox-table"
          loadingText="Loading more messages…"
        />
      )}
      {open && <MessageDialog id={open.id} onClose={() => setOpen(null)} />}
    </Stack>
  );
}
