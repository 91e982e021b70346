//! CPA: an amount per qualifying customer (per country if wanted), the
//! qualification thresholds, window, countries and a cap per period.
import { Group, Stack, TagsInput } from '@mantine/core';
import type { CpaDraft } from './planDraft';
import { DecimalInput, WholeInput, usePathProps } from './fields';
import { PairList } from './PairList';

type Props = { path: string; value: CpaDraft; onChange: (v: CpaDraft) => void; currencyHint: string };

export function CpaFields({ path, value: v, onChange, currencyHint }: Props) {
  const set = <K extends keyof CpaDraft>(k: K, x: CpaDraft[K]) => onChange({ ...v, [k]: x });
  const countries = usePathProps(`${path}.countries`);
  return (
    <Stack gap="sm">
      <Group align="start" gap="md">
        <DecimalInput path={`${path}.amount`} label="Amount" value={v.amount} onChange={(x) => set('amount', x)} placeholder="100"
          description={currencyHint} required />
        <DecimalInput path={`${path}.min_deposits`} label="Min. deposits" value={v.min_deposits} onChange={(x) => set('min_deposits', x)}
          placeholder="any deposit" description="Cumulative" />
        <DecimalInput path={`${path}.min_bets`} label="Min. bets" value={v.min_bets} onChange={(x) => set('min_bets', x)}
          placeholder="0" description="Cumulative" />
      </Group>
      <Group align="start" gap="md">
        <WholeInput path={`${path}.window_days`} label="Window (days)" value={v.window_days} onChange={(x) => set('window_days', x)}
          placeholder="no limit" description="Registration day is day 1" />
        <WholeInput path={`${path}.cap_per_period`} label="Cap per period" value={v.cap_per_period} onChange={(x) => set('cap_per_period', x)}
          placeholder="no cap" description="Qualifiers paid a month" />
        <TagsInput label="Countries" description="Only these qualify; empty: all" placeholder="DE, AT…" value={v.countries} w={260}
          onChange={(c) => set('countries', c.map((x) => x.trim().toUpperCase()))} splitChars={[',', ' ']} {...countries} />
      </Group>
      <PairList path={`${path}.geo_amounts`} label="Amount by country" description="Instead of the amount for customers from these countries"
        pairs={v.geo_amounts} onChange={(p) => set('geo_amounts', p)} keyLabel="Country" keyPlaceholder="DE" valueLabel="Amount"
        valuePlaceholder="150" addLabel="Add a country amount" upperKeys />
    </Stack>
  );
}
