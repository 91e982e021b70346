//! A virtualised, read-only grid over rows loaded page by page: only the
//! rows in view are in the DOM, and reaching the end of what is loaded asks
//! for the next page. Used by the customer and commission-line lists.
import { useEffect, useRef, type CSSProperties } from 'react';
import { Box, Text } from '@mantine/core';
import { flexRender, getCoreRowModel, useReactTable, type ColumnDef } from '@tanstack/react-table';
import { useVirtualizer } from '@tanstack/react-virtual';

export const ROW_HEIGHT = 38;

type Props<T> = {
  rows: T[];
  // Column value types differ per column, hence `any` for the value.
  columns: ColumnDef<T, any>[];
  hasMore: boolean;
  loadingMore: boolean;
  loadMore: () => void;
  selected: number;
  onOpen: (row: T, index: number) => void;
  rowTestId: (row: T) => string;
  rowStyle?: (row: T) => CSSProperties | undefined;
  /** Test id of the scrolling element. */
  testId: string;
  /** "Loading more customers…" */
  loadingText: string;
};

export function VirtualGrid<T>(p: Props<T>) {
  const table = useReactTable({ data: p.rows, columns: p.columns, getCoreRowModel: getCoreRowModel() });
  const template = table.getVisibleLeafColumns().map((c) => `minmax(${c.getSize()}px, ${c.getSize()}fr)`).join(' ');
  const scrollRef = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({
    count: p.rows.length + (p.hasMore ? 1 : 0),
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 12,
  });
  const items = virtualizer.getVirtualItems();
  const lastIndex = items.length > 0 ? items[items.length - 1]!.index : -1;
  const { hasMore, loadingMore, loadMore, rows, selected } = p;

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
          {group.headers.map((h) => (
            <Box key={h.id} role="columnheader" px="xs" py={6}>
              <Text fw={600} size="sm">{flexRender(h.column.columnDef.header, h.getContext())}</Text>
            </Box>
          ))}
        </Box>
      ))}
      <div ref={scrollRef} style={{ overflow: 'auto', flex: 1, minHeight: 200 }} data-testid={p.testId}>
        <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
          {items.map((v) => {
            const row = tableRows[v.index];
            const base = { position: 'absolute' as const, top: 0, left: 0, right: 0, height: v.size, transform: `translateY(${v.start}px)` };
            if (!row) {
              return <Text key="more" size="sm" c="dimmed" px="xs" py={8} style={base}>{p.loadingText}</Text>;
            }
            const isSelected = v.index === selected;
            return (
              <div
                key={row.id}
                role="row"
                aria-selected={isSelected}
                data-testid={p.rowTestId(row.original)}
                onClick={() => p.onOpen(row.original, v.index)}
                style={{
                  ...base,
                  display: 'grid',
                  gridTemplateColumns: template,
                  alignItems: 'center',
                  cursor: 'pointer',
                  borderBottom: '1px solid var(--mantine-color-gray-2)',
                  background: isSelected ? 'var(--mantine-color-indigo-0)' : undefined,
                  ...p.rowStyle?.(row.original),
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
