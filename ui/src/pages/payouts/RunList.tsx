//! The payout runs, newest first: state, pay date or period, totals per
//! currency and who created, submitted and approved each.
import { Anchor, Badge, Stack, Table, Text } from '@mantine/core';
import { Link, useNavigate } from 'react-router-dom';
import type { PayoutRunView } from '../../bindings';
import { formatMoney } from '../../money';
import { RUN_STATE_COLORS } from './payoutQueries';

export function RunTotals({ run }: { run: PayoutRunView }) {
  if (run.totals.length === 0) return <Text size="sm" c="dimmed">no payments</Text>;
  return (
    <Stack gap={0}>
      {run.totals.map((t) => (
        <Text key={t.currency} size="sm" ff="monospace" data-testid={`run-${run.run_id}-total-${t.currency}`}>
          {formatMoney(t.amount)} {t.currency} <Text span size="xs" c="dimmed">({t.payments})</Text>
        </Text>
      ))}
    </Stack>
  );
}

export function RunList({ runs, selected }: { runs: PayoutRunView[]; selected: number | null }) {
  const navigate = useNavigate();
  if (runs.length === 0) {
    return <Text c="dimmed" data-testid="runs-empty">No payout runs yet: create one for a pay date or a closed period.</Text>;
  }
  const sorted = [...runs].sort((a, b) => b.run_id - a.run_id);
  return (
    <Table highlightOnHover striped data-testid="runs-table">
      <Table.Thead>
        <Table.Tr>
          <Table.Th>Run</Table.Th>
          <Table.Th>State</Table.Th>
          <Table.Th>Pay date</Table.Th>
          <Table.Th>Period</Table.Th>
          <Table.Th>Totals</Table.Th>
          <Table.Th>Held</Table.Th>
          <Table.Th>Created by</Table.Th>
          <Table.Th>Submitted by</Table.Th>
          <Table.Th>Approved by</Table.Th>
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {sorted.map((r) => (
          <Table.Tr key={r.run_id} data-testid={`run-row-${r.run_id}`} onClick={() => navigate(`/payouts/${r.run_id}`)}
            style={{ cursor: 'pointer' }} bg={r.run_id === selected ? 'var(--mantine-color-blue-light)' : undefined}>
            <Table.Td><Anchor component={Link} to={`/payouts/${r.run_id}`} data-testid={`run-open-${r.run_id}`}>#{r.run_id}</Anchor></Table.Td>
            <Table.Td>
              <Badge color={RUN_STATE_COLORS[r.state] ?? 'gray'} variant="light" data-testid={`run-state-${r.run_id}`}>{r.state}</Badge>
            </Table.Td>
            <Table.Td>{r.pay_date}</Table.Td>
            <Table.Td>{r.period || '—'}</Table.Td>
            <Table.Td><RunTotals run={r} /></Table.Td>
            <Table.Td>{r.held_count > 0 ? <Badge color="orange" variant="outline">{r.held_count}</Badge> : '—'}</Table.Td>
            <Table.Td>{r.created_by}</Table.Td>
            <Table.Td>{r.submitted_by ?? '—'}</Table.Td>
            <Table.Td>{r.approved_by ?? '—'}</Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}
