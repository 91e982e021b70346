//! A text input for a parent partner's id with suggestions from the server
//! search (by id, name or e-mail); typing an id directly works too.
import { Autocomplete, Text } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { useQuery } from '@tanstack/react-query';
import { partnersSearch } from '../../api';

type Props = {
  value: string;
  onChange: (value: string) => void;
  label: string;
  testId: string;
  excludeId?: string;
  error?: string;
  errorProps?: Record<string, string>;
  description?: string;
};

export function ParentPicker({ value, onChange, label, testId, excludeId, error, errorProps, description }: Props) {
  const [text] = useDebouncedValue(value.trim(), 200);
  const found = useQuery({
    queryKey: ['partners', 'pick', text],
    queryFn: () =>
      partnersSearch({
        text: text || null, kind: null, status: null, parent_id: null, tag: null,
        include_archived: false, sort: 'name', desc: false, offset: 0, limit: 10,
      }),
    enabled: text.length > 0,
  });
  const rows = (found.data?.rows ?? []).filter((r) => r.partner_id !== excludeId);
  const names = new Map(rows.map((r) => [r.partner_id, r.name]));
  const chosen = names.get(value.trim());
  return (
    <Autocomplete
      label={label}
      description={chosen ?? description}
      placeholder="Type a partner id or name; empty for top level"
      value={value}
      onChange={onChange}
      data={rows.map((r) => r.partner_id)}
      filter={({ options }) => options}
      renderOption={({ option }) => (
        <Text size="sm">
          {names.get(option.value)} <Text span c="dimmed" size="xs">{option.value}</Text>
        </Text>
      )}
      error={error}
      errorProps={errorProps}
      inputWrapperOrder={['label', 'description', 'input', 'error']}
      data-testid={testId}
    />
  );
}
