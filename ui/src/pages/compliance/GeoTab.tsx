//! Partners sending traffic they should not: customers from countries blocked
//! for the brand (they earn nothing) or outside the partner's allowed
//! countries (flagged until compliance excludes or accepts them).
import { Anchor, Badge, Code, Stack, Table, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { Link } from 'react-router-dom';
import { geoReport } from '../../api';
import { ErrorState } from '../../components/ErrorState';
import { customersPath } from '../customers/paths';
import { partnerPath } from '../partners/paths';

export function GeoTab() {
  const report = useQuery({ queryKey: ['compliance', 'geo'], queryFn: geoReport });
  return (
    <Stack gap="sm">
      <Title order={4}>Blocked and unexpected traffic</Title>
      <Text size="sm" c="dimmed">
        Blocked: the country is blocked for the brand, the customer earns nobody anything. Unexpected: the country is outside the
        partner's allowed countries — the customer still earns until compliance excludes it on its customer page.
      </Text>
      {report.isPending && <Text c="dimmed">Loading the report…</Text>}
      {report.isError && <ErrorState error={report.error} title="The geo report could not be loaded" />}
      {report.data?.length === 0 && <Text c="dimmed" data-testid="geo-empty">No partner sends blocked or unexpected traffic.</Text>}
      {report.data && report.data.length > 0 && (
        <Table striped withTableBorder highlightOnHover data-testid="geo-report">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Partner</Table.Th><Table.Th>Brand</Table.Th><Table.Th>Country</Table.Th>
              <Table.Th ta="right">Blocked</Table.Th><Table.Th ta="right">Unexpected</Table.Th><Table.Th />
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {report.data.map((r) => (
              <Table.Tr key={`${r.partner_id}/${r.brand_id}/${r.country ?? ''}`} data-testid={`geo-row-${r.partner_id}-${r.brand_id}-${r.country ?? ''}`}>
                <Table.Td>
                  <Anchor component={Link} to={partnerPath(r.partner_id)} size="sm">{r.partner_name}</Anchor>{' '}
                  <Code>{r.partner_id}</Code>
                </Table.Td>
                <Table.Td>{r.brand_id}</Table.Td>
                <Table.Td>{r.country ?? 'unknown'}</Table.Td>
                <Table.Td ta="right">{r.blocked > 0 ? <Badge color="orange" variant="light">{r.blocked}</Badge> : 0}</Table.Td>
                <Table.Td ta="right">{r.unexpected > 0 ? <Badge color="yellow" variant="light">{r.unexpected}</Badge> : 0}</Table.Td>
                <Table.Td>
                  <Anchor component={Link} to={`${customersPath()}?partner=${encodeURIComponent(r.partner_id)}&brand=${encodeURIComponent(r.brand_id)}`} size="sm">customers</Anchor>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
    </Stack>
  );
}
