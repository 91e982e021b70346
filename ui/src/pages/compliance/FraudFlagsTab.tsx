//! Fraud flags (issue 29): click floods, registrations without a click for
//! link-only partners, self-referrals. Filtered by state and kind, paged on
//! the server, newest first, in a virtualised grid; a flag opens to its
//! reason and review, and compliance confirms or dismisses an open one with
//! a note. A flag never changes money: excluding a customer stays a
//! decision of its own (Customers → status).
import { useCallback, useState } from 'react';
import { Badge, Button, Group, Loader, NativeSelect, Paper, Stack, Text, Textarea, Title } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { createColumnHelper } from '@tanstack/react-table';
import { fraudFlagReview, fraudFlagsPage } from '../../api';
import type { FraudFlagView } from '../../bindings';
import { ErrorState } from '../../components/ErrorState';
import { errorProps, formLevelError } from '../../components/fieldError';
import { toApiError } from '../../errors';
import { usePagedSearch } from '../../components/usePagedSearch';
import { VirtualGrid } from '../../components/VirtualGrid';
import { notifyDone } from '../../notify';
import { fraudKeys } from '../../queries';
import { useCan } from '../../session';
import { when } from '../../when';

export const FLAG_KINDS = [
  { value: 'click_flood', label: 'Click flood' },
  { value: 'no_click', label: 'No click (link-only)' },
  { value: 'self_referral', label: 'Self-referral' },
];
const STATES = [
  { value: 'open', label: 'Open' },
  { value: 'dismissed', label: 'Dismissed' },
  { value: 'confirmed', label: 'Confirmed' },
  { value: '', label: 'All states' },
];
const STATE_COLORS: Record<string, string> = { open: 'orange', dismissed: 'gray', confirmed: 'red' };

const kindLabel = (k: string) => FLAG_KINDS.find((x) => x.value === k)?.label ?? k;

const col = createColumnHelper<FraudFlagView>();
const columns = [
  col.accessor('kind', { header: 'Kind', size: 150, cell: (c) => kindLabel(c.getValue()) }),
  col.accessor('partner_id', { header: 'Partner', size: 110, cell: (c) => c.getValue() ?? '—' }),
  col.accessor('subject', { header: 'Customer / visitor', size: 170, cell: (c) => c.getValue() }),
  col.accessor('reason', { header: 'Reason', size: 380 }),
  col.accessor('created_at', { header: 'When', size: 170, cell: (c) => when(c.getValue()) }),
  col.accessor('state', { header: 'State', size: 100, cell: (c) => <Badge size="sm" variant="light" color={STATE_COLORS[c.getValue()] ?? 'gray'}>{c.getValue()}</Badge> }),
];

function FlagReview({ flag, onDone }: { flag: FraudFlagView; onDone: (f: FraudFlagView) => void }) {
  const client = useQueryClient();
  const canReview = useCan('fraud.flag.review');
  const [note, setNote] = useState('');
  const review = useMutation({
    mutationFn: (confirm: boolean) => fraudFlagReview(flag.id, confirm, note.trim() === '' ? null : note.trim()),
    onSuccess: (f) => {
      setNote('');
      notifyDone(`Flag ${f.id} ${f.state}`);
      onDone(f);
      return client.invalidateQueries({ queryKey: fraudKeys.all });
    },
  });
  return (
    <Paper withBorder p="sm" data-testid="flag-detail">
      <Stack gap={6}>
        <Group gap="xs">
          <Text size="sm" fw={600}>#{flag.id} {kindLabel(flag.kind)}</Text>
          <Badge size="sm" variant="light" color={STATE_COLORS[flag.state] ?? 'gray'} data-testid="flag-detail-state">{flag.state}</Badge>
        </Group>
        <Text size="sm" data-testid="flag-detail-reason">{flag.reason}</Text>
        <Text size="xs" c="dimmed">
          Partner {flag.partner_id ?? '—'} · brand {flag.brand_id ?? '—'} · {flag.subject} · raised {when(flag.created_at)}
        </Text>
        {flag.reviewed_by && (
          <Text size="xs" data-testid="flag-detail-review">
            {flag.state} by {flag.reviewed_by} {when(flag.reviewed_at)}{flag.note ? `: ${flag.note}` : ''}
          </Text>
        )}
        {flag.state === 'open' && canReview && (
          <>
            <Textarea label="Note (optional)" autosize minRows={2} value={note} onChange={(e) => setNote(e.currentTarget.value)}
              data-testid="flag-note" {...errorProps(review.error, 'flag', 'note')} />
            <Group gap="xs">
              <Button size="xs" color="red" loading={review.isPending && review.variables === true} onClick={() => review.mutate(true)}
                data-testid="flag-confirm">Confirm</Button>
              <Button size="xs" variant="default" loading={review.isPending && review.variables === false} onClick={() => review.mutate(false)}
                data-testid="flag-dismiss">Dismiss</Button>
            </Group>
            <Text size="xs" c="dimmed">
              Confirming records the finding; it changes no money. Exclude the customer on its page if it should earn nobody.
            </Text>
          </>
        )}
        {flag.state === 'open' && !canReview && (
          <Text size="xs" c="dimmed" data-testid="flag-review-not-allowed">Compliance reviews flags; you can read them.</Text>
        )}
        {formLevelError(review.error, ['note']) ? (
          <Text size="sm" c="red" data-testid="flag-review-error">{toApiError(review.error).message}</Text>
        ) : null}
      </Stack>
    </Paper>
  );
}

