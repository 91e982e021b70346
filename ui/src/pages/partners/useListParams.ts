//! The partner list's search, filters and sort live in the address
//! (#/partners?q=…&kind=…), so going back from a partner restores the list.
import { useSearchParams } from 'react-router-dom';
import type { PartnerSortKey } from '../../bindings';
import type { PartnerFilter } from './usePartnerPages';

export const SORT_KEYS: { value: PartnerSortKey; label: string }[] = [
  { value: 'partner_id', label: 'Partner id' },
  { value: 'name', label: 'Name' },
  { value: 'kind', label: 'Kind' },
  { value: 'status', label: 'Status' },
  { value: 'country', label: 'Country' },
  { value: 'created_at', label: 'Created' },
];

function parseSort(raw: string | null): PartnerSortKey {
  return SORT_KEYS.find((k) => k.value === raw)?.value ?? 'partner_id';
}

export type ListChange = Partial<Record<'q' | 'kind' | 'status' | 'archived' | 'sort' | 'desc', string | null>>;

export function useListParams() {
  const [params, setParams] = useSearchParams();
  const filter: PartnerFilter = {
    text: params.get('q') || null,
    kind: params.get('kind') || null,
    status: params.get('status') || null,
    parent_id: null,
    tag: null,
    include_archived: params.get('archived') === '1',
    sort: parseSort(params.get('sort')),
    desc: params.get('desc') === '1',
  };
  const update = (change: ListChange) =>
    setParams(
      (prev) => {
        const next = new URLSearchParams(prev);
        for (const [k, v] of Object.entries(change)) {
          if (v) next.set(k, v);
          else next.delete(k);
        }
        return next;
      },
      { replace: true },
    );
  return { filter, update };
}
