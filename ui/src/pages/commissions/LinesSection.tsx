//! The period's commission lines: a virtualised grid fetched 100 at a time,
//! filtered and sorted on the server; a line opens its explanation.
import { useCallback, useEffect, useRef, useState } from 'react';
import { Group, Loader, Stack, Text, Title } from '@mantine/core';
import { commissionsLines } from '../../api';
import type { LineRow } from '../../bindings';
import { ErrorState } from '../../components/ErrorState';
import { usePagedSearch } from '../../components/usePagedSearch';
import { VirtualGrid } from '../../components/VirtualGrid';
import { useListKeys } from '../partners/useListKeys';
import { LineDrawer } from './LineDrawer';
import { lineColumns, lineTestId } from './lineColumns';
import { LineFilters } from './LineFilters';
import type { CommissionChange, LineFilter } from './useCommissionParams';

type Props = { filter: LineFilter; update: (c: CommissionChange) => void };

export function LinesSection({ filter, update }: Props) {
  const pages = usePagedSearch(['commissions', 'lines', filter], (offset, limit) => commissionsLines({ ...filter, offset, limit }));
  const searchRef = useRef<HTMLInputElement>(null);
  const [selected, setSelected] = useState(-1);
  const [opened, setOpened] = useState<LineRow | null>(null);
  const filterKey = JSON.stringify(filter);
  useEffect(() => setSelected(-1), [filterKey]);

  const { rows, fetchNextPage } = pages;
  const open = useCallback((row: LineRow, index: number) => {
    setSelected(index);
    setOpened(row);
  }, []);
  const openSelected = useCallback(() => {
    const row = rows[selected];
    if (row && !opened) setOpened(row);
  }, [rows, selected, opened]);
  const loadMore = useCallback(() => void fetchNextPage(), [fetchNextPage]);
  // While the drawer is open, the arrows belong to it.
  useListKeys({ searchRef, count: opened ? 0 : rows.length, setSelected, openSelected });

  const filtered = Boolean(filter.partner_id || filter.brand_id || filter.kind);
  return (
    <Stack gap="sm" h={560}>
      <Group gap="sm" align="baseline">
        <Title order={4}>Lines</Title>
        {pages.total !== null && <Text c="dimmed" size="sm" data-testid="line-total">{pages.total} lines</Text>}
        {pages.isFetching && <Loader size="xs" />}
      </Group>
      <LineFilters filter={filter} update={update} searchRef={searchRef} />
      {pages.isError && <ErrorState error={pages.error} title="The lines could not be loaded" />}
      {pages.total === 0 && (
        <Text c="dimmed" size="sm" data-testid="line-empty">{filtered ? 'No lines match these filters.' : 'This period has no lines.'}</Text>
      )}
      {rows.length > 0 && (
        <VirtualGrid
          rows={rows}
          columns={lineColumns}
          hasMore={pages.hasNextPage && !pages.isFetchNextPageError}
          loadingMore={pages.isFetchingNextPage}
          loadMore={loadMore}
          selected={selected}
          onOpen={open}
          rowTestId={lineTestId}
          testId="line-grid"
          loadingText="Loading more lines…"
        />
      )}
      <LineDrawer line={opened} onClose={() => setOpened(null)} />
    </Stack>
  );
}
