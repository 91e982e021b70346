//! The editor's inputs. Each knows its field path in the plan JSON (e.g.
//! `components[1].min_deposits`): the core's problem with that path appears
//! under it (`plan-error-<path>`), and the input's test id is `plan-field-<path>`.
import { createContext, useContext } from 'react';
import { ActionIcon, Button, Group, Stack, Text, TextInput } from '@mantine/core';
import { DECIMAL_SHAPE } from '../../../money';

export type Problem = { field: string | null; message: string } | null;

const ProblemContext = createContext<Problem>(null);
export const ProblemProvider = ProblemContext.Provider;

/** The core's message when it is about `path`. */
export function useProblemAt(path: string): string | undefined {
  const p = useContext(ProblemContext);
  return p && p.field === path ? p.message : undefined;
}

/** Props that tie an input to its path: test id, and the core's error under it. */
export function usePathProps(path: string) {
  const error = useProblemAt(path);
  return { error, errorProps: { 'data-testid': `plan-error-${path}` }, 'data-testid': `plan-field-${path}` };
}

type DecimalProps = { path: string; label?: string; value: string; onChange: (v: string) => void; placeholder?: string; description?: string; w?: number | string; required?: boolean };

/** A decimal kept as typed text. The shape check is only a hint: the core decides. */
export function DecimalInput({ path, label, value, onChange, placeholder, description, w = 140, required }: DecimalProps) {
  const p = usePathProps(path);
  const off = value.trim() !== '' && !DECIMAL_SHAPE.test(value.trim());
  return (
    <TextInput
      label={label}
      value={value}
      onChange={(e) => onChange(e.currentTarget.value)}
      placeholder={placeholder}
      description={description}
      inputMode="decimal"
      w={w}
      required={required}
      {...p}
      error={p.error ?? (off ? 'Write a decimal such as 0.25' : undefined)}
      inputWrapperOrder={['label', 'description', 'input', 'error']}
    />
  );
}

type WholeProps = { path: string; label: string; value: string; onChange: (v: string) => void; placeholder?: string; description?: string };

/** A whole number (days, seconds, a count); written to the JSON as a number. */
export function WholeInput({ path, label, value, onChange, placeholder, description }: WholeProps) {
  const p = usePathProps(path);
  const off = value.trim() !== '' && !/^\d+$/.test(value.trim());
  return (
    <TextInput
      label={label}
      value={value}
      onChange={(e) => onChange(e.currentTarget.value)}
      placeholder={placeholder}
      description={description}
      inputMode="numeric"
      w={160}
      {...p}
      error={p.error ?? (off ? 'Write a whole number' : undefined)}
      inputWrapperOrder={['label', 'description', 'input', 'error']}
    />
  );
}

type ListProps = { path: string; label: string; values: string[]; onChange: (v: string[]) => void; itemLabel: (i: number) => string; addLabel: string; description?: string };

/** A list of decimals, e.g. override rates per level; each entry is `<path>[i]`. */
export function DecimalList({ path, label, values, onChange, itemLabel, addLabel, description }: ListProps) {
  const listError = useProblemAt(path);
  const set = (i: number, v: string) => onChange(values.map((x, j) => (j === i ? v : x)));
  return (
    <Stack gap={4}>
      <Text size="sm" fw={500}>{label}</Text>
      {description && <Text size="xs" c="dimmed">{description}</Text>}
      {values.map((v, i) => (
        <Group key={i} gap="xs" align="end">
          <Text size="sm" w={70} pb={8}>{itemLabel(i)}</Text>
          <DecimalInput path={`${path}[${i}]`} value={v} onChange={(x) => set(i, x)} placeholder="0.05" />
          <ActionIcon variant="subtle" color="red" mb={4} aria-label={`Remove ${itemLabel(i)}`} onClick={() => onChange(values.filter((_, j) => j !== i))}
            data-testid={`plan-remove-${path}[${i}]`}>✕</ActionIcon>
        </Group>
      ))}
      {listError && <Text size="xs" c="red" data-testid={`plan-error-${path}`}>{listError}</Text>}
      <Button variant="subtle" size="xs" w="fit-content" onClick={() => onChange([...values, ''])} data-testid={`plan-add-${path}`}>{addLabel}</Button>
    </Stack>
  );
}
