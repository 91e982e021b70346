//! The small components: spread share, purchase share, sub-partner override.
import { Group } from '@mantine/core';
import type { PurchaseShareDraft, SpreadShareDraft, SubOverrideDraft } from './planDraft';
import { DecimalInput, DecimalList } from './fields';

export function SpreadShareFields({ path, value, onChange }: { path: string; value: SpreadShareDraft; onChange: (v: SpreadShareDraft) => void }) {
  return (
    <DecimalInput path={`${path}.rate`} label="Rate of commission + spread revenue" value={value.rate}
      onChange={(rate) => onChange({ ...value, rate })} placeholder="0.20" description="Direct IB only" w={260} required />
  );
}

type PurchaseProps = { path: string; value: PurchaseShareDraft; onChange: (v: PurchaseShareDraft) => void; currencyHint: string };

export function PurchaseShareFields({ path, value: v, onChange, currencyHint }: PurchaseProps) {
  const set = (k: keyof Omit<PurchaseShareDraft, 'type'>) => (x: string) => onChange({ ...v, [k]: x });
  return (
    <Group align="start" gap="md">
      <DecimalInput path={`${path}.first_rate`} label="First purchase rate" w={180} value={v.first_rate} onChange={set('first_rate')} placeholder="0.15" required />
      <DecimalInput path={`${path}.repeat_rate`} label="Repeat purchase rate" w={180} value={v.repeat_rate} onChange={set('repeat_rate')} placeholder="0.10" required />
      <DecimalInput path={`${path}.first_purchase_cpa`} label="CPA on a first purchase" value={v.first_purchase_cpa}
        onChange={set('first_purchase_cpa')} placeholder="0" description={currencyHint} w={180} />
    </Group>
  );
}

export function SubOverrideFields({ path, value, onChange }: { path: string; value: SubOverrideDraft; onChange: (v: SubOverrideDraft) => void }) {
  return (
    <DecimalList path={`${path}.levels`} label="Rate per level below" values={value.levels} onChange={(levels) => onChange({ ...value, levels })}
      itemLabel={(i) => `Level ${i + 1}`} addLabel="Add a level"
      description="Of each descendant's own revshare + CPA + purchase share; level 1 is a direct sub-partner" />
  );
}
