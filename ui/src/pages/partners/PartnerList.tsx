//! The partner list: search, filters, a virtualised grid over pages fetched
//! on demand, and the way to a new partner.
import { useCallback, useEffect, useRef, useState } from 'react';
import { Button, Code, Group, Loader, Stack, Text, Title } from '@mantine/core';
import { useNavigate } from 'react-router-dom';
import type { PartnerRow } from '../../bindings';
import { ErrorState } from '../../components/ErrorState';
import { PartnerFilters } from './PartnerFilters';
import { PartnerGrid } from './PartnerGrid';
import { newPartnerPath, partnerPath } from './paths';
import { useListKeys } from './useListKeys';
import { useListParams } from './useListParams';
import { usePartnerPages } from './usePartnerPages';
import { useCan } from '../../session';

function EmptyState({ filtered }: { filtered: boolean }) {
  if (filtered) return <Text c="dimmed" data-testid="partner-empty">No partners match this search.</Text>;
  return (
    <Text c="dimmed" data-testid="partner-empty">
      No partners yet — create one or load demo data with <Code>partnerdesk demo</Code>
    </Text>
  );
}

export function PartnerList() {
  const navigate = useNavigate();
  const canCreate = useCan('partner.create');
  const { filter, update } = useListParams();
  const pages = usePartnerPages(filter);
  const searchRef = useRef<HTMLInputElement>(null);
  const [selected, setSelected] = useState(-1);
  const filterKey = JSON.stringify(filter);
  useEffect(() => setSelected(-1), [filterKey]);

  const open = useCallback((row: PartnerRow) => navigate(partnerPath(row.partner_id)), [navigate]);
  const { rows, fetchNextPage } = pages;
  const openSelected = useCallback(() => {
    const row = rows[selected];
    if (row) open(row);
  }, [rows, selected, open]);
  const loadMore = useCallback(() => void fetchNextPage(), [fetchNextPage]);
  useListKeys({ searchRef, count: rows.length, setSelected, openSelected });

  const filtered = Boolean(filter.text || filter.kind || filter.status);
  return (
    <Stack h="calc(100vh - 52px - 2 * var(--mantine-spacing-md))" gap="sm">
      <Group justify="space-between">
        <Group gap="sm" align="baseline">
          <Title order={2}>Partners</Title>
          {pages.total !== null && (
            <Text c="dimmed" data-testid="partner-total">{pages.total} partners</Text>
          )}
          {pages.isFetching && <Loader size="xs" />}
        </Group>
        {canCreate && <Button onClick={() => navigate(newPartnerPath())} data-testid="partner-new">New partner</Button>}
      </Group>
      <PartnerFilters filter={filter} update={update} searchRef={searchRef} />
      {pages.isError && <ErrorState error={pages.error} title="The partners could not be loaded" />}
      {pages.isPending && !pages.isError && <Text c="dimmed">Loading partners…</Text>}
      {pages.total === 0 && <EmptyState filtered={filtered} />}
      {rows.length > 0 && (
        <PartnerGrid
          rows={rows}
          hasMore={pages.hasNextPage && !pages.isFetchNextPageError}
          loadingMore={pages.isFetchingNextPage}
          loadMore={loadMore}
          selected={selected}
          onOpen={open}
          sort={filter.sort}
          desc={filter.desc}
          onSort={(sort, desc) => update({ sort, desc: desc ? '1' : null })}
        />
      )}
    </Stack>
  );
}
