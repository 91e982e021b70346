//! One plan: what it pays, its versions (oldest first) and the JSON of the
//! chosen version.
import { useState } from 'react';
import { Anchor, Badge, Breadcrumbs, Button, Code, Group, Stack, Table, Text, Title } from '@mantine/core';
import { Link, useNavigate, useParams } from 'react-router-dom';
import { ErrorState } from '../../components/ErrorState';
import { usePlan } from '../../queries';
import { ComponentBadges } from './ComponentBadges';
import { editPlanPath, plansPath } from './paths';
import { useCan } from '../../session';

export function PlanPage() {
  const { planId = '' } = useParams();
  const navigate = useNavigate();
  const detail = usePlan(planId);
  const canSave = useCan('plan.save');
  const [shown, setShown] = useState<number | null>(null);
  if (detail.isPending) return <Text c="dimmed">Loading plan…</Text>;
  if (detail.isError) {
    return (
      <Stack>
        <ErrorState error={detail.error} title={`Plan ${planId} could not be loaded`} />
        <Anchor component={Link} to={plansPath()}>Back to the plans</Anchor>
      </Stack>
    );
  }
  const { plan, versions } = detail.data;
  const version = versions.find((v) => v.version === (shown ?? plan.version)) ?? versions[versions.length - 1];
  return (
    <Stack gap="md">
      <Breadcrumbs separator="›">
        <Anchor component={Link} to={plansPath()} size="sm">Deals</Anchor>
        <Text size="sm" fw={500}>{plan.name}</Text>
      </Breadcrumbs>
      <Group justify="space-between" align="start">
        <Stack gap={4}>
          <Group gap="sm">
            <Title order={2} data-testid="plan-title">{plan.name}</Title>
            <Badge variant="outline">v{plan.version}</Badge>
          </Group>
          <Text size="sm" c="dimmed">{plan.plan_id} · used by {plan.assignments} assignment{plan.assignments === 1 ? '' : 's'}</Text>
        </Stack>
        {canSave && <Button onClick={() => navigate(editPlanPath(plan.plan_id))} data-testid="plan-edit">Edit plan</Button>}
      </Group>
      <Text size="lg" data-testid="plan-description">{plan.description}</Text>
      <ComponentBadges types={plan.components} />
      <Title order={4}>Versions</Title>
      <Table highlightOnHover withTableBorder data-testid="plan-versions">
        <Table.Thead>
          <Table.Tr><Table.Th>Version</Table.Th><Table.Th>Created</Table.Th><Table.Th>What it pays</Table.Th></Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {versions.map((v) => (
            <Table.Tr key={v.version} data-testid={`plan-version-${v.version}`} style={{ cursor: 'pointer' }}
              bg={v.version === version?.version ? 'var(--mantine-color-indigo-0)' : undefined} onClick={() => setShown(v.version)}>
              <Table.Td>v{v.version}{v.version === plan.version ? ' (latest)' : ''}</Table.Td>
              <Table.Td>{v.created_at}</Table.Td>
              <Table.Td>{v.description}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      {version && (
        <Stack gap={4}>
          <Text size="sm" fw={600}>JSON of version {version.version}</Text>
          <Code block data-testid="plan-json-view">{version.json}</Code>
        </Stack>
      )}
    </Stack>
  );
}
