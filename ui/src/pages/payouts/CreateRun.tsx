//! Creating a payout run: for a pay date, or for a closed period (its last
//! day). The core refuses an open period and a run with nothing to pay, and
//! says which partners it held back.
import { useState } from 'react';
import { Alert, Button, Group, NativeSelect, SegmentedControl, Stack, TextInput } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useNavigate } from 'react-router-dom';
import { payoutRunCreate } from '../../api';
import { errorProps, formLevelError } from '../../components/fieldError';
import { toApiError } from '../../errors';
import { notifyDone } from '../../notify';
import { usePeriods } from '../../queries';
import { payoutKeys } from './payoutQueries';

const DATE_SHAPE = /^\d{4}-\d{2}-\d{2}$/;

export function CreateRun() {
  const client = useQueryClient();
  const navigate = useNavigate();
  const periods = usePeriods();
  const closed = (periods.data ?? []).filter((p) => p.state === 'closed').map((p) => p.period);
  const [mode, setMode] = useState<'date' | 'period'>('date');
  const [date, setDate] = useState('');
  const [period, setPeriod] = useState('');
  const chosenPeriod = period || closed[0] || '';
  const create = useMutation({
    mutationFn: () => (mode === 'date' ? payoutRunCreate(date.trim(), null) : payoutRunCreate(null, chosenPeriod)),
    onSuccess: async (d) => {
      notifyDone(`Run #${d.run.run_id} created: ${d.items.length} payment${d.items.length === 1 ? '' : 's'}, ${d.held.length} held back`);
      await client.invalidateQueries({ queryKey: payoutKeys.payouts });
      await client.invalidateQueries({ queryKey: payoutKeys.ledger });
      navigate(`/payouts/${d.run.run_id}`);
    },
  });
  const dateHint = date.trim() !== '' && !DATE_SHAPE.test(date.trim()) ? 'A date as YYYY-MM-DD' : undefined;
  const dateErr = errorProps(create.error, 'run', 'pay_date');
  const other = formLevelError(create.error, ['pay_date']);
  const ready = mode === 'date' ? DATE_SHAPE.test(date.trim()) : chosenPeriod !== '';
  return (
    <Stack gap="xs" data-testid="create-run">
      <Group align="end" gap="sm" wrap="wrap">
        <SegmentedControl value={mode} onChange={(v) => setMode(v as 'date' | 'period')} data-testid="run-mode"
          data={[{ value: 'date', label: 'Pay date' }, { value: 'period', label: 'Closed period' }]} />
        {mode === 'date' ? (
          <TextInput label="Pay date" placeholder="YYYY-MM-DD" value={date} onChange={(e) => setDate(e.currentTarget.value)} w={150}
            data-testid="run-date" {...dateErr} error={dateErr.error ?? dateHint} />
        ) : (
          <NativeSelect label="Closed period" value={chosenPeriod} onChange={(e) => setPeriod(e.currentTarget.value)} w={170}
            data={closed.length ? closed : [{ value: '', label: 'No closed period' }]} data-testid="run-period" />
        )}
        <Button onClick={() => create.mutate()} disabled={!ready} loading={create.isPending} data-testid="run-create">Create run</Button>
      </Group>
      {other ? <Alert color="red" title="No run was created" data-testid="run-create-error">{toApiError(other).message}</Alert> : null}
    </Stack>
  );
}
