//! Commissions per period: run, close and export a period; its totals by
//! brand and kind as a table and bars; its lines, each with its explanation.
import { Code, Grid, Stack, Text, Title } from '@mantine/core';
import { ErrorState } from '../../components/ErrorState';
import { usePeriods, useTotals } from '../../queries';
import { LinesSection } from './LinesSection';
import { PeriodBar } from './PeriodBar';
import { TotalsChart } from './TotalsChart';
import { TotalsTable } from './TotalsTable';
import { useCommissionParams } from './useCommissionParams';

function EmptyState() {
  return (
    <Text c="dimmed" data-testid="commissions-empty">
      No commissions yet — import data with <Code>partnerdesk import DIR</Code> and run a period
    </Text>
  );
}

export function CommissionsPage() {
  const periods = usePeriods();
  const list = periods.data ?? [];
  const { period, filter, update } = useCommissionParams(list[0]?.period ?? null);
  const computed = list.some((p) => p.period === period);
  const totals = useTotals(computed ? period : null);
  // A new period shows everything; the line filters stay as chosen.
  const select = (p: string) => update({ period: p });

  return (
    <Stack gap="md">
      <Title order={2}>Commissions</Title>
      {periods.isError && <ErrorState error={periods.error} title="The periods could not be loaded" />}
      {periods.isSuccess && (
        <PeriodBar periods={list} period={period} onSelect={select} />
      )}
      {periods.isPending && <Text c="dimmed">Loading periods…</Text>}
      {periods.isSuccess && list.length === 0 && <EmptyState />}
      {periods.isSuccess && period && !computed && list.length > 0 && (
        <Text c="dimmed" data-testid="period-not-computed">{period} has not been computed: run it.</Text>
      )}
      {computed && (
        <>
          <Title order={4}>Totals of {period}</Title>
          {totals.isError && <ErrorState error={totals.error} title="The totals could not be loaded" />}
          {totals.data?.length === 0 && <Text c="dimmed" size="sm" data-testid="totals-empty">No commission in {period}.</Text>}
          {totals.data && totals.data.length > 0 && (
            <Grid gutter="xl">
              <Grid.Col span={{ base: 12, lg: 6 }}>
                <TotalsTable totals={totals.data} onPick={(brand, kind) => update({ brand, kind })} />
              </Grid.Col>
              <Grid.Col span={{ base: 12, lg: 6 }}>
                <TotalsChart totals={totals.data} />
              </Grid.Col>
            </Grid>
          )}
          <LinesSection filter={filter} update={update} />
        </>
      )}
    </Stack>
  );
}
