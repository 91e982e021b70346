//! The commission line grid's columns.
import { Badge, Text } from '@mantine/core';
import { createColumnHelper } from '@tanstack/react-table';
import type { LineRow } from '../../bindings';
import { formatMoney } from '../../money';
import { LINE_KINDS, labelOf } from '../../options';

const col = createColumnHelper<LineRow>();
const right = { textAlign: 'right' as const, fontFamily: 'var(--mantine-font-family-monospace)' };

export const lineTestId = (l: { partner_id: string; brand_id: string; kind: string }) => `line-row-${l.partner_id}-${l.brand_id}-${l.kind}`;

export const lineColumns = [
  col.accessor('partner_id', {
    header: 'Partner',
    size: 240,
    cell: (c) => (
      <Text size="sm" truncate>
        {c.getValue()} <Text span size="xs" c="dimmed">{c.row.original.partner_name}</Text>
      </Text>
    ),
  }),
  col.accessor('brand_id', { header: 'Brand', size: 110 }),
  col.accessor('kind', {
    header: 'Kind',
    size: 170,
    cell: (c) => (
      <Badge variant="light" size="sm" color={c.getValue() === 'adjustment' ? 'orange' : 'indigo'}>
        {labelOf(LINE_KINDS, c.getValue())}{c.row.original.origin_period ? ` of ${c.row.original.origin_period}` : ''}
      </Badge>
    ),
  }),
  col.accessor('amount', {
    header: 'Amount',
    size: 150,
    cell: (c) => (
      <div style={{ ...right, color: c.getValue().startsWith('-') ? 'var(--mantine-color-red-7)' : undefined }}>
        {formatMoney(c.getValue())} {c.row.original.currency}
      </div>
    ),
  }),
  col.accessor('amount_brand', {
    header: 'In brand currency',
    size: 180,
    cell: (c) => <div style={right}>{formatMoney(c.getValue())} {c.row.original.brand_currency}</div>,
  }),
  col.accessor('fx_rate', {
    header: 'FX rate',
    size: 110,
    cell: (c) => <div style={right}>{c.row.original.currency === c.row.original.brand_currency ? '—' : c.getValue()}</div>,
  }),
];
