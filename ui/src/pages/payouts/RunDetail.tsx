//! One payout run: its payments (partner, currency, amount, method, state),
//! the partners held back with the reason, totals per currency, and what can
//! be done now — submit, approve/reject, cancel, export the payment files,
//! settle, statements, CSV/XLSX of its payments.
import { Alert, Badge, Button, Divider, Group, SimpleGrid, Stack, Table, Text, Title } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Link } from 'react-router-dom';
import { exportRun, payoutRunExport } from '../../api';
import type { ItemState, PayoutRunDetail } from '../../bindings';
import { ErrorState } from '../../components/ErrorState';
import { toApiError } from '../../errors';
import { formatMoney } from '../../money';
import { notifyDone } from '../../notify';
import { useSession } from '../../session';
import { when } from '../../when';
import { ExportButtons } from './ExportButtons';
import { FolderField, useFolder } from './FolderField';
import { RunActions } from './RunActions';
import { RUN_STATE_COLORS, payoutKeys, usePayoutRun } from './payoutQueries';
import { SettleForm } from './SettleForm';
import { StatementsAction } from './StatementsAction';

const ITEM_COLORS: Record<ItemState, string> = { pending: 'gray', paid: 'green', failed: 'red' };
const METHOD_LABELS: Record<string, string> = { bank_transfer: 'Bank transfer', e_wallet: 'E-wallet', crypto: 'Crypto' };

function PaymentFiles({ detail }: { detail: PayoutRunDetail }) {
  const run = detail.run;
  const client = useQueryClient();
  const { can } = useSession();
  const [folder, setFolder] = useFolder('');
  const again = run.state !== 'approved';
  const write = useMutation({
    mutationFn: () => payoutRunExport(run.run_id, folder.trim(), again),
    onSuccess: async (f) => {
      notifyDone(`Run #${run.run_id}: ${f.files.length} file${f.files.length === 1 ? '' : 's'} written into ${f.folder}`);
      await client.invalidateQueries({ queryKey: payoutKeys.payouts });
      await client.invalidateQueries({ queryKey: payoutKeys.ledger });
    },
  });
  const offered = run.actions.includes('export') || ['exported', 'paid', 'failed'].includes(run.state);
  if (!can('payout.export') || !offered) return null;
  const err = write.error ? toApiError(write.error) : null;
  const fieldError = err && (err.field === 'folder' || err.code === 'io') ? err.message : null;
  return (
    <Stack gap="xs" data-testid="run-export">
      <Group align="end" gap="sm" wrap="wrap">
        <FolderField value={folder} onChange={setFolder} error={fieldError} testId="run-export-folder" label="Payment files folder" />
        <Button onClick={() => write.mutate()} loading={write.isPending} disabled={folder.trim() === ''} data-testid="run-export-write">
          {again ? 'Write payment files again' : 'Export payment files'}
        </Button>
      </Group>
      {!again && (
        <Text size="xs" c="dimmed">Exporting posts the payouts to the partners' ledgers and writes the CSV payment file and the SEPA XML (EUR bank transfers).</Text>
      )}
      {err && !fieldError && <Alert color="red" title="Nothing was exported" data-testid="run-export-error">{err.message}</Alert>}
      {write.data && (
        <Stack gap={0} data-testid="run-export-files">
          {write.data.files.map((f) => <Text key={f} size="xs" ff="monospace">{f}</Text>)}
        </Stack>
      )}
    </Stack>
  );
}

