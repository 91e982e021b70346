//! Filters and sort of the line grid: partner (debounced), brand, kind; by
//! partner or by amount.
import { useEffect, useState, type Ref } from 'react';
import { ActionIcon, Group, NativeSelect, TextInput, Tooltip } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { LINE_KINDS } from '../../options';
import { useBrands } from '../../queries';
import type { CommissionChange, LineFilter } from './useCommissionParams';

type Props = { filter: LineFilter; update: (c: CommissionChange) => void; searchRef: Ref<HTMLInputElement> };

export function LineFilters({ filter, update, searchRef }: Props) {
  const brands = useBrands();
  const [partner, setPartner] = useState(filter.partner_id ?? '');
  const [debounced] = useDebouncedValue(partner, 250);
  useEffect(() => {
    if ((debounced.trim() || null) !== filter.partner_id) update({ partner: debounced.trim() || null });
  }, [debounced]);
  useEffect(() => {
    if (filter.partner_id !== (debounced.trim() || null)) setPartner(filter.partner_id ?? '');
  }, [filter.partner_id]);
  return (
    <Group gap="sm" align="end" wrap="wrap">
      <TextInput ref={searchRef} label="Partner id" placeholder="Exact partner id  (press /)" value={partner}
        onChange={(e) => setPartner(e.currentTarget.value)} w={220} data-testid="line-filter-partner" />
      <NativeSelect label="Brand" value={filter.brand_id ?? ''} onChange={(e) => update({ brand: e.currentTarget.value || null })}
        data={[{ value: '', label: 'All brands' }, ...(brands.data ?? []).map((b) => ({ value: b.brand_id, label: b.name }))]}
        data-testid="line-filter-brand" />
      <NativeSelect label="Kind" value={filter.kind ?? ''} onChange={(e) => update({ kind: e.currentTarget.value || null })}
        data={[{ value: '', label: 'All kinds' }, ...LINE_KINDS]} data-testid="line-filter-kind" />
      <Group gap={4} align="end" wrap="nowrap">
        <NativeSelect label="Sort by" value={filter.by_amount ? 'amount' : 'partner'}
          onChange={(e) => update({ sort: e.currentTarget.value === 'amount' ? 'amount' : null })}
          data={[{ value: 'partner', label: 'Partner' }, { value: 'amount', label: 'Amount' }]} data-testid="line-sort" />
        <Tooltip label={filter.desc ? 'Descending' : 'Ascending'}>
          <ActionIcon variant="default" size="lg" aria-label="Reverse the order" onClick={() => update({ desc: filter.desc ? null : '1' })}
            data-testid="line-sort-desc">
            {filter.desc ? '↓' : '↑'}
          </ActionIcon>
        </Tooltip>
      </Group>
    </Group>
  );
}
