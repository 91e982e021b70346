//! Lot rebate: a rate per lot by instrument group, a minimum holding time,
//! and how the rebate is split up the IB tree.
import { Group, NativeSelect, Stack } from '@mantine/core';
import type { LotRebateDraft } from './planDraft';
import { DecimalList, WholeInput, usePathProps } from './fields';
import { PairList } from './PairList';

type Props = { path: string; value: LotRebateDraft; onChange: (v: LotRebateDraft) => void };

export function LotRebateFields({ path, value: v, onChange }: Props) {
  const set = <K extends keyof LotRebateDraft>(k: K, x: LotRebateDraft[K]) => onChange({ ...v, [k]: x });
  const split = usePathProps(`${path}.split`);
  return (
    <Stack gap="sm">
      <PairList path={`${path}.rates`} label="Rate per lot by instrument group" description="A group not listed pays 0"
        pairs={v.rates} onChange={(p) => set('rates', p)} keyLabel="Instrument group" keyPlaceholder="fx_major"
        valueLabel="Rate per lot" valuePlaceholder="8" addLabel="Add a group" />
      <Group align="start" gap="md">
        <WholeInput path={`${path}.min_hold_seconds`} label="Min. holding (seconds)" value={v.min_hold_seconds}
          onChange={(x) => set('min_hold_seconds', x)} placeholder="0" />
        <NativeSelect label="Split up the tree" value={v.split} {...split} w={440}
          onChange={(e) => set('split', e.currentTarget.value as LotRebateDraft['split'])}
          data={[
            { value: 'difference', label: 'Difference: each IB earns its rate above the ones below' },
            { value: 'levels', label: 'Levels: shares of this rate per level up' },
          ]} />
      </Group>
      {(v.split === 'levels' || v.level_shares.length > 0) && (
        <DecimalList path={`${path}.level_shares`} label="Share per level" values={v.level_shares} onChange={(x) => set('level_shares', x)}
          itemLabel={(i) => (i === 0 ? 'Direct IB' : `${i} up`)} addLabel="Add a level"
          description={v.split === 'levels' ? 'Level 0 is the direct IB; missing ancestors are not paid' : 'Only used with the levels split'} />
      )}
    </Stack>
  );
}
