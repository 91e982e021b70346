//! The search box (debounced, server-side) and the filters above the list.
import { useEffect, useState, type Ref } from 'react';
import { ActionIcon, Checkbox, Group, NativeSelect, TextInput, Tooltip } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { PARTNER_KINDS, PARTNER_STATUSES } from '../../options';
import { SORT_KEYS, type ListChange } from './useListParams';
import type { PartnerFilter } from './usePartnerPages';

export const SEARCH_DEBOUNCE_MS = 250;

type Props = { filter: PartnerFilter; update: (c: ListChange) => void; searchRef: Ref<HTMLInputElement> };

export function PartnerFilters({ filter, update, searchRef }: Props) {
  const [text, setText] = useState(filter.text ?? '');
  const [debounced] = useDebouncedValue(text, SEARCH_DEBOUNCE_MS);
  useEffect(() => {
    if ((debounced.trim() || null) !== filter.text) update({ q: debounced.trim() || null });
    // Only the typed text drives this; the filter follows from it.
  }, [debounced]);
  // The address changed from outside (e.g. the Partners link): show its text.
  useEffect(() => {
    if (filter.text !== (debounced.trim() || null)) setText(filter.text ?? '');
  }, [filter.text]);

  return (
    <Group gap="sm" align="end" wrap="wrap">
      <TextInput
        ref={searchRef}
        label="Search"
        placeholder="Id, name, e-mail…  (press /)"
        value={text}
        onChange={(e) => setText(e.currentTarget.value)}
        w={280}
        data-testid="partner-search"
      />
      <NativeSelect
        label="Kind"
        value={filter.kind ?? ''}
        onChange={(e) => update({ kind: e.currentTarget.value || null })}
        data={[{ value: '', label: 'All kinds' }, ...PARTNER_KINDS]}
        data-testid="partner-filter-kind"
      />
      <NativeSelect
        label="Status"
        value={filter.status ?? ''}
        onChange={(e) => update({ status: e.currentTarget.value || null })}
        data={[{ value: '', label: 'All statuses' }, ...PARTNER_STATUSES]}
        data-testid="partner-filter-status"
      />
      <Group gap={4} align="end" wrap="nowrap">
        <NativeSelect
          label="Sort by"
          value={filter.sort}
          onChange={(e) => update({ sort: e.currentTarget.value })}
          data={SORT_KEYS}
          data-testid="partner-sort"
        />
        <Tooltip label={filter.desc ? 'Descending' : 'Ascending'}>
          <ActionIcon
            variant="default"
            size="lg"
            aria-label="Reverse the order"
            onClick={() => update({ desc: filter.desc ? null : '1' })}
            data-testid="partner-sort-desc"
          >
            {filter.desc ? '↓' : '↑'}
          </ActionIcon>
        </Tooltip>
      </Group>
      <Checkbox
        label="Include archived"
        checked={filter.include_archived}
        onChange={(e) => update({ archived: e.currentTarget.checked ? '1' : null })}
        mb={8}
        data-testid="partner-filter-archived"
      />
    </Group>
  );
}