export function FraudFlagsTab() {
  const [state, setState] = useState('open');
  const [kind, setKind] = useState('');
  const [selected, setSelected] = useState(-1);
  const [open, setOpen] = useState<FraudFlagView | null>(null);
  const pages = usePagedSearch(fraudKeys.flags(state, kind), (offset, limit) =>
    fraudFlagsPage({ state: state || null, kind: kind || null, offset, limit }),
  );
  const { rows, fetchNextPage } = pages;
  const loadMore = useCallback(() => void fetchNextPage(), [fetchNextPage]);
  const onOpen = useCallback((row: FraudFlagView, index: number) => {
    setSelected(index);
    setOpen((cur) => (cur?.id === row.id ? null : row));
  }, []);
  const pick = (set: (v: string) => void) => (e: React.ChangeEvent<HTMLSelectElement>) => {
    setSelected(-1);
    setOpen(null);
    set(e.currentTarget.value);
  };
  return (
    <Stack gap="sm" h="calc(100vh - 52px - 120px)">
      <Group gap="sm" align="baseline">
        <Title order={4}>Fraud flags</Title>
        {pages.total !== null && <Text c="dimmed" size="sm" data-testid="flags-total">{pages.total} flags</Text>}
        {pages.isFetching && <Loader size="xs" />}
      </Group>
      <Group gap="xs" align="end">
        <NativeSelect size="xs" label="State" data={STATES} value={state} onChange={pick(setState)} data-testid="flags-filter-state" />
        <NativeSelect size="xs" label="Kind" data={[{ value: '', label: 'All kinds' }, ...FLAG_KINDS]} value={kind} onChange={pick(setKind)}
          data-testid="flags-filter-kind" />
      </Group>
      {pages.isError && <ErrorState error={pages.error} title="The fraud flags could not be loaded" />}
      {pages.isPending && !pages.isError && <Text c="dimmed">Loading flags…</Text>}
      {pages.total === 0 && (
        <Text c="dimmed" data-testid="flags-empty">
          {state === 'open' && kind === '' ? 'No open flags: nothing waits for review.' : 'No flags match these filters.'}
        </Text>
      )}
      {open && <FlagReview flag={open} onDone={setOpen} />}
      {rows.length > 0 && (
        <VirtualGrid
          rows={rows}
          columns={columns}
          hasMore={pages.hasNextPage && !pages.isFetchNextPageError}
          loadingMore={pages.isFetchingNextPage}
          loadMore={loadMore}
          selected={selected}
          onOpen={onOpen}
          rowTestId={(r) => `flag-row-${r.id}`}
          testId="flags-grid"
          loadingText="Loading more flags…"
        />
      )}
    </Stack>
  );
}
