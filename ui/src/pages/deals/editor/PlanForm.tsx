//! The plan as a form: id, name, and its components (at most one of each type).
import { Button, Group, Stack, Text, TextInput } from '@mantine/core';
import { COMPONENT_TYPES } from '../../../options';
import { ComponentCard } from './ComponentCard';
import { usePathProps, useProblemAt } from './fields';
import { emptyComponent, type ComponentType, type PlanDraft } from './planDraft';

type Props = { draft: PlanDraft; onChange: (d: PlanDraft) => void; editing: boolean };

export function PlanForm({ draft, onChange, editing }: Props) {
  const present = new Set(draft.components.map((c) => c.type));
  const add = (type: ComponentType) => onChange({ ...draft, components: [...draft.components, emptyComponent(type)] });
  const idProps = usePathProps('plan_id');
  const nameProps = usePathProps('name');
  const listError = useProblemAt('components');
  return (
    <Stack gap="md">
      <Group align="start" gap="md">
        <TextInput label="Plan id" placeholder="e.g. casino-hybrid" value={draft.plan_id} w={220} required disabled={editing}
          description={editing ? 'Saving a change makes a new version' : 'It never changes'}
          onChange={(e) => onChange({ ...draft, plan_id: e.currentTarget.value })} {...idProps}
          inputWrapperOrder={['label', 'description', 'input', 'error']} />
        <TextInput label="Name" placeholder="e.g. Casino hybrid 2026" value={draft.name} w={320} required
          onChange={(e) => onChange({ ...draft, name: e.currentTarget.value })} {...nameProps}
          inputWrapperOrder={['label', 'description', 'input', 'error']} description="Shown in lists" />
      </Group>
      {draft.components.length === 0 && <Text size="sm" c="dimmed">No components yet: add what this deal pays.</Text>}
      {listError && <Text size="sm" c="red" data-testid="plan-error-components">{listError}</Text>}
      {draft.components.map((c, i) => (
        <ComponentCard
          key={`${c.type}-${i}`}
          index={i}
          value={c}
          onChange={(next) => onChange({ ...draft, components: draft.components.map((x, j) => (j === i ? next : x)) })}
          onRemove={() => onChange({ ...draft, components: draft.components.filter((_, j) => j !== i) })}
        />
      ))}
      <Group gap="xs">
        <Text size="sm">Add:</Text>
        {COMPONENT_TYPES.map((t) => (
          <Button key={t.value} size="xs" variant="light" disabled={present.has(t.value as ComponentType)}
            onClick={() => add(t.value as ComponentType)} data-testid={`plan-add-${t.value}`}>
            {t.label}
          </Button>
        ))}
      </Group>
    </Stack>
  );
}
