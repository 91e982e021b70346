//! A partner's performance over time: its own figures and its tree's (its
//! own plus every descendant's), by month over the last twelve, from the
//! same report as the reports page.
import { Anchor, Card, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { Link } from 'react-router-dom';
import * as api from '../../api';
import type { ReportQuery } from '../../bindings';
import { ErrorState } from '../../components/ErrorState';
import { isoDay, pickColumns } from '../reports/builder';
import { ReportChart } from '../reports/ReportChart';
import { ReportTable } from '../reports/ReportTable';

const MEASURES = ['registrations', 'ftds', 'deposits', 'net_gaming', 'lots', 'purchase_amount'];

/** The first day of the month eleven months back, and today. */
export function lastTwelveMonths(today = new Date()): { from: string; to: string } {
  return { from: isoDay(new Date(Date.UTC(today.getUTCFullYear(), today.getUTCMonth() - 11, 1))), to: isoDay(today) };
}

export function PartnerPerformance({ partnerId }: { partnerId: string }) {
  const range = lastTwelveMonths();
  const base: ReportQuery = { ...range, by: ['period'], measures: MEASURES, brand: null, partner: null, tree: null, currency: null };
  return (
    <Stack gap="sm" data-testid="partner-performance">
      <Title order={4}>Performance, last twelve months</Title>
      <SimpleGrid cols={{ base: 1, lg: 2 }}>
        <Panel title="Own customers" testId="performance-own" query={{ ...base, partner: partnerId }} />
        <Panel title="Tree (with every sub-partner)" testId="performance-tree" query={{ ...base, tree: partnerId }} />
      </SimpleGrid>
      <Anchor component={Link} to="/reports" size="sm">More in the reports page</Anchor>
    </Stack>
  );
}

function Panel({ title, query, testId }: { title: string; query: ReportQuery; testId: string }) {
  const r = useQuery({ queryKey: ['reports', 'view', query], queryFn: () => api.reportsView(query) });
  return (
    <Card withBorder data-testid={testId}>
      <Text fw={600} size="sm" mb="xs">{title}</Text>
      {r.isPending && <Text size="sm" c="dimmed">Loading…</Text>}
      {r.isError && <ErrorState error={r.error} title="The figures could not be computed" />}
      {r.data && (r.data.table.rows.length === 0 ? (
        <Text size="sm" c="dimmed" data-testid={`${testId}-empty`}>No figures in the last twelve months.</Text>
      ) : (
        <Stack gap="xs">
          <ReportChart table={pickColumns(r.data.table, ['period', 'registrations', 'ftds'])} height={180} />
          <ReportTable table={r.data.table} totals={r.data.totals} target={() => null} onOpen={() => {}} />
        </Stack>
      ))}
    </Card>
  );
}
