//! The plan editor's two addresses: a new plan, and editing an existing one
//! (which saves as a new version).
import { Anchor, Breadcrumbs, Stack, Text, Title } from '@mantine/core';
import { Link, useParams } from 'react-router-dom';
import { ErrorState } from '../../components/ErrorState';
import { usePlan } from '../../queries';
import { PlanEditor } from './editor/PlanEditor';
import { emptyPlan, planText } from './editor/planDraft';
import { planPath, plansPath } from './paths';

export function NewPlanPage() {
  return (
    <Stack gap="md">
      <Breadcrumbs separator="›">
        <Anchor component={Link} to={plansPath()} size="sm">Deals</Anchor>
        <Text size="sm" fw={500}>New plan</Text>
      </Breadcrumbs>
      <Title order={2}>New plan</Title>
      <PlanEditor initialText={planText(emptyPlan())} />
    </Stack>
  );
}

export function EditPlanPage() {
  const { planId = '' } = useParams();
  const detail = usePlan(planId);
  if (detail.isPending) return <Text c="dimmed">Loading plan…</Text>;
  if (detail.isError) return <ErrorState error={detail.error} title={`Plan ${planId} could not be loaded`} />;
  const plan = detail.data.plan;
  return (
    <Stack gap="md">
      <Breadcrumbs separator="›">
        <Anchor component={Link} to={plansPath()} size="sm">Deals</Anchor>
        <Anchor component={Link} to={planPath(plan.plan_id)} size="sm">{plan.name}</Anchor>
        <Text size="sm" fw={500}>Edit</Text>
      </Breadcrumbs>
      <Title order={2}>Edit {plan.name} <Text span c="dimmed" size="lg">(v{plan.version})</Text></Title>
      <PlanEditor key={plan.plan_id} initialText={plan.json} editing={plan.plan_id} />
    </Stack>
  );
}
