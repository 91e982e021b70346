//! The reports page: put a report of REPORTS.md together, run it, read its
//! table (sortable, virtualised, with totals) and its chart, open what is
//! behind a row (a partner's customers, then a customer), save the view by
//! name, export it as CSV or XLSX through the core (the CLI's bytes).
import { useState } from 'react';
import { Alert, Button, Divider, Group, Loader, Stack, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useNavigate } from 'react-router-dom';
import * as api from '../../api';
import type { ReportQuery } from '../../bindings';
import { ErrorState } from '../../components/ErrorState';
import { useSession } from '../../session';
import { ExportButtons } from '../payouts/ExportButtons';
import { defaultQuery, drillTarget, problems } from './builder';
import { ReportBuilder } from './ReportBuilder';
import { ReportChart } from './ReportChart';
import { ReportTable } from './ReportTable';
import { SavedViews } from './SavedViews';

export function ReportsPage() {
  const { session, can } = useSession();
  const navigate = useNavigate();
  const [query, setQuery] = useState<ReportQuery>(() => defaultQuery());
  const [asked, setAsked] = useState<ReportQuery | null>(null);
  // Each run asks again, even for the same report (new data, a failed try).
  const [run, setRun] = useState(0);
  const ask = (q: ReportQuery) => { setAsked(q); setRun((n) => n + 1); };
  const choices = useQuery({ queryKey: ['reports', 'choices'], queryFn: api.reportsChoices, staleTime: Infinity });
  const result = useQuery({
    queryKey: ['reports', 'view', asked, run],
    queryFn: () => api.reportsView(asked!),
    enabled: asked !== null,
  });
  const wrong = problems(query, choices.data);
  const money = query.measures.some((m) => choices.data?.measures.find((c) => c.name === m)?.money);
  const mayExport = !money || can('commissions.export');
  return (
    <Stack gap="md">
      <Title order={2}>Reports</Title>
      <SavedViews user={session?.user ?? 'local'} query={query} onLoad={(q) => { setQuery(q); ask(q); }} />
      {choices.isError && <ErrorState error={choices.error} title="The report choices could not be loaded" />}
      {choices.data && <ReportBuilder query={query} choices={choices.data} onChange={setQuery} />}
      {wrong.length > 0 && (
        <Alert color="yellow" data-testid="report-problems">
          {wrong.map((w) => <Text key={w} size="sm">{w}</Text>)}
        </Alert>
      )}
      <Group>
        <Button onClick={() => ask({ ...query })} disabled={wrong.length > 0 || !choices.data} data-testid="report-run">Run report</Button>
        <ExportButtons what="Report" testId="report-export" disabled={wrong.length > 0 || !mayExport} run={(f) => api.reportsExport(query, f)} />
        {!mayExport && <Text size="xs" c="dimmed">Money measures are exported by finance, compliance and admins.</Text>}
      </Group>
      <Divider />
      {asked === null && <Text c="dimmed" data-testid="report-idle">Choose what to see and run the report.</Text>}
      {result.isFetching && <Group gap="xs" data-testid="report-loading"><Loader size="sm" /><Text size="sm">Computing the report…</Text></Group>}
      {result.isError && <ErrorState error={result.error} title="The report could not be computed" />}
      {result.data && !result.isFetching && (
        result.data.table.rows.length === 0 ? (
          <Text c="dimmed" data-testid="report-empty">
            No figures in this range{asked?.brand ? ` for ${asked.brand}` : ''}: import data, sync, or widen the range.
          </Text>
        ) : (
          <Stack gap="md">
            <Text size="sm" c="dimmed" data-testid="report-count">
              {result.data.table.rows.length} row{result.data.table.rows.length === 1 ? '' : 's'}; click a partner's row to see its customers.
            </Text>
            <ReportTable table={result.data.table} totals={result.data.totals}
              target={(row) => drillTarget(result.data.table, row, asked!)} onOpen={(to) => navigate(to)} />
            <ReportChart table={result.data.table} />
          </Stack>
        )
      )}
    </Stack>
  );
}
