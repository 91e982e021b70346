//! The customer list's columns.
import { Badge } from '@mantine/core';
import { createColumnHelper } from '@tanstack/react-table';
import type { CustomerRow } from '../../bindings';
import { AttributedPartner, CustomerFlags } from './CustomerFlags';

const col = createColumnHelper<CustomerRow>();

export const customerColumns = [
  col.accessor('customer_id', { header: 'Customer id', size: 160 }),
  col.accessor('brand_id', { header: 'Brand', size: 110 }),
  col.accessor('tracking_code', { header: 'Tracking code', size: 140, cell: (c) => c.getValue() ?? '—' }),
  col.accessor('partner_id', { header: 'Attributed partner', size: 160, cell: (c) => <AttributedPartner c={c.row.original} /> }),
  col.accessor('country', { header: 'Country', size: 80 }),
  col.accessor('registered_at', { header: 'Registered', size: 190 }),
  col.accessor('status', {
    header: 'Status',
    size: 100,
    cell: (c) => <Badge variant="light" size="sm" color={c.getValue() === 'excluded' ? 'red' : 'teal'}>{c.getValue()}</Badge>,
  }),
  col.display({ id: 'flags', header: 'Flags', size: 190, cell: (c) => <CustomerFlags c={c.row.original} /> }),
];
