//! The virtualised partner grid: only the rows in view are in the DOM, and
//! reaching the end of what is loaded asks for the next page.
import { useEffect, useRef } from 'react';
import { Box, Text, UnstyledButton } from '@mantine/core';
import { flexRender, getCoreRowModel, useReactTable, type SortingState } from '@tanstack/react-table';
import { useVirtualizer } from '@tanstack/react-virtual';
import type { PartnerRow, PartnerSortKey } from '../../bindings';
import { partnerColumns } from './columns';

export const ROW_HEIGHT = 38;

type Props = {
  rows: PartnerRow[];
  hasMore: boolean;
  loadingMore: boolean;
  loadMore: () => void;
  selected: number;
  onOpen: (row: PartnerRow) => void;
  sort: PartnerSortKey;
  desc: boolean;
  onSort: (sort: PartnerSortKey, desc: boolean) => void;
};

export function PartnerGrid({ rows, hasMore, loadingMore, loadMore, selected, onOpen, sort, desc, onSort }: Props) {
  const sorting: SortingState = [{ id: sort, desc }];
  const table = useReactTable({
    data: rows,
    columns: partnerColumns,
    getCoreRowModel: getCoreRowModel(),
    manualSorting: true,
    state: { sorting },
    onSortingChange: (updater) => {
      const next = (typeof updater === 'function' ? updater(sorting) : updater)[0];
      // Clicking the sorted column flips it; clicking another sorts it ascending.
      if (next) onSort(next.id as PartnerSortKey, next.id === sort ? !desc : false);
    },
    enableSortingRemoval: false,
  });
  const template = table.getVisibleLeafColumns().map((c) => `minmax(${c.getSize()}px, ${c.getSize()}fr)`).join(' ');

  const scrollRef = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({
    count: rows.length + (hasMore ? 1 : 0),
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 12,
  });
  const items = virtualizer.getVirtualItems();
  const lastIndex = items.length > 0 ? items[items.length - 1]!.index : -1;

  useEffect(() => {
    if (hasMore && !loadingMore && lastIndex >= rows.length - 1) loadMore();
  }, [hasMore, loadingMore, lastIndex, rows.length, loadMore]);

  useEffect(() => {
    if (selected >= 0) virtualizer.scrollToIndex(selected, { align: 'auto' });
  }, [selected, virtualizer]);

  const tableRows = table.getRowModel().rows;
  return (
    <Box role="grid" aria-rowcount={rows.length} style={{ border: '1px solid var(--mantine-color-gray-3)', borderRadius: 4, display: 'flex', flexDirection: 'column', minHeight: 0, flex: 1 }}>
      {table.getHeaderGroups().map((group) => (
        <Box key={group.id} role="row" style={{ display: 'grid', gridTemplateColumns: template, background: 'var(--mantine-color-gray-0)', borderBottom: '1px solid var(--mantine-color-gray-3)' }}>
          {group.headers.map((h) => {
            const dir = h.column.getIsSorted();
            const label = flexRender(h.column.columnDef.header, h.getContext());
            return (
              <Box key={h.id} role="columnheader" px="xs" py={6} aria-sort={dir ? (dir === 'desc' ? 'descending' : 'ascending') : undefined}>
                {h.column.getCanSort() ? (
                  <UnstyledButton onClick={h.column.getToggleSortingHandler()} data-testid={`partner-sort-${h.id}`} fw={600} fz="sm">
                    {label} {dir === 'asc' ? '▲' : dir === 'desc' ? '▼' : ''}
                  </UnstyledButton>
                ) : (
                  <Text fw={600} size="sm">{label}</Text>
                )}
              </Box>
            );
          })}
        </Box>
      ))}
      <div ref={scrollRef} style={{ overflow: 'auto', flex: 1, minHeight: 200 }} data-testid="partner-grid">
        <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
          {items.map((v) => {
            const row = tableRows[v.index];
            const base = { position: 'absolute' as const, top: 0, left: 0, right: 0, height: v.size, transform: `translateY(${v.start}px)` };
            if (!row) {
              return (
                <Text key="more" size="sm" c="dimmed" px="xs" py={8} style={base}>
                  Loading more partners…
                </Text>
              );
            }
            const isSelected = v.index === selected;
            return (
              <div
                key={row.id}
                role="row"
                aria-selected={isSelected}
                data-testid={`partner-row-${row.original.partner_id}`}
                onClick={() => onOpen(row.original)}
                style={{
                  ...base,
                  display: 'grid',
                  gridTemplateColumns: template,
                  alignItems: 'center',
                  cursor: 'pointer',
                  borderBottom: '1px solid var(--mantine-color-gray-2)',
                  background: isSelected ? 'var(--mantine-color-indigo-0)' : undefined,
                  color: row.original.archived ? 'var(--mantine-color-dimmed)' : undefined,
                }}
              >
                {row.getVisibleCells().map((cell) => (
                  <Box key={cell.id} role="cell" px="xs" fz="sm" style={{ overflow: 'hidden', whiteSpace: 'nowrap', textOverflow: 'ellipsis' }}>
                    {flexRender(cell.column.columnDef.cell, cell.getContext())}
                  </Box>
                ))}
              </div>
            );
          })}
        </div>
      </div>
    </Box>
  );
}