function Totals({ detail }: { detail: PayoutRunDetail }) {
  return (
    <Table data-testid="run-totals" withTableBorder>
      <Table.Thead>
        <Table.Tr><Table.Th>Currency</Table.Th><Table.Th>Payments</Table.Th><Table.Th ta="right">Total</Table.Th><Table.Th ta="right">Paid</Table.Th><Table.Th ta="right">Failed</Table.Th></Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {detail.run.totals.map((t) => (
          <Table.Tr key={t.currency} data-testid={`run-total-${t.currency}`}>
            <Table.Td>{t.currency}</Table.Td>
            <Table.Td>{t.payments}</Table.Td>
            <Table.Td ta="right" ff="monospace">{formatMoney(t.amount)}</Table.Td>
            <Table.Td ta="right" ff="monospace">{formatMoney(t.paid)}</Table.Td>
            <Table.Td ta="right" ff="monospace">{formatMoney(t.failed)}</Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}

function Items({ detail }: { detail: PayoutRunDetail }) {
  return (
    <Table striped data-testid="run-items">
      <Table.Thead>
        <Table.Tr>
          <Table.Th>Partner</Table.Th><Table.Th>Currency</Table.Th><Table.Th ta="right">Amount</Table.Th><Table.Th>Method</Table.Th>
          <Table.Th>Account</Table.Th><Table.Th>State</Table.Th><Table.Th>Reference / reason</Table.Th>
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {detail.items.map((i) => (
          <Table.Tr key={`${i.partner_id}/${i.currency}`} data-testid={`item-${i.partner_id}-${i.currency}`}>
            <Table.Td><Link to={`/partners/${encodeURIComponent(i.partner_id)}`} data-testid={`item-link-${i.partner_id}-${i.currency}`}>{i.name || i.partner_id}</Link> <Text span size="xs" c="dimmed">{i.partner_id}</Text></Table.Td>
            <Table.Td>{i.currency}</Table.Td>
            <Table.Td ta="right" ff="monospace">{formatMoney(i.amount)}</Table.Td>
            <Table.Td>{METHOD_LABELS[i.method] ?? i.method}</Table.Td>
            <Table.Td><Text size="xs" ff="monospace">{i.account}{i.bic ? ` · ${i.bic}` : ''}</Text></Table.Td>
            <Table.Td><Badge color={ITEM_COLORS[i.state] ?? 'gray'} variant="light" data-testid={`item-state-${i.partner_id}-${i.currency}`}>{i.state}</Badge></Table.Td>
            <Table.Td><Text size="xs">{i.reference ?? i.failure_reason ?? ''}</Text></Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}

function Held({ detail }: { detail: PayoutRunDetail }) {
  if (detail.held.length === 0) return <Text size="sm" c="dimmed" data-testid="held-none">Nobody was held back.</Text>;
  return (
    <Table data-testid="run-held">
      <Table.Thead>
        <Table.Tr><Table.Th>Partner</Table.Th><Table.Th ta="right">Balance</Table.Th><Table.Th>Why held back</Table.Th></Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {detail.held.map((h) => (
          <Table.Tr key={`${h.partner_id}/${h.currency}`} data-testid={`held-${h.partner_id}-${h.currency}`}>
            <Table.Td><Link to={`/partners/${encodeURIComponent(h.partner_id)}`}>{h.name || h.partner_id}</Link></Table.Td>
            <Table.Td ta="right" ff="monospace">{formatMoney(h.amount)} {h.currency}</Table.Td>
            <Table.Td><Text size="sm" c="orange.8" data-testid={`held-reason-${h.partner_id}-${h.currency}`}>{h.reason}</Text></Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}

export function RunDetail({ runId }: { runId: number }) {
  const q = usePayoutRun(runId);
  const { can } = useSession();
  if (q.isPending) return <Text c="dimmed">Loading run #{runId}…</Text>;
  if (q.isError) return <ErrorState error={q.error} title={`Run #${runId} could not be loaded`} />;
  const d = q.data;
  const r = d.run;
  return (
    <Stack gap="md" data-testid="run-detail">
      <Group justify="space-between" align="start">
        <Stack gap={2}>
          <Group gap="sm">
            <Title order={3}>Run #{r.run_id}</Title>
            <Badge color={RUN_STATE_COLORS[r.state] ?? 'gray'} size="lg" variant="light" data-testid="run-detail-state">{r.state}</Badge>
          </Group>
          <Text size="sm" c="dimmed">
            Pay date {r.pay_date}{r.period ? ` · period ${r.period}` : ''} · created by {r.created_by} {when(r.created_at)}
            {r.submitted_by ? ` · submitted by ${r.submitted_by}` : ''}{r.approved_by ? ` · approved by ${r.approved_by}` : ''}
            {r.exported_at ? ` · exported ${when(r.exported_at)}` : ''}
          </Text>
        </Stack>
        {can('exports.write') && (
          <ExportButtons run={(f) => exportRun(r.run_id, f)} testId="run-table-export" what="Payments" disabled={d.items.length === 0} />
        )}
      </Group>
      <RunActions detail={d} />
      <PaymentFiles detail={d} />
      {can('payout.settle') && r.actions.includes('settle') && <SettleForm detail={d} />}
      <SimpleGrid cols={{ base: 1, lg: 2 }} spacing="xl">
        <Stack gap="xs">
          <Text fw={600}>Totals per currency</Text>
          <Totals detail={d} />
        </Stack>
        <Stack gap="xs">
          <Text fw={600}>Held back ({d.held.length})</Text>
          <Held detail={d} />
        </Stack>
      </SimpleGrid>
      <Text fw={600}>Payments ({d.items.length})</Text>
      <Items detail={d} />
      {r.state !== 'cancelled' && (
        <>
          <Divider />
          <StatementsAction key={r.run_id} target={{ kind: 'run', runId: r.run_id }} />
        </>
      )}
    </Stack>
  );
}
