//! Every partner's balance per currency at a date (default: everything
//! posted), with CSV/XLSX exports. Long lists show the first rows; the
//! exports hold them all.
import { useState } from 'react';
import { Group, Stack, Table, Text, TextInput } from '@mantine/core';
import { Link } from 'react-router-dom';
import { exportBalances } from '../../api';
import { ErrorState } from '../../components/ErrorState';
import { formatMoney } from '../../money';
import { useSession } from '../../session';
import { ExportButtons } from './ExportButtons';
import { useBalances } from './payoutQueries';

const SHOWN = 300;
const DATE_SHAPE = /^\d{4}-\d{2}-\d{2}$/;

export function BalancesView() {
  const { can } = useSession();
  const [input, setInput] = useState('');
  const at = DATE_SHAPE.test(input.trim()) ? input.trim() : '';
  const [filter, setFilter] = useState('');
  const q = useBalances(at);
  const f = filter.trim().toLowerCase();
  const rows = (q.data ?? []).filter((b) => !f || b.partner_id.toLowerCase().includes(f) || b.name.toLowerCase().includes(f));
  return (
    <Stack gap="xs" data-testid="balances">
      <Group align="end" gap="sm" wrap="wrap">
        <TextInput label="At date" placeholder="YYYY-MM-DD (empty: today)" value={input} onChange={(e) => setInput(e.currentTarget.value)} w={200}
          error={input.trim() && !at ? 'A date as YYYY-MM-DD' : undefined} data-testid="balances-at" />
        <TextInput label="Partner" placeholder="id or name" value={filter} onChange={(e) => setFilter(e.currentTarget.value)} w={200} data-testid="balances-filter" />
        {can('exports.write') && <ExportButtons run={(fmt) => exportBalances(at || null, fmt)} testId="balances-export" what="Balances" />}
      </Group>
      {q.isError && <ErrorState error={q.error} title="The balances could not be loaded" />}
      {q.isPending && <Text c="dimmed">Loading balances…</Text>}
      {q.data && q.data.length === 0 && <Text c="dimmed" data-testid="balances-empty">No balances yet: they start when a period is closed.</Text>}
      {rows.length > 0 && (
        <Table striped data-testid="balances-table">
          <Table.Thead>
            <Table.Tr><Table.Th>Partner</Table.Th><Table.Th>Currency</Table.Th><Table.Th ta="right">Balance</Table.Th><Table.Th ta="right">Not in a run</Table.Th><Table.Th ta="right">Entries</Table.Th></Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {rows.slice(0, SHOWN).map((b) => (
              <Table.Tr key={`${b.partner_id}/${b.currency}`} data-testid={`balance-${b.partner_id}-${b.currency}`}>
                <Table.Td><Link to={`/partners/${encodeURIComponent(b.partner_id)}`}>{b.name || b.partner_id}</Link> <Text span size="xs" c="dimmed">{b.partner_id}</Text></Table.Td>
                <Table.Td>{b.currency}</Table.Td>
                <Table.Td ta="right" ff="monospace">{formatMoney(b.balance)}</Table.Td>
                <Table.Td ta="right" ff="monospace">{formatMoney(b.unclaimed)}</Table.Td>
                <Table.Td ta="right">{b.entries}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
      {rows.length > SHOWN && <Text size="xs" c="dimmed">Showing {SHOWN} of {rows.length}: narrow by partner, or export them all.</Text>}
    </Stack>
  );
}
