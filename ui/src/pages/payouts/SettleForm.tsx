//! Settling an exported run: each pending payment marked paid with the
//! bank's reference, or failed with the reason (its amount returns to the
//! partner's balance). Only the rows filled in are sent, all or nothing.
import { useState } from 'react';
import { Alert, Button, Group, NativeSelect, Stack, Table, Text, TextInput } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { payoutRunSettle } from '../../api';
import type { PayoutRunDetail, Settlement } from '../../bindings';
import { toApiError } from '../../errors';
import { formatMoney } from '../../money';
import { notifyDone } from '../../notify';
import { payoutKeys } from './payoutQueries';

type Row = { outcome: '' | 'paid' | 'failed'; note: string };
const key = (p: string, c: string) => `${p}/${c}`;

export function SettleForm({ detail }: { detail: PayoutRunDetail }) {
  const client = useQueryClient();
  const id = detail.run.run_id;
  const pending = detail.items.filter((i) => i.state === 'pending');
  const [rows, setRows] = useState<Record<string, Row>>({});
  const [tried, setTried] = useState(false);
  const row = (k: string): Row => rows[k] ?? { outcome: '', note: '' };
  const set = (k: string, r: Partial<Row>) => setRows((old) => ({ ...old, [k]: { ...row(k), ...r } }));
  const chosen: Settlement[] = pending
    .filter((i) => row(key(i.partner_id, i.currency)).outcome !== '')
    .map((i) => {
      const r = row(key(i.partner_id, i.currency));
      return { partner_id: i.partner_id, currency: i.currency, outcome: r.outcome, note: r.note.trim() };
    });
  const missingNote = chosen.some((s) => s.note === '');
  const settle = useMutation({
    mutationFn: () => payoutRunSettle(id, chosen),
    onSuccess: async (d) => {
      notifyDone(`Run #${id}: ${chosen.length} payment${chosen.length === 1 ? '' : 's'} settled${d.run.state !== 'exported' ? `; the run is ${d.run.state}` : ''}`);
      setRows({});
      setTried(false);
      await client.invalidateQueries({ queryKey: payoutKeys.payouts });
      await client.invalidateQueries({ queryKey: payoutKeys.ledger });
    },
  });
  const allPaid = () => setRows(Object.fromEntries(pending.map((i) => [key(i.partner_id, i.currency), { outcome: 'paid', note: row(key(i.partner_id, i.currency)).note }])));
  if (pending.length === 0) return null;
  return (
    <Stack gap="xs" data-testid="settle-form">
      <Group justify="space-between">
        <Text fw={600}>Settle payments</Text>
        <Button size="xs" variant="subtle" onClick={allPaid} data-testid="settle-all-paid">Mark all paid</Button>
      </Group>
      <Table>
        <Table.Thead>
          <Table.Tr><Table.Th>Partner</Table.Th><Table.Th>Amount</Table.Th><Table.Th>Outcome</Table.Th><Table.Th>Reference (paid) or reason (failed)</Table.Th></Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {pending.map((i) => {
            const k = key(i.partner_id, i.currency);
            const r = row(k);
            return (
              <Table.Tr key={k} data-testid={`settle-row-${i.partner_id}-${i.currency}`}>
                <Table.Td>{i.name || i.partner_id}</Table.Td>
                <Table.Td ff="monospace">{formatMoney(i.amount)} {i.currency}</Table.Td>
                <Table.Td>
                  <NativeSelect value={r.outcome} onChange={(e) => set(k, { outcome: e.currentTarget.value as Row['outcome'] })}
                    data={[{ value: '', label: 'still pending' }, { value: 'paid', label: 'paid' }, { value: 'failed', label: 'failed' }]}
                    data-testid={`settle-outcome-${i.partner_id}-${i.currency}`} />
                </Table.Td>
                <Table.Td>
                  <TextInput value={r.note} onChange={(e) => set(k, { note: e.currentTarget.value })} disabled={r.outcome === ''}
                    placeholder={r.outcome === 'failed' ? 'why it failed' : 'payment reference'}
                    error={tried && r.outcome !== '' && r.note.trim() === '' ? 'Required' : undefined}
                    data-testid={`settle-note-${i.partner_id}-${i.currency}`} />
                </Table.Td>
              </Table.Tr>
            );
          })}
        </Table.Tbody>
      </Table>
      {settle.isError && <Alert color="red" data-testid="settle-error">{toApiError(settle.error).message}</Alert>}
      <Group justify="flex-end">
        <Button disabled={chosen.length === 0} loading={settle.isPending} data-testid="settle-save"
          onClick={() => { setTried(true); if (!missingNote) settle.mutate(); }}>
          Settle {chosen.length || ''} payment{chosen.length === 1 ? '' : 's'}
        </Button>
      </Group>
    </Stack>
  );
}
