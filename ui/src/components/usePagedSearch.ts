//! A server-side search as pages of 100 fetched on demand (the grid asks for
//! the next page when its last rows come into view).
import { keepPreviousData, useInfiniteQuery } from '@tanstack/react-query';

export const PAGE_SIZE = 100;

type Page<R> = { total: number; rows: R[] };

export function usePagedSearch<R>(
  queryKey: readonly unknown[],
  fetchPage: (offset: number, limit: number) => Promise<Page<R>>,
  enabled = true,
) {
  const query = useInfiniteQuery({
    queryKey,
    queryFn: ({ pageParam }) => fetchPage(pageParam, PAGE_SIZE),
    initialPageParam: 0,
    getNextPageParam: (last: Page<R>, pages: Page<R>[]) => {
      const loaded = pages.reduce((n, p) => n + p.rows.length, 0);
      return last.rows.length === PAGE_SIZE && loaded < last.total ? loaded : undefined;
    },
    placeholderData: keepPreviousData,
    enabled,
  });
  const pages = query.data?.pages ?? [];
  const rows: R[] = pages.flatMap((p) => p.rows);
  const total = pages.length > 0 ? pages[pages.length - 1]!.total : null;
  return { ...query, rows, total };
}
