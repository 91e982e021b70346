//! The partner list as pages of 100 fetched on demand: the grid asks for the
//! next page when its last rows come into view, so 100,000 partners cost
//! only what the user scrolls through.
import { keepPreviousData, useInfiniteQuery } from '@tanstack/react-query';
import { partnersSearch } from '../../api';
import type { PartnerQuery, PartnerRow } from '../../bindings';

export const PAGE_SIZE = 100;

export type PartnerFilter = Omit<PartnerQuery, 'offset' | 'limit'>;

export function usePartnerPages(filter: PartnerFilter) {
  const query = useInfiniteQuery({
    queryKey: ['partners', 'search', filter],
    queryFn: ({ pageParam }) => partnersSearch({ ...filter, offset: pageParam, limit: PAGE_SIZE }),
    initialPageParam: 0,
    getNextPageParam: (last, pages) => {
      const loaded = pages.reduce((n, p) => n + p.rows.length, 0);
      return last.rows.length === PAGE_SIZE && loaded < last.total ? loaded : undefined;
    },
    placeholderData: keepPreviousData,
  });
  const pages = query.data?.pages ?? [];
  const rows: PartnerRow[] = pages.flatMap((p) => p.rows);
  const total = pages.length > 0 ? pages[pages.length - 1]!.total : null;
  return { ...query, rows, total };
}
