//! The partner list's columns; sortable ones map to PartnerQuery.sort.
import { Badge, Text } from '@mantine/core';
import { createColumnHelper } from '@tanstack/react-table';
import type { PartnerRow, PartnerStatus } from '../../bindings';
import { PARTNER_KINDS, labelOf } from '../../options';

const col = createColumnHelper<PartnerRow>();

export const STATUS_COLORS: Record<PartnerStatus, string> = {
  applied: 'gray',
  pending_review: 'yellow',
  active: 'teal',
  suspended: 'orange',
  terminated: 'red',
};

export const partnerColumns = [
  col.accessor('partner_id', { header: 'Partner id', size: 160 }),
  col.accessor('name', {
    header: 'Name',
    size: 260,
    cell: (c) => (
      <Text size="sm" truncate td={c.row.original.archived ? 'line-through' : undefined}>
        {c.getValue()}
      </Text>
    ),
  }),
  col.accessor('kind', { header: 'Kind', size: 170, cell: (c) => labelOf(PARTNER_KINDS, c.getValue()) }),
  col.accessor('status', {
    header: 'Status',
    size: 140,
    cell: (c) => (
      <Badge variant="light" color={STATUS_COLORS[c.getValue()] ?? 'gray'}>
        {c.getValue().replace('_', ' ')}
      </Badge>
    ),
  }),
  col.accessor('country', { header: 'Country', size: 90, cell: (c) => c.getValue() ?? '—' }),
  col.accessor('parent_id', { header: 'Parent', size: 160, enableSorting: false, cell: (c) => c.getValue() ?? '—' }),
  col.accessor('children', { header: 'Sub-partners', size: 110, enableSorting: false }),
];
