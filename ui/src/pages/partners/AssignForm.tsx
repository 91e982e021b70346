//! Assigning a plan to the partner for a brand from a month (deals change at
//! period boundaries): from the first day of a month, until the last day of
//! one or open-ended. The core's message appears under the field it names.
import { useState } from 'react';
import { Alert, Anchor, Button, Group, NativeSelect, TextInput } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Link } from 'react-router-dom';
import { assignmentsAdd } from '../../api';
import type { AssignmentView } from '../../bindings';
import { errorProps, formLevelError } from '../../components/fieldError';
import { toApiError } from '../../errors';
import { notifyDone, notifyWaiting } from '../../notify';
import { firstDayOf, lastDayOf } from '../../periods';
import { keys, useBrands, usePlans } from '../../queries';
import { Notice } from '../../components/Notice';

const FIELDS = ['brand_id', 'plan_id', 'valid_from', 'valid_to'] as const;

/** The assignment the form describes: months become the first and the last day. */
export function assignmentOf(partnerId: string, brand: string, plan: string, from: string, until: string): AssignmentView {
  return {
    partner_id: partnerId,
    brand_id: brand,
    plan_id: plan,
    valid_from: firstDayOf(from),
    valid_to: until.trim() === '' ? null : lastDayOf(until),
  };
}

export function AssignForm({ partnerId }: { partnerId: string }) {
  const brands = useBrands();
  const plans = usePlans();
  const client = useQueryClient();
  const [brand, setBrand] = useState('');
  const [plan, setPlan] = useState('');
  const [from, setFrom] = useState('');
  const [until, setUntil] = useState('');
  const add = useMutation({
    mutationFn: (input: AssignmentView) => assignmentsAdd(input),
    onSuccess: (o) => {
      setFrom('');
      setUntil('');
      const a = o.assignment;
      if (o.applied) {
        notifyDone(`Plan ${a.plan_id} assigned for ${a.brand_id} from ${a.valid_from}`);
      } else {
        notifyWaiting(`Plan ${a.plan_id} for ${a.brand_id} from ${a.valid_from} waits for approval${o.approval ? ` (request #${o.approval.approval_id})` : ''}`);
      }
      void client.invalidateQueries({ queryKey: ['approvals'] });
      return client.invalidateQueries({ queryKey: keys.plans });
    },
  });
  const brandList = brands.data ?? [];
  const planList = plans.data ?? [];
  if (brands.isSuccess && plans.isSuccess && (brandList.length === 0 || planList.length === 0)) {
    return (
      <Alert color="gray" data-testid="assign-unavailable">
        A deal needs a brand and a plan:{' '}
        {brandList.length === 0 && <><Anchor component={Link} to="/settings">create a brand in Settings</Anchor>{planList.length === 0 ? ' and ' : ''}</>}
        {planList.length === 0 && <Anchor component={Link} to="/new-plan">create a plan in Deals</Anchor>} first.
      </Alert>
    );
  }
  const brandId = brand || brandList[0]?.brand_id || '';
  const planId = plan || planList[0]?.plan_id || '';
  const err = (field: string) => errorProps(add.error, 'assign', field);
  const other = formLevelError(add.error, FIELDS);
  return (
    <form noValidate onSubmit={(e) => { e.preventDefault(); add.mutate(assignmentOf(partnerId, brandId, planId, from, until)); }}>
      <Group align="start" gap="sm">
        <NativeSelect label="Brand" value={brandId} onChange={(e) => setBrand(e.currentTarget.value)}
          data={brandList.map((b) => ({ value: b.brand_id, label: b.name }))} data-testid="assign-brand" {...err('brand_id')} />
        <NativeSelect label="Plan" value={planId} onChange={(e) => setPlan(e.currentTarget.value)} maw={260}
          data={planList.map((p) => ({ value: p.plan_id, label: `${p.name} (${p.plan_id})` }))} data-testid="assign-plan" {...err('plan_id')} />
        <TextInput label="From month" type="month" placeholder="YYYY-MM" value={from} onChange={(e) => setFrom(e.currentTarget.value)}
          w={160} data-testid="assign-from" {...err('valid_from')} />
        <TextInput label="Until month" description="Empty: open-ended" type="month" placeholder="YYYY-MM" value={until}
          onChange={(e) => setUntil(e.currentTarget.value)} w={160} data-testid="assign-until" {...err('valid_to')}
          inputWrapperOrder={['label', 'input', 'description', 'error']} />
        <Button type="submit" mt={25} loading={add.isPending} data-testid="assign-save">Assign plan</Button>
      </Group>
      {other ? <Alert color="red" mt="xs" data-testid="assign-error">{toApiError(other).message}</Alert> : null}
      {add.data && !add.data.applied && (
        <Notice color="yellow" mt="xs" testId="assign-waiting">
          Plan {add.data.assignment.plan_id} for {add.data.assignment.brand_id} from {add.data.assignment.valid_from} waits for approval
          {add.data.approval ? ` (request #${add.data.approval.approval_id})` : ''}: it takes effect when a second person approves it under Compliance → Approvals.
        </Notice>
      )}
    </form>
  );
}
