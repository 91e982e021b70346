//! The customer search box (debounced, server-side) and its filters.
import { useEffect, useState, type Ref } from 'react';
import { Group, NativeSelect, TextInput } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { CUSTOMER_STATUSES } from '../../options';
import { useBrands } from '../../queries';
import type { CustomerChange, CustomerFilter } from './useCustomerParams';

export const SEARCH_DEBOUNCE_MS = 250;

/** A text box that writes to the address only once typing pauses. */
function useDebouncedParam(value: string | null, write: (v: string | null) => void) {
  const [text, setText] = useState(value ?? '');
  const [debounced] = useDebouncedValue(text, SEARCH_DEBOUNCE_MS);
  useEffect(() => {
    if ((debounced.trim() || null) !== value) write(debounced.trim() || null);
  }, [debounced]);
  useEffect(() => {
    if (value !== (debounced.trim() || null)) setText(value ?? '');
  }, [value]);
  return [text, setText] as const;
}

type Props = { filter: CustomerFilter; update: (c: CustomerChange) => void; searchRef: Ref<HTMLInputElement> };

export function CustomerFilters({ filter, update, searchRef }: Props) {
  const brands = useBrands();
  const [text, setText] = useDebouncedParam(filter.text, (q) => update({ q }));
  const [partner, setPartner] = useDebouncedParam(filter.partner_id, (p) => update({ partner: p }));
  return (
    <Group gap="sm" align="end" wrap="wrap">
      <TextInput ref={searchRef} label="Search" placeholder="Customer id or tracking code…  (press /)" value={text}
        onChange={(e) => setText(e.currentTarget.value)} w={300} data-testid="customer-search" />
      <NativeSelect label="Brand" value={filter.brand_id ?? ''} onChange={(e) => update({ brand: e.currentTarget.value || null })}
        data={[{ value: '', label: 'All brands' }, ...(brands.data ?? []).map((b) => ({ value: b.brand_id, label: b.name }))]}
        data-testid="customer-filter-brand" />
      <NativeSelect label="Status" value={filter.status ?? ''} onChange={(e) => update({ status: e.currentTarget.value || null })}
        data={[{ value: '', label: 'All statuses' }, ...CUSTOMER_STATUSES]} data-testid="customer-filter-status" />
      <TextInput label="Partner id" placeholder="Attributed to…" value={partner} onChange={(e) => setPartner(e.currentTarget.value)}
        w={180} data-testid="customer-filter-partner" />
    </Group>
  );
}
