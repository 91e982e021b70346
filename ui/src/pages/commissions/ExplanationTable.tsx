//! A list inside a line's explanation (customers paid, trades' sources,
//! purchases, refunds, descendants) as a table; ids link to their pages.
import type { ReactNode } from 'react';
import { Anchor, Table, Text } from '@mantine/core';
import { Link } from 'react-router-dom';
import { customerPath } from '../customers/paths';
import { partnerPath } from '../partners/paths';

const SHOWN = 200;
const CUSTOMER_KEYS = ['customer_id'];
const PARTNER_KEYS = ['descendant', 'from_ib'];

export const humanize = (key: string) => key.replace(/_/g, ' ');

export function cellText(v: unknown): string {
  if (v === null || v === undefined) return '—';
  if (typeof v === 'boolean') return v ? 'yes' : 'no';
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

function cell(key: string, v: unknown): ReactNode {
  if (typeof v === 'string' && CUSTOMER_KEYS.includes(key)) {
    return <Anchor component={Link} to={customerPath(v)} size="sm">{v}</Anchor>;
  }
  if (typeof v === 'string' && PARTNER_KEYS.includes(key)) {
    return <Anchor component={Link} to={partnerPath(v)} size="sm">{v}</Anchor>;
  }
  return cellText(v);
}

export function ExplanationTable({ name, items }: { name: string; items: unknown[] }) {
  const objects = items.filter((i): i is Record<string, unknown> => typeof i === 'object' && i !== null && !Array.isArray(i));
  if (objects.length !== items.length) {
    return <Text size="sm">{items.map(cellText).join(', ')}</Text>;
  }
  const columns = [...new Set(objects.slice(0, 20).flatMap((o) => Object.keys(o)))];
  return (
    <>
      <Table striped withTableBorder fz="xs" data-testid={`explanation-${name}`}>
        <Table.Thead>
          <Table.Tr>{columns.map((c) => <Table.Th key={c}>{humanize(c)}</Table.Th>)}</Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {objects.slice(0, SHOWN).map((o, i) => (
            <Table.Tr key={i}>{columns.map((c) => <Table.Td key={c}>{cell(c, o[c])}</Table.Td>)}</Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      {objects.length > SHOWN && <Text size="xs" c="dimmed">Showing {SHOWN} of {objects.length}; the raw explanation has them all.</Text>}
    </>
  );
}

/** A flat object (the revshare basis, an adjustment's differences) as label → value rows. */
export function KeyValues({ value, testId }: { value: Record<string, unknown>; testId?: string }) {
  return (
    <Table withTableBorder variant="vertical" fz="xs" data-testid={testId}>
      <Table.Tbody>
        {Object.entries(value).map(([k, v]) => (
          <Table.Tr key={k}>
            <Table.Th w={200}>{humanize(k)}</Table.Th>
            <Table.Td ff="monospace">{cellText(v)}</Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}
