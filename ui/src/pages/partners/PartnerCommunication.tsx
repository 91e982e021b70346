//! A partner's communication log: every message queued for them, with its
//! state; a row opens the message as it was (or will be) sent.
import { useState } from 'react';
import { Alert, Badge, Modal, Stack, Table, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { mailOutboxMessage } from '../../api';
import { ErrorState } from '../../components/ErrorState';
import { when } from '../../when';
import { STATUS_COLOR, useCommunicationLog } from '../communication/mailQueries';

function Message({ id, onClose }: { id: number; onClose: () => void }) {
  const q = useQuery({ queryKey: ['mail', 'message', id], queryFn: () => mailOutboxMessage(id) });
  return (
    <Modal opened onClose={onClose} title={q.data?.row.subject ?? 'Message'} size="lg" data-testid="log-message">
      {q.isError && <ErrorState error={q.error} title="The message could not be loaded" />}
      {q.data && (
        <Stack gap="xs">
          <Text size="sm" c="dimmed" data-testid="log-message-to">To {q.data.row.to_address}{q.data.row.attachment_name ? `; attachment ${q.data.row.attachment_name}` : ''}</Text>
          {q.data.row.last_error && <Alert color="red">{q.data.row.last_error}</Alert>}
          <Text component="pre" size="sm" style={{ whiteSpace: 'pre-wrap', fontFamily: 'inherit' }}>{q.data.body}</Text>
        </Stack>
      )}
    </Modal>
  );
}

export function PartnerCommunication({ partnerId }: { partnerId: string }) {
  const q = useCommunicationLog(partnerId);
  const [open, setOpen] = useState<number | null>(null);
  return (
    <Stack gap="xs" data-testid="partner-communication">
      <Title order={4}>Communication</Title>
      {q.isError && <ErrorState error={q.error} title="The communication log could not be loaded" />}
      {q.data && q.data.length === 0 && <Text size="sm" c="dimmed" data-testid="communication-empty">No messages to this partner yet.</Text>}
      {q.data && q.data.length > 0 && (
        <Table highlightOnHover>
          <Table.Thead><Table.Tr><Table.Th>Date</Table.Th><Table.Th>Subject</Table.Th><Table.Th>Status</Table.Th><Table.Th>Template</Table.Th></Table.Tr></Table.Thead>
          <Table.Tbody>
            {q.data.map((e) => (
              <Table.Tr key={e.id} onClick={() => setOpen(e.outbox_id)} style={{ cursor: e.outbox_id !== null ? 'pointer' : undefined }}
                data-testid={`communication-${e.id}`} tabIndex={0} onKeyDown={(k) => { if (k.key === 'Enter') setOpen(e.outbox_id); }}>
                <Table.Td>{when(e.sent_at ?? e.at)}</Table.Td>
                <Table.Td>{e.subject}{e.attachment_name ? ' 📎' : ''}</Table.Td>
                <Table.Td><Badge variant="light" color={STATUS_COLOR[e.status] ?? 'gray'}>{e.status}</Badge></Table.Td>
                <Table.Td>{e.template_key ?? 'announcement'}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
      {open !== null && <Message id={open} onClose={() => setOpen(null)} />}
    </Stack>
  );
}
