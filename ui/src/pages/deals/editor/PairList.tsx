//! Key → decimal pairs: CPA amounts per country, lot rebate rates per
//! instrument group. The core names a bad entry `<path>.<key>`.
import { ActionIcon, Button, Group, Stack, Text, TextInput } from '@mantine/core';
import { DECIMAL_SHAPE } from '../../../money';
import type { Pair } from './planDraft';
import { useProblemAt } from './fields';

type Props = {
  path: string;
  label: string;
  description?: string;
  pairs: Pair[];
  onChange: (pairs: Pair[]) => void;
  keyLabel: string;
  keyPlaceholder: string;
  valueLabel: string;
  valuePlaceholder: string;
  addLabel: string;
  /** Country codes are written in capitals. */
  upperKeys?: boolean;
};

function PairRow({ path, pair, index, props, set, remove }: { path: string; pair: Pair; index: number; props: Props; set: (p: Pair) => void; remove: () => void }) {
  const key = props.upperKeys ? pair.key.trim().toUpperCase() : pair.key.trim();
  const error = useProblemAt(`${path}.${key}`);
  const off = pair.value.trim() !== '' && !DECIMAL_SHAPE.test(pair.value.trim());
  const id = `${path}[${index}]`;
  return (
    <Group gap="xs" align="start">
      <TextInput aria-label={props.keyLabel} placeholder={props.keyPlaceholder} value={pair.key} w={130}
        onChange={(e) => set({ ...pair, key: props.upperKeys ? e.currentTarget.value.toUpperCase() : e.currentTarget.value })}
        data-testid={`plan-pair-${id}-key`} />
      <Text pt={6}>→</Text>
      <TextInput aria-label={props.valueLabel} placeholder={props.valuePlaceholder} value={pair.value} w={140} inputMode="decimal"
        onChange={(e) => set({ ...pair, value: e.currentTarget.value })} data-testid={`plan-pair-${id}-value`}
        error={error ?? (off ? 'Write a decimal such as 150' : undefined)} errorProps={{ 'data-testid': `plan-error-${path}.${key}` }} />
      <ActionIcon variant="subtle" color="red" mt={4} aria-label={`Remove ${pair.key || 'entry'}`} onClick={remove} data-testid={`plan-remove-${id}`}>✕</ActionIcon>
    </Group>
  );
}

export function PairList(props: Props) {
  const { path, label, description, pairs, onChange, addLabel } = props;
  const listError = useProblemAt(path);
  return (
    <Stack gap={4}>
      <Text size="sm" fw={500}>{label}</Text>
      {description && <Text size="xs" c="dimmed">{description}</Text>}
      {pairs.map((p, i) => (
        <PairRow key={i} path={path} pair={p} index={i} props={props}
          set={(next) => onChange(pairs.map((x, j) => (j === i ? next : x)))}
          remove={() => onChange(pairs.filter((_, j) => j !== i))} />
      ))}
      {listError && <Text size="xs" c="red" data-testid={`plan-error-${path}`}>{listError}</Text>}
      <Button variant="subtle" size="xs" w="fit-content" onClick={() => onChange([...pairs, { key: '', value: '' }])} data-testid={`plan-add-${path}`}>
        {addLabel}
      </Button>
    </Stack>
  );
}
