//! The controls of a report: range, dimensions (in the order chosen: they
//! group and sort), measures, filters and the currency to convert to.
import { ActionIcon, Badge, Chip, Group, NativeSelect, Stack, Text, TextInput } from '@mantine/core';
import type { ReportChoices, ReportQuery } from '../../bindings';
import { useBrands } from '../../queries';
import { moveEarlier, toggle } from './builder';

type Props = { query: ReportQuery; choices: ReportChoices; onChange: (q: ReportQuery) => void };

const GROUPS: { label: string; names: (m: string) => boolean }[] = [
  { label: 'Acquisition', names: (m) => ['registrations', 'excluded_registrations', 'ftds', 'ftd_amount', 'clicks', 'unique_clicks', 'conversion', 'unique_click_to_registration'].includes(m) },
  { label: 'iGaming', names: (m) => ['deposits', 'withdrawals', 'bets', 'wins', 'bonuses', 'chargebacks', 'taxes', 'ggr', 'net_gaming'].includes(m) },
  { label: 'Trading', names: (m) => ['trades', 'lots', 'trading_revenue'].includes(m) },
  { label: 'Prop', names: (m) => ['purchases', 'first_purchases', 'purchase_amount', 'refunds', 'refund_amount'].includes(m) },
  { label: 'Money', names: (m) => m.startsWith('commission') || ['qualified_cpas', 'paid', 'cost_per_ftd'].includes(m) },
];

export function ReportBuilder({ query, choices, onChange }: Props) {
  const brands = useBrands();
  const set = (change: Partial<ReportQuery>) => onChange({ ...query, ...change });
  const text = (v: string) => (v.trim() ? v.trim() : null);
  return (
    <Stack gap="sm" data-testid="report-builder">
      <Group align="end" wrap="wrap">
        <TextInput label="From" placeholder="YYYY-MM-DD" value={query.from} onChange={(e) => set({ from: e.currentTarget.value })} data-testid="report-from" w={160} />
        <TextInput label="To (inclusive)" placeholder="YYYY-MM-DD" value={query.to} onChange={(e) => set({ to: e.currentTarget.value })} data-testid="report-to" w={160} />
        <NativeSelect label="Brand" data={[{ value: '', label: 'Every brand' }, ...(brands.data ?? []).map((b) => ({ value: b.brand_id, label: `${b.name} (${b.brand_id})` }))]}
          value={query.brand ?? ''} onChange={(e) => set({ brand: e.currentTarget.value || null })} data-testid="report-brand" w={200} />
        <TextInput label="Partner" placeholder="Partner id" value={query.partner ?? ''} onChange={(e) => set({ partner: text(e.currentTarget.value) })} data-testid="report-partner" w={140} />
        <TextInput label="Tree of" placeholder="Partner id" value={query.tree ?? ''} onChange={(e) => set({ tree: text(e.currentTarget.value) })} data-testid="report-tree" w={140} />
        <TextInput label="Currency" placeholder="Each its own" value={query.currency ?? ''} maxLength={3}
          onChange={(e) => set({ currency: text(e.currentTarget.value.toUpperCase()) })} data-testid="report-currency" w={120} />
      </Group>
      <Stack gap={4}>
        <Text size="sm" fw={600}>Group by</Text>
        <Group gap={6}>
          {choices.dimensions.map((d) => (
            <Chip key={d} size="xs" checked={query.by.includes(d)} onChange={() => set({ by: toggle(query.by, d) })} data-testid={`dim-${d}`}>{d}</Chip>
          ))}
        </Group>
        {query.by.length > 1 && (
          <Group gap={4} data-testid="report-dim-order">
            <Text size="xs" c="dimmed">Order:</Text>
            {query.by.map((d, i) => (
              <Badge key={d} variant="light" rightSection={i > 0 ? (
                <ActionIcon size="xs" variant="transparent" aria-label={`Move ${d} earlier`} onClick={() => set({ by: moveEarlier(query.by, i) })}>←</ActionIcon>
              ) : undefined}>{d}</Badge>
            ))}
          </Group>
        )}
      </Stack>
      {GROUPS.map((g) => (
        <Stack gap={4} key={g.label}>
          <Text size="sm" fw={600}>{g.label}</Text>
          <Group gap={6}>
            {choices.measures.filter((m) => g.names(m.name)).map((m) => (
              <Chip key={m.name} size="xs" color={m.money ? 'grape' : 'blue'} checked={query.measures.includes(m.name)}
                onChange={() => set({ measures: toggle(query.measures, m.name) })} data-testid={`measure-${m.name}`}>{m.name}</Chip>
            ))}
          </Group>
        </Stack>
      ))}
    </Stack>
  );
}
