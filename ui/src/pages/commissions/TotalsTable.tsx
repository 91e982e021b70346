//! The period's totals by brand and kind (summed exactly by the core);
//! choosing a row filters the lines below to it.
import { Table } from '@mantine/core';
import type { TotalRow } from '../../bindings';
import { formatMoney } from '../../money';
import { LINE_KINDS, labelOf } from '../../options';

type Props = { totals: TotalRow[]; onPick: (brand: string, kind: string) => void };

export function TotalsTable({ totals, onPick }: Props) {
  return (
    <Table highlightOnHover withTableBorder data-testid="totals-table">
      <Table.Thead>
        <Table.Tr>
          <Table.Th>Brand</Table.Th><Table.Th>Kind</Table.Th><Table.Th ta="right">Lines</Table.Th>
          <Table.Th ta="right">Amount</Table.Th><Table.Th>Currency</Table.Th>
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {totals.map((t) => (
          <Table.Tr key={`${t.brand_id}/${t.kind}/${t.currency}`} data-testid={`total-row-${t.brand_id}-${t.kind}-${t.currency}`}
            style={{ cursor: 'pointer' }} onClick={() => onPick(t.brand_id, t.kind)} title="Show these lines">
            <Table.Td>{t.brand_id}</Table.Td>
            <Table.Td>{labelOf(LINE_KINDS, t.kind)}</Table.Td>
            <Table.Td ta="right">{t.lines}</Table.Td>
            <Table.Td ta="right" ff="monospace" c={t.amount.startsWith('-') ? 'red' : undefined}>{formatMoney(t.amount)}</Table.Td>
            <Table.Td>{t.currency}</Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}
