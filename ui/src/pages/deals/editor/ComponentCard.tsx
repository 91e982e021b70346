//! One component of the plan in a card: its type, its fields, removing it.
import { Badge, Button, Card, Group, Stack, Text } from '@mantine/core';
import { COMPONENT_TYPES, labelOf } from '../../../options';
import type { ComponentDraft } from './planDraft';
import { CpaFields } from './CpaFields';
import { useProblemAt } from './fields';
import { LotRebateFields } from './LotRebateFields';
import { RevshareFields } from './RevshareFields';
import { PurchaseShareFields, SpreadShareFields, SubOverrideFields } from './SimpleFields';

const CURRENCY = "In the brand's currency";

function Fields({ path, value, onChange }: { path: string; value: ComponentDraft; onChange: (c: ComponentDraft) => void }) {
  switch (value.type) {
    case 'revshare':
      return <RevshareFields path={path} value={value} onChange={onChange} />;
    case 'cpa':
      return <CpaFields path={path} value={value} onChange={onChange} currencyHint={CURRENCY} />;
    case 'lot_rebate':
      return <LotRebateFields path={path} value={value} onChange={onChange} />;
    case 'spread_share':
      return <SpreadShareFields path={path} value={value} onChange={onChange} />;
    case 'purchase_share':
      return <PurchaseShareFields path={path} value={value} onChange={onChange} currencyHint={CURRENCY} />;
    case 'sub_override':
      return <SubOverrideFields path={path} value={value} onChange={onChange} />;
  }
}

type Props = { index: number; value: ComponentDraft; onChange: (c: ComponentDraft) => void; onRemove: () => void };

export function ComponentCard({ index, value, onChange, onRemove }: Props) {
  const path = `components[${index}]`;
  const whole = useProblemAt(path);
  const type = useProblemAt(`${path}.type`);
  return (
    <Card withBorder padding="sm" data-testid={`plan-component-${value.type}`}>
      <Stack gap="sm">
        <Group justify="space-between">
          <Group gap="xs">
            <Badge variant="light">{labelOf(COMPONENT_TYPES, value.type)}</Badge>
            <Text size="xs" c="dimmed">{value.type}</Text>
          </Group>
          <Button variant="subtle" color="red" size="xs" onClick={onRemove} data-testid={`plan-remove-${path}`}>Remove</Button>
        </Group>
        {(whole ?? type) && <Text size="sm" c="red" data-testid={`plan-error-${whole ? path : `${path}.type`}`}>{whole ?? type}</Text>}
        <Fields path={path} value={value} onChange={onChange} />
      </Stack>
    </Card>
  );
}
