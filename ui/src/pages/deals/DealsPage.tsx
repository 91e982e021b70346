//! The plan list: every commission plan with its latest version, what it
//! pays in plain words, and how many assignments use it.
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { Badge, Button, Code, Group, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { useNavigate } from 'react-router-dom';
import type { PlanView } from '../../bindings';
import { ErrorState } from '../../components/ErrorState';
import { usePlans } from '../../queries';
import { useListKeys } from '../partners/useListKeys';
import { ComponentBadges } from './ComponentBadges';
import { newPlanPath, planPath } from './paths';
import { useCan } from '../../session';

function matches(p: PlanView, text: string): boolean {
  const t = text.trim().toLowerCase();
  return !t || p.plan_id.toLowerCase().includes(t) || p.name.toLowerCase().includes(t) || p.description.toLowerCase().includes(t);
}

export function DealsPage() {
  const navigate = useNavigate();
  const plans = usePlans();
  const canSave = useCan('plan.save');
  const [text, setText] = useState('');
  const [selected, setSelected] = useState(-1);
  const searchRef = useRef<HTMLInputElement>(null);
  const rows = useMemo(() => (plans.data ?? []).filter((p) => matches(p, text)), [plans.data, text]);
  useEffect(() => setSelected(-1), [text]);
  const openSelected = useCallback(() => {
    const row = rows[selected];
    if (row) navigate(planPath(row.plan_id));
  }, [rows, selected, navigate]);
  useListKeys({ searchRef, count: rows.length, setSelected, openSelected });

  return (
    <Stack gap="sm">
      <Group justify="space-between">
        <Group gap="sm" align="baseline">
          <Title order={2}>Deals</Title>
          {plans.data && <Text c="dimmed" data-testid="plan-total">{plans.data.length} plans</Text>}
        </Group>
        {canSave && <Button onClick={() => navigate(newPlanPath())} data-testid="plan-new">New plan</Button>}
      </Group>
      <TextInput ref={searchRef} label="Filter" placeholder="Id, name or what it pays…  (press /)" value={text}
        onChange={(e) => setText(e.currentTarget.value)} w={320} data-testid="plan-search" />
      {plans.isError && <ErrorState error={plans.error} title="The plans could not be loaded" />}
      {plans.isPending && <Text c="dimmed">Loading plans…</Text>}
      {plans.data?.length === 0 && (
        <Text c="dimmed" data-testid="plan-empty">
          No plans yet — create one, or import a <Code>plans.json</Code> with <Code>partnerdesk import DIR</Code>.
        </Text>
      )}
      {rows.length > 0 && (
        <Table highlightOnHover withTableBorder data-testid="plan-list">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Plan id</Table.Th><Table.Th>Name</Table.Th><Table.Th>Version</Table.Th>
              <Table.Th>What it pays</Table.Th><Table.Th>Components</Table.Th><Table.Th>Assignments</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {rows.map((p, i) => (
              <Table.Tr key={p.plan_id} data-testid={`plan-row-${p.plan_id}`} aria-selected={i === selected} style={{ cursor: 'pointer' }}
                bg={i === selected ? 'var(--mantine-color-indigo-0)' : undefined} onClick={() => navigate(planPath(p.plan_id))}>
                <Table.Td>{p.plan_id}</Table.Td>
                <Table.Td>{p.name}</Table.Td>
                <Table.Td><Badge variant="outline" size="sm">v{p.version}</Badge></Table.Td>
                <Table.Td>{p.description}</Table.Td>
                <Table.Td><ComponentBadges types={p.components} /></Table.Td>
                <Table.Td>{p.assignments}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
      {plans.data && plans.data.length > 0 && rows.length === 0 && <Text c="dimmed">No plans match this filter.</Text>}
    </Stack>
  );
}
