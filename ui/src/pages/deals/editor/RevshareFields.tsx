//! RevShare: a flat rate of NGR or tiers by FTDs or NGR (flat or
//! progressive), admin and payment fees, negative carry-over.
import { ActionIcon, Button, Checkbox, Group, NativeSelect, Stack, Switch, Text } from '@mantine/core';
import type { RevshareDraft, Tier } from './planDraft';
import { DecimalInput, useProblemAt, usePathProps } from './fields';

type Props = { path: string; value: RevshareDraft; onChange: (v: RevshareDraft) => void };

function Tiers({ path, tiers, onChange }: { path: string; tiers: Tier[]; onChange: (t: Tier[]) => void }) {
  const listError = useProblemAt(`${path}.tiers`);
  const set = (i: number, t: Tier) => onChange(tiers.map((x, j) => (j === i ? t : x)));
  return (
    <Stack gap={4}>
      {tiers.map((t, i) => (
        <Group key={i} gap="xs" align="start">
          <DecimalInput path={`${path}.tiers[${i}].from`} label={i === 0 ? 'From' : undefined} value={t.from} onChange={(from) => set(i, { ...t, from })} placeholder="10" />
          <DecimalInput path={`${path}.tiers[${i}].rate`} label={i === 0 ? 'Rate' : undefined} value={t.rate} onChange={(rate) => set(i, { ...t, rate })} placeholder="0.30" />
          <ActionIcon variant="subtle" color="red" mt={i === 0 ? 30 : 4} aria-label={`Remove tier ${i + 1}`}
            onClick={() => onChange(tiers.filter((_, j) => j !== i))} data-testid={`plan-remove-${path}.tiers[${i}]`}>✕</ActionIcon>
        </Group>
      ))}
      {listError && <Text size="xs" c="red" data-testid={`plan-error-${path}.tiers`}>{listError}</Text>}
      <Button variant="subtle" size="xs" w="fit-content" onClick={() => onChange([...tiers, { from: '', rate: '' }])} data-testid={`plan-add-${path}.tiers`}>
        Add a tier
      </Button>
    </Stack>
  );
}

export function RevshareFields({ path, value: v, onChange }: Props) {
  const set = <K extends keyof RevshareDraft>(k: K, x: RevshareDraft[K]) => onChange({ ...v, [k]: x });
  const metric = usePathProps(`${path}.tier_metric`);
  const mode = usePathProps(`${path}.tier_mode`);
  const carry = usePathProps(`${path}.negative_carryover`);
  return (
    <Stack gap="sm">
      <Group align="start" gap="md">
        <DecimalInput path={`${path}.rate`} label="Rate of NGR" value={v.rate} onChange={(x) => set('rate', x)} placeholder="0.25"
          description={v.useTiers ? 'Not used while tiers are on' : '0.25 = 25%'} />
        <DecimalInput path={`${path}.admin_fee_rate`} label="Admin fee" value={v.admin_fee_rate} onChange={(x) => set('admin_fee_rate', x)}
          placeholder="0" description="Off positive NGR, 0–1" />
        <DecimalInput path={`${path}.payment_fee_rate`} label="Payment fee" value={v.payment_fee_rate} onChange={(x) => set('payment_fee_rate', x)}
          placeholder="0" description="Of deposits + withdrawals" />
      </Group>
      <Checkbox label="Negative carry-over (a negative period is netted against the next ones)" checked={v.negative_carryover}
        onChange={(e) => set('negative_carryover', e.currentTarget.checked)} data-testid={carry['data-testid']} error={carry.error} />
      <Switch label="Tiers" checked={v.useTiers} onChange={(e) => set('useTiers', e.currentTarget.checked)} data-testid={`plan-field-${path}.use_tiers`} />
      {v.useTiers && (
        <Stack gap="xs" pl="md">
          <Group gap="md" align="start">
            <NativeSelect label="Tier by" value={v.tier_metric} {...metric}
              onChange={(e) => set('tier_metric', e.currentTarget.value as RevshareDraft['tier_metric'])}
              data={[{ value: 'ftds', label: "FTDs in the period" }, { value: 'ngr', label: "The period's NGR" }]} />
            <NativeSelect label="Mode" value={v.tier_mode} {...mode}
              onChange={(e) => set('tier_mode', e.currentTarget.value as RevshareDraft['tier_mode'])}
              data={[{ value: 'flat', label: 'Flat: all at the reached tier' }, { value: 'progressive', label: 'Progressive: each slice at its tier' }]} />
          </Group>
          <Tiers path={path} tiers={v.tiers} onChange={(t) => set('tiers', t)} />
        </Stack>
      )}
    </Stack>
  );
}
