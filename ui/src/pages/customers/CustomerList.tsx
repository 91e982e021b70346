//! The customer list: players, trading accounts and prop clients, searched
//! on the server and shown 100 at a time in a virtualised grid.
import { useCallback, useEffect, useRef, useState } from 'react';
import { Code, Group, Loader, Stack, Text, Title } from '@mantine/core';
import { useNavigate } from 'react-router-dom';
import { customersSearch } from '../../api';
import type { CustomerRow } from '../../bindings';
import { ErrorState } from '../../components/ErrorState';
import { usePagedSearch } from '../../components/usePagedSearch';
import { VirtualGrid } from '../../components/VirtualGrid';
import { useListKeys } from '../partners/useListKeys';
import { customerColumns } from './columns';
import { CustomerFilters } from './CustomerFilters';
import { customerPath } from './paths';
import { useCustomerParams } from './useCustomerParams';

export function CustomerList() {
  const navigate = useNavigate();
  const { filter, update } = useCustomerParams();
  const pages = usePagedSearch(['customers', 'search', filter], (offset, limit) => customersSearch({ ...filter, offset, limit }));
  const searchRef = useRef<HTMLInputElement>(null);
  const [selected, setSelected] = useState(-1);
  const filterKey = JSON.stringify(filter);
  useEffect(() => setSelected(-1), [filterKey]);

  const { rows, fetchNextPage } = pages;
  const open = useCallback((row: CustomerRow) => navigate(customerPath(row.customer_id)), [navigate]);
  const openSelected = useCallback(() => {
    const row = rows[selected];
    if (row) open(row);
  }, [rows, selected, open]);
  const loadMore = useCallback(() => void fetchNextPage(), [fetchNextPage]);
  useListKeys({ searchRef, count: rows.length, setSelected, openSelected });

  const filtered = Boolean(filter.text || filter.brand_id || filter.status || filter.partner_id);
  return (
    <Stack h="calc(100vh - 52px - 2 * var(--mantine-spacing-md))" gap="sm">
      <Group gap="sm" align="baseline">
        <Title order={2}>Customers</Title>
        {pages.total !== null && <Text c="dimmed" data-testid="customer-total">{pages.total} customers</Text>}
        {pages.isFetching && <Loader size="xs" />}
      </Group>
      <CustomerFilters filter={filter} update={update} searchRef={searchRef} />
      {pages.isError && <ErrorState error={pages.error} title="The customers could not be loaded" />}
      {pages.isPending && !pages.isError && <Text c="dimmed">Loading customers…</Text>}
      {pages.total === 0 && (
        <Text c="dimmed" data-testid="customer-empty">
          {filtered ? 'No customers match this search.' : <>No customers yet — import them with <Code>partnerdesk import DIR</Code></>}
        </Text>
      )}
      {rows.length > 0 && (
        <VirtualGrid
          rows={rows}
          columns={customerColumns}
          hasMore={pages.hasNextPage && !pages.isFetchNextPageError}
          loadingMore={pages.isFetchingNextPage}
          loadMore={loadMore}
          selected={selected}
          onOpen={open}
          rowTestId={(r) => `customer-row-${r.customer_id}`}
          rowStyle={(r) => (r.status === 'excluded' || r.geo_blocked ? { color: 'var(--mantine-color-dimmed)' } : undefined)}
          testId="customer-grid"
          loadingText="Loading more customers…"
        />
      )}
    </Stack>
  );
}
