//! The partner's deals: which plan is in force for which brand and months,
//! and the form to assign one.
import { Anchor, Stack, Table, Text, Title } from '@mantine/core';
import { Link } from 'react-router-dom';
import { ErrorState } from '../../components/ErrorState';
import { useAssignments, usePlans } from '../../queries';
import { planPath } from '../deals/paths';
import { AssignForm } from './AssignForm';
import { useCan } from '../../session';

export function PartnerDeals({ partnerId }: { partnerId: string }) {
  const assignments = useAssignments(partnerId);
  const plans = usePlans();
  const canAssign = useCan('plan.assign');
  const names = new Map((plans.data ?? []).map((p) => [p.plan_id, p]));
  const rows = [...(assignments.data ?? [])].sort((a, b) =>
    a.brand_id === b.brand_id ? a.valid_from.localeCompare(b.valid_from) : a.brand_id < b.brand_id ? -1 : 1,
  );
  return (
    <Stack gap="xs" data-testid="partner-deals">
      <Title order={4}>Deals</Title>
      {assignments.isError && <ErrorState error={assignments.error} title="The deals could not be loaded" />}
      {assignments.data?.length === 0 && <Text size="sm" c="dimmed">No plan is assigned yet: this partner earns nothing.</Text>}
      {rows.length > 0 && (
        <Table striped withTableBorder>
          <Table.Thead>
            <Table.Tr><Table.Th>Brand</Table.Th><Table.Th>Plan</Table.Th><Table.Th>What it pays</Table.Th><Table.Th>From</Table.Th><Table.Th>Until</Table.Th></Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {rows.map((a) => (
              <Table.Tr key={`${a.brand_id}/${a.valid_from}`} data-testid={`assignment-row-${a.brand_id}-${a.valid_from}`}>
                <Table.Td>{a.brand_id}</Table.Td>
                <Table.Td><Anchor component={Link} to={planPath(a.plan_id)} size="sm">{names.get(a.plan_id)?.name ?? a.plan_id}</Anchor></Table.Td>
                <Table.Td><Text size="sm" c="dimmed">{names.get(a.plan_id)?.description ?? ''}</Text></Table.Td>
                <Table.Td>{a.valid_from}</Table.Td>
                <Table.Td>{a.valid_to ?? 'open-ended'}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
      {canAssign && <AssignForm partnerId={partnerId} />}
    </Stack>
  );
}
