//! The outbox: every message with its state, filters with counts, search,
//! server-side pages, a message's detail with Retry / Cancel, and "Send now"
//! with a progress bar.
import { useEffect, useState } from 'react';
import { Alert, Badge, Button, Chip, Group, Modal, Pagination, Stack, Table, Text, TextInput } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { mailOutboxCancel, mailOutboxMessage, mailOutboxRetry, mailSendDue } from '../../api';
import type { OutboxRow } from '../../bindings/OutboxRow';
import { ProgressBar } from '../../components/ProgressBar';
import { ErrorState } from '../../components/ErrorState';
import { toApiError } from '../../errors';
import { notifyDone, notifyError } from '../../notify';
import { useSession } from '../../session';
import { when } from '../../when';
import { mailKeys, STATUS_COLOR, useOutbox } from './mailQueries';

const PAGE = 50;
const STATUSES = ['queued', 'sent', 'failed', 'cancelled'] as const;

function StatusBadge({ status }: { status: string }) {
  return <Badge color={STATUS_COLOR[status] ?? 'gray'} variant="light" data-testid={`status-${status}`}>{status}</Badge>;
}

function MessageDialog({ id, onClose }: { id: number; onClose: () => void }) {
  const client = useQueryClient();
  const { can } = useSession();
  const q = useQuery({ queryKey: ['mail', 'message', id], queryFn: () => mailOutboxMessage(id) });
  const act = useMutation({
    mutationFn: (what: 'retry' | 'cancel') => (what === 'retry' ? mailOutboxRetry(id) : mailOutboxCancel(id)),
    onSuccess: async (r) => {
      notifyDone(r.status === 'queued' ? 'The message is queued again' : 'The message will not be sent');
      await client.invalidateQueries({ queryKey: mailKeys.all });
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
      if (o.stopped) notifyError({ code: 'mail', message: o.stopped, field: null }, 'Sending stopped');
      else notifyDone(`Sent ${o.sent}; failed ${o.failed}; to retry later ${o.retry_later}`);
    },
  });
  if (!can('mail.send')) return null;
  return (
    <Stack gap={4}>
      <Button onClick={() => send.mutate()} loading={send.isPending} data-testid="outbox-send-now">Send now</Button>
      {send.isPending && <ProgressBar task="mail.send" />}
      {send.error ? <Alert color="red" data-testid="outbox-send-error">{toApiError(send.error).message}</Alert> : null}
      {send.data?.stopped && <Alert color="red" data-testid="outbox-stopped">{send.data.stopped}</Alert>}
    </Stack>
  );
}

export function OutboxView() {
  const [status, setStatus] = useState<string | null>(null);
  const [search, setSearch] = useState('');
  const [typed, setTyped] = useState('');
  const [page, setPage] = useState(1);
  const [open, setOpen] = useState<OutboxRow | null>(null);
  useEffect(() => {
    const t = setTimeout(() => { setSearch(typed.trim()); setPage(1); }, 250);
    return () => clearTimeout(t);
  }, [typed]);
  const q = useOutbox({ status, partner_id: null, search: search || null, offset: (page - 1) * PAGE, limit: PAGE });
  const counts = q.data?.counts;
  const pages = q.data ? Math.max(1, Math.ceil(q.data.total / PAGE)) : 1;
  return (
    <Stack gap="sm" data-testid="outbox">
      <Group justify="space-between" align="end">
        <Group gap="xs">
          <Chip checked={status === null} onChange={() => { setStatus(null); setPage(1); }} data-testid="outbox-filter-all">All</Chip>
          {STATUSES.map((s) => (
            <Chip key={s} checked={status === s} onChange={() => { setStatus(s); setPage(1); }} data-testid={`outbox-filter-${s}`}>
              {s} {counts ? `(${counts[s]})` : ''}
            </Chip>
          ))}
        </Group>
        <SendNow />
      </Group>
      <TextInput placeholder="Search subject, address or partner" value={typed} onChange={(e) => setTyped(e.currentTarget.value)} maw={360}
        data-testid="outbox-search" />
      {q.isError && <ErrorState error={q.error} title="The outbox could not be loaded" />}
      {q.data && q.data.total === 0 && (
        <Text c="dimmed" data-testid="outbox-empty">
          {status || search ? 'No message matches.' : 'No messages yet: announcements, statements and payouts put messages here.'}
        </Text>
      )}
      {q.data && q.data.total > 0 && (
        <Table highlightOnHover data-testid="outbox-table">
          <Table.Thead>
            <Table.Tr><Table.Th>Status</Table.Th><Table.Th>To</Table.Th><Table.Th>Subject</Table.Th><Table.Th>Queued</Table.Th><Table.Th>Attempts</Table.Th></Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {q.data.rows.map((r) => (
              <Table.Tr key={r.id} onClick={() => setOpen(r)} style={{ cursor: 'pointer' }} data-testid={`outbox-row-${r.id}`}
                tabIndex={0} onKeyDown={(e) => { if (e.key === 'Enter') setOpen(r); }}>
                <Table.Td><StatusBadge status={r.status} /></Table.Td>
                <Table.Td>{r.partner_name ?? r.to_address}<Text size="xs" c="dimmed">{r.to_address}</Text></Table.Td>
                <Table.Td>{r.subject}{r.attachment_name ? ' 📎' : ''}{r.last_error && <Text size="xs" c="red" lineClamp={1}>{r.last_error}</Text>}</Table.Td>
                <Table.Td>{when(r.created_at)}</Table.Td>
                <Table.Td>{r.attempts}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
      {pages > 1 && <Pagination total={pages} value={page} onChange={setPage} data-testid="outbox-pages" />}
      {open && <MessageDialog id={open.id} onClose={() => setOpen(null)} />}
    </Stack>
  );
}
