//! A report's table: sortable by any column (exact decimal order), only the
//! rows in view in the DOM, the totals row (computed by the core, not
//! summed here) under the header; a row with something behind it opens it.
import { useMemo, useRef, useState } from 'react';
import { Box, Text, UnstyledButton } from '@mantine/core';
import { useVirtualizer } from '@tanstack/react-virtual';
import type { TableView } from '../../bindings';
import { nextSort, shown, sortRows, type SortState } from './builder';

const ROW = 34;

type Props = {
  table: TableView;
  totals: TableView;
  /** Where a row leads (null: nowhere). */
  target: (row: string[]) => string | null;
  onOpen: (to: string) => void;
};

export function ReportTable({ table, totals, target, onOpen }: Props) {
  const [sort, setSort] = useState<SortState>(null);
  const rows = useMemo(() => sortRows(table, sort), [table, sort]);
  const scrollRef = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW,
    overscan: 20,
    // jsdom measures nothing: start with a window's worth in tests.
    initialRect: { width: 800, height: 600 },
  });
  const template = table.columns.map((_, i) => (table.units[i] === 'text' ? 'minmax(110px, 1.3fr)' : 'minmax(90px, 1fr)')).join(' ');
  const align = (i: number): 'left' | 'right' => (table.units[i] === 'text' ? 'left' : 'right');
  const totalRows = totals.rows.length > 0 ? totals.rows : [];
  // The totals table has the currency column (when any) and the measures: line them up under ours.
  const totalCell = (t: string[], i: number): string => {
    const name = table.columns[i]!;
    const j = totals.columns.indexOf(name);
    if (j >= 0) return t[j] ?? '';
    return i === 0 ? 'Total' : '';
  };
  return (
    <Box role="grid" aria-rowcount={rows.length} data-testid="report-table"
      style={{ border: '1px solid var(--mantine-color-gray-3)', borderRadius: 4, display: 'flex', flexDirection: 'column' }}>
      <Box role="row" style={{ display: 'grid', gridTemplateColumns: template, background: 'var(--mantine-color-gray-0)', borderBottom: '1px solid var(--mantine-color-gray-3)' }}>
        {table.columns.map((c, i) => (
          <UnstyledButton key={c} role="columnheader" px="xs" py={6} onClick={() => setSort(nextSort(sort, i))}
            aria-sort={sort?.column === i ? (sort.descending ? 'descending' : 'ascending') : 'none'}
            data-testid={`report-sort-${c}`} style={{ textAlign: align(i) }}>
            <Text fw={600} size="sm">{c}{sort?.column === i ? (sort.descending ? ' ▼' : ' ▲') : ''}</Text>
          </UnstyledButton>
        ))}
      </Box>
      {totalRows.map((t, n) => (
        <Box key={`total-${n}`} role="row" data-testid="report-total-row"
          style={{ display: 'grid', gridTemplateColumns: template, background: 'var(--mantine-color-blue-0)', borderBottom: '1px solid var(--mantine-color-gray-3)' }}>
          {table.columns.map((c, i) => (
            <Text key={c} size="sm" fw={600} px="xs" py={6} ta={align(i)} data-testid={`report-total-${c}`}>
              {shown(table.units[i] ?? 'text', totalCell(t, i))}
            </Text>
          ))}
        </Box>
      ))}
      <Box ref={scrollRef} data-testid="report-scroll" style={{ overflow: 'auto', maxHeight: 480 }}>
        <Box style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
          {virtualizer.getVirtualItems().map((v) => {
            const r = rows[v.index]!;
            const to = target(r);
            return (
              <Box key={v.key} role="row" data-testid={`report-row-${v.index}`} data-target={to ?? undefined}
                onClick={to ? () => onOpen(to) : undefined}
                style={{
                  display: 'grid', gridTemplateColumns: template, position: 'absolute', top: 0, left: 0, right: 0,
                  height: ROW, transform: `translateY(${v.start}px)`, cursor: to ? 'pointer' : 'default',
                  borderBottom: '1px solid var(--mantine-color-gray-2)',
                }}>
                {r.map((cell, i) => (
                  <Text key={i} size="sm" px="xs" py={6} ta={align(i)} truncate>{shown(table.units[i] ?? 'text', cell)}</Text>
                ))}
              </Box>
            );
          })}
        </Box>
      </Box>
    </Box>
  );
}
