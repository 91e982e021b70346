//! The first page: the KPIs of a range against the range just before it,
//! trends by day, the top partners and countries, a brand filter. Activity
//! figures come from the roll-ups kept as data arrives, so what the last
//! import or sync brought shows at once; money figures need a run.
import { useState } from 'react';
import { Anchor, Badge, Card, Group, Loader, NativeSelect, SimpleGrid, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { Link } from 'react-router-dom';
import * as api from '../api';
import type { DashboardQuery, Kpi, TableView } from '../bindings';
import { ErrorState } from '../components/ErrorState';
import { compareDecimals } from '../money';
import { useAppInfo, useBrands } from '../queries';
import { isoDay, pickColumns, shown, UNATTRIBUTED } from './reports/builder';
import { ReportChart } from './reports/ReportChart';

const LABELS: Record<string, string> = {
  clicks: 'Clicks', unique_clicks: 'Unique clicks', registrations: 'Registrations', ftds: 'FTDs', qualified_cpas: 'Qualified CPAs', deposits: 'Deposits',
  net_gaming: 'Net gaming', lots: 'Lots', trading_revenue: 'Trading revenue', purchases: 'Purchases',
  commission: 'Commission', cost_per_ftd: 'Cost per FTD',
};
const UNITS: Record<string, string> = { clicks: 'count', unique_clicks: 'count', registrations: 'count', ftds: 'count', qualified_cpas: 'count', purchases: 'count', lots: 'lots' };

/** The first range shown: the last 30 days up to today. */
function lastDays(days: number, today = new Date()): { from: string; to: string } {
  return { from: isoDay(new Date(today.getTime() - (days - 1) * 86_400_000)), to: isoDay(today) };
}

export function Dashboard() {
  const info = useAppInfo();
  const brands = useBrands();
  const [query, setQuery] = useState<DashboardQuery>(() => ({ ...lastDays(30), brand: null, currency: 'EUR' }));
  const set = (change: Partial<DashboardQuery>) => setQuery((q) => ({ ...q, ...change }));
  const valid = /^\d{4}-\d{2}-\d{2}$/.test(query.from) && /^\d{4}-\d{2}-\d{2}$/.test(query.to) && /^[A-Z]{3}$/.test(query.currency);
  const board = useQuery({ queryKey: ['reports', 'dashboard', query], queryFn: () => api.reportsDashboard(query), enabled: valid });
  const currencies = [...new Set(['EUR', 'USD', 'GBP', ...(brands.data ?? []).map((b) => b.currency)])].sort();
  const d = board.data;
  return (
    <Stack gap="md">
      <Group justify="space-between" align="end">
        <Title order={2}>Dashboard</Title>
        <Group align="end" gap="xs">
          <TextInput label="From" placeholder="YYYY-MM-DD" value={query.from} onChange={(e) => set({ from: e.currentTarget.value })} data-testid="dashboard-from" w={150} />
          <TextInput label="To" placeholder="YYYY-MM-DD" value={query.to} onChange={(e) => set({ to: e.currentTarget.value })} data-testid="dashboard-to" w={150} />
          <NativeSelect label="Brand" w={190} value={query.brand ?? ''} onChange={(e) => set({ brand: e.currentTarget.value || null })}
            data={[{ value: '', label: 'Every brand' }, ...(brands.data ?? []).map((b) => ({ value: b.brand_id, label: `${b.name} (${b.brand_id})` }))]} data-testid="dashboard-brand" />
          <NativeSelect label="Currency" w={100} value={query.currency} onChange={(e) => set({ currency: e.currentTarget.value })} data={currencies}
            data-testid="dashboard-currency" />
        </Group>
      </Group>
      {info.data && (
        <Text size="sm" c="dimmed">
          <span data-testid="dashboard-partners">{info.data.partners}</span> partners · {info.data.database.backend}
          {!info.data.database.ok && <> · <Anchor component={Link} to="/settings" size="sm">the database is unavailable: see Settings</Anchor></>}
        </Text>
      )}
      {board.isPending && valid && <Group gap="xs" data-testid="dashboard-loading"><Loader size="sm" /><Text size="sm">Computing…</Text></Group>}
      {board.isError && <ErrorState error={board.error} title="The dashboard could not be computed" />}
      {d && (
        <>
          <Text size="xs" c="dimmed" data-testid="dashboard-range">
            {d.from} – {d.to} against {d.previous_from} – {d.previous_to}, amounts in {d.currency}. Imports and syncs show here at once; commission needs a run.
          </Text>
          <SimpleGrid cols={{ base: 2, sm: 3, lg: 6 }} data-testid="dashboard-kpis">
            {d.kpis.map((k) => <KpiCard key={k.measure} kpi={k} />)}
          </SimpleGrid>
          {d.money_note && <Text size="sm" c="dimmed" data-testid="dashboard-money-note">Money figures: {d.money_note}</Text>}
          {d.trend.rows.length === 0 ? (
            <Text c="dimmed" data-testid="dashboard-empty">No activity in this range yet: import a folder or sync a platform, or choose another range.</Text>
          ) : (
            <SimpleGrid cols={{ base: 1, lg: 2 }} data-testid="dashboard-trends">
              <Card withBorder><Text fw={600} size="sm" mb="xs">Registrations and FTDs by day</Text>
                <ReportChart table={pickColumns(d.trend, ['day', 'registrations', 'ftds'])} height={220} /></Card>
              <Card withBorder><Text fw={600} size="sm" mb="xs">Deposits and net gaming by day ({d.currency})</Text>
                <ReportChart table={pickColumns(d.trend, ['day', 'deposits', 'net_gaming', 'trading_revenue', 'purchase_amount'])} height={220} /></Card>
            </SimpleGrid>
          )}
          <SimpleGrid cols={{ base: 1, lg: 2 }}>
            <TopTable title="Top partners" table={d.top_partners} testId="dashboard-top-partners" link={(v) => (v === UNATTRIBUTED ? null : `/partners/${encodeURIComponent(v)}`)} />
            <TopTable title="Top countries" table={d.top_countries} testId="dashboard-top-countries" link={() => null} />
          </SimpleGrid>
          <Anchor component={Link} to="/reports" size="sm">Open the reports page</Anchor>
        </>
      )}
    </Stack>
  );
}

function KpiCard({ kpi }: { kpi: Kpi }) {
  const unit = UNITS[kpi.measure] ?? 'amount';
  const change = kpi.current && kpi.previous ? compareDecimals(kpi.current, kpi.previous) : 0;
  return (
    <Card withBorder padding="sm" data-testid={`kpi-${kpi.measure}`}>
      <Text size="xs" c="dimmed">{LABELS[kpi.measure] ?? kpi.measure}</Text>
      <Text size="lg" fw={700} data-testid={`kpi-${kpi.measure}-current`}>{kpi.current === '' ? '—' : shown(unit, kpi.current)}</Text>
      <Group gap={4}>
        <Text size="xs" c="dimmed">before: {kpi.previous === '' ? '—' : shown(unit, kpi.previous)}</Text>
        {change !== 0 && <Badge size="xs" variant="light" color={change > 0 ? 'teal' : 'red'}>{change > 0 ? '▲' : '▼'}</Badge>}
      </Group>
    </Card>
  );
}

function TopTable({ title, table, testId, link }: { title: string; table: TableView; testId: string; link: (v: string) => string | null }) {
  return (
    <Card withBorder data-testid={testId}>
      <Text fw={600} size="sm" mb="xs">{title}</Text>
      {table.rows.length === 0 ? <Text size="sm" c="dimmed">Nothing in this range.</Text> : (
        <Table striped withRowBorders={false} fz="sm">
          <Table.Thead><Table.Tr>{table.columns.map((c) => <Table.Th key={c}>{c}</Table.Th>)}</Table.Tr></Table.Thead>
          <Table.Tbody>
            {table.rows.map((r) => (
              <Table.Tr key={r.join('|')}>
                {r.map((cell, i) => {
                  const to = i === 0 ? link(cell) : null;
                  return <Table.Td key={i} ta={table.units[i] === 'text' ? 'left' : 'right'}>
                    {to ? <Anchor component={Link} to={to} size="sm">{cell}</Anchor> : shown(table.units[i] ?? 'text', cell || '(none)')}
                  </Table.Td>;
                })}
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
    </Card>
  );
}
