//! Payouts: the runs and their states, creating a run, a run's detail with
//! its actions; balances; statements for a closed period; minimum payouts
//! and the operator's bank account.
import { useState } from 'react';
import { NativeSelect, Stack, Tabs, Text, Title } from '@mantine/core';
import { useParams } from 'react-router-dom';
import { ErrorState } from '../../components/ErrorState';
import { usePeriods } from '../../queries';
import { useSession } from '../../session';
import { BalancesView } from './BalancesView';
import { CreateRun } from './CreateRun';
import { usePayoutRuns } from './payoutQueries';
import { PayoutSettings } from './PayoutSettings';
import { RunDetail } from './RunDetail';
import { RunList } from './RunList';
import { StatementsAction } from './StatementsAction';

function PeriodStatements() {
  const periods = usePeriods();
  const closed = (periods.data ?? []).filter((p) => p.state === 'closed').map((p) => p.period);
  const [period, setPeriod] = useState('');
  const chosen = period || closed[0] || '';
  if (periods.isSuccess && closed.length === 0) {
    return <Text c="dimmed" data-testid="period-statements-none">No closed period yet: statements come from the ledger of a closed period.</Text>;
  }
  return (
    <Stack gap="xs" data-testid="period-statements">
      <NativeSelect label="Closed period" value={chosen} onChange={(e) => setPeriod(e.currentTarget.value)} data={closed} w={170}
        data-testid="period-statements-select" />
      {chosen && <StatementsAction key={chosen} target={{ kind: 'period', period: chosen }} />}
    </Stack>
  );
}

export function PayoutsPage() {
  const { runId } = useParams();
  const selected = runId !== undefined && /^\d+$/.test(runId) ? Number(runId) : null;
  const runs = usePayoutRuns();
  const { can } = useSession();
  return (
    <Stack gap="md">
      <Title order={2}>Payouts</Title>
      <Tabs defaultValue="runs" keepMounted={false}>
        <Tabs.List>
          <Tabs.Tab value="runs" data-testid="tab-runs">Runs</Tabs.Tab>
          <Tabs.Tab value="balances" data-testid="tab-balances">Balances</Tabs.Tab>
          <Tabs.Tab value="statements" data-testid="tab-statements">Statements</Tabs.Tab>
          <Tabs.Tab value="settings" data-testid="tab-payout-settings">Thresholds and account</Tabs.Tab>
        </Tabs.List>
        <Tabs.Panel value="runs" pt="md">
          <Stack gap="md">
            {can('payout.create') && <CreateRun />}
            {runs.isError && <ErrorState error={runs.error} title="The payout runs could not be loaded" />}
            {runs.isPending && <Text c="dimmed">Loading runs…</Text>}
            {runs.data && <RunList runs={runs.data} selected={selected} />}
            {selected !== null && <RunDetail key={selected} runId={selected} />}
          </Stack>
        </Tabs.Panel>
        <Tabs.Panel value="balances" pt="md"><BalancesView /></Tabs.Panel>
        <Tabs.Panel value="statements" pt="md"><PeriodStatements /></Tabs.Panel>
        <Tabs.Panel value="settings" pt="md"><PayoutSettings /></Tabs.Panel>
      </Tabs>
    </Stack>
  );
}
