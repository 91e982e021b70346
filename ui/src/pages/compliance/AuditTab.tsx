//! The audit log: filtered and paged on the server, newest first, in a
//! virtualised grid; an entry opens to its before and after. Verify checks
//! the hash chain (optionally against a head kept earlier), the head hash can
//! be copied for safekeeping, and the filtered log exports as CSV.
import { useCallback, useState } from 'react';
import { Button, Code, CopyButton, Group, Loader, Stack, Text, TextInput, Title } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { useMutation } from '@tanstack/react-query';
import { createColumnHelper } from '@tanstack/react-table';
import { auditEntries, auditExport, auditHead, auditVerify } from '../../api';
import type { AuditEntryView, AuditQuery } from '../../bindings';
import { ErrorState } from '../../components/ErrorState';
import { usePagedSearch } from '../../components/usePagedSearch';
import { VirtualGrid } from '../../components/VirtualGrid';
import { toApiError } from '../../errors';
import { notifyDone, notifyError } from '../../notify';
import { useSession } from '../../session';
import { AuditDetail } from './AuditDetail';
import { Notice } from '../../components/Notice';
import { when } from '../../when';

const col = createColumnHelper<AuditEntryView>();
const columns = [
  col.accessor('seq', { header: '#', size: 70 }),
  col.accessor('at', { header: 'When', size: 200, cell: (c) => when(c.getValue()) }),
  col.accessor('actor', { header: 'Who', size: 120 }),
  col.accessor('action', { header: 'Action', size: 190 }),
  col.accessor('object_type', { header: 'Object', size: 110 }),
  col.accessor('object_id', { header: 'Object id', size: 160 }),
];

type Filter = { actor: string; object_type: string; object_id: string; action: string; from: string; to: string };
const EMPTY: Filter = { actor: '', object_type: '', object_id: '', action: '', from: '', to: '' };

const orNull = (s: string) => (s.trim() === '' ? null : s.trim());

/** The query for a filter (empty fields: no condition). */
export function auditQueryOf(f: Filter, offset = 0, limit = 100): AuditQuery {
  return {
    actor: orNull(f.actor), object_type: orNull(f.object_type), object_id: orNull(f.object_id), action: orNull(f.action),
    from: orNull(f.from), to: orNull(f.to), offset, limit,
  };
}

function VerifyPanel() {
  const { can } = useSession();
  const [head, setHead] = useState('');
  const verify = useMutation({ mutationFn: () => auditVerify(orNull(head)) });
  const headHash = useMutation({ mutationFn: auditHead, onError: (e) => notifyError(e, 'The head hash could not be read') });
  if (!can('audit.verify')) return null;
  return (
    <Stack gap="xs">
      <Group gap="xs" align="end">
        <TextInput size="xs" label="Head kept earlier (optional)" placeholder="SEQ:HASH" value={head} onChange={(e) => setHead(e.currentTarget.value)}
          w={320} data-testid="audit-verify-head" />
        <Button size="xs" onClick={() => verify.mutate()} loading={verify.isPending} data-testid="audit-verify">Verify chain</Button>
        <Button size="xs" variant="default" onClick={() => headHash.mutate()} loading={headHash.isPending} data-testid="audit-head">Head hash</Button>
      </Group>
      {verify.data && (
        <Notice color={verify.data.ok ? 'teal' : 'red'} title={verify.data.ok ? 'The chain is intact' : 'The chain is broken'} testId="audit-verify-result"
          ok={verify.data.ok}>
          <Text size="sm" style={{ whiteSpace: 'pre-wrap' }}>{verify.data.message}</Text>
          <Text size="xs" c="dimmed">
            {verify.data.entries} entries checked · head #{verify.data.head_seq}
            {verify.data.broken_seq !== null ? ` · first broken entry #${verify.data.broken_seq}` : ''}
          </Text>
        </Notice>
      )}
      {verify.isError && (
        <Notice color="red" title="The chain could not be verified" testId="audit-verify-result" ok={false}>
          {toApiError(verify.error).message}
        </Notice>
      )}
      <Text size="xs" c="dimmed" maw={720} data-testid="audit-head-guidance">
        The chain shows changed, reordered and removed entries, but someone who can rewrite the whole database could
        rewrite the chain too. Keep the head outside the database: copy it into your ticket system or password manager
        after each period close, or let the system's scheduler save it daily
        (<Code>partnerdesk audit head {'>>'} /a/safe/place/audit-heads.txt</Code>; cron on Linux and macOS, Task
        Scheduler on Windows). Verifying against a kept head proves nothing up to it was changed since.
      </Text>
      {headHash.data && (
        <Group gap="xs" wrap="nowrap">
          <Text size="xs" c="dimmed">Head:</Text>
          <Code data-testid="audit-head-value" style={{ wordBreak: 'break-all' }}>{headHash.data}</Code>
          <CopyButton value={headHash.data}>
            {({ copied, copy }) => (
              <Button size="xs" variant="subtle" onClick={copy} data-testid="audit-head-copy">{copied ? 'Copied' : 'Copy'}</Button>
            )}
          </CopyButton>
        </Group>
      )}
    </Stack>
  );
}

export function AuditTab() {
  const [draft, setDraft] = useState<Filter>(EMPTY);
  const [filter] = useDebouncedValue(draft, 300);
  const [selected, setSelected] = useState(-1);
  const [open, setOpen] = useState<AuditEntryView | null>(null);
  const pages = usePagedSearch(['audit', 'entries', filter], (offset, limit) =>
    auditEntries(auditQueryOf(filter, offset, limit)).then((p) => ({ total: p.total, rows: p.entries })),
  );
  const exportCsv = useMutation({
    mutationFn: () => auditExport(auditQueryOf(filter)),
    onSuccess: (path) => notifyDone(`Exported to ${path}`),
    onError: (e) => notifyError(e, 'The export failed'),
  });
  const { rows, fetchNextPage } = pages;
  const loadMore = useCallback(() => void fetchNextPage(), [fetchNextPage]);
  const onOpen = useCallback((row: AuditEntryView, index: number) => {
    setSelected(index);
    setOpen((cur) => (cur?.seq === row.seq ? null : row));
  }, []);
  const set = (field: keyof Filter) => (e: React.ChangeEvent<HTMLInputElement>) => {
    const value = e.currentTarget.value;
    setSelected(-1);
    setOpen(null);
    setDraft((d) => ({ ...d, [field]: value }));
  };
  const filtered = Object.values(filter).some((v) => v.trim() !== '');
  return (
    <Stack gap="sm" h="calc(100vh - 52px - 120px)">
      <Group justify="space-between" align="start">
        <Group gap="sm" align="baseline">
          <Title order={4}>Audit log</Title>
          {pages.total !== null && <Text c="dimmed" size="sm" data-testid="audit-total">{pages.total} entries</Text>}
          {pages.isFetching && <Loader size="xs" />}
        </Group>
        <Button size="xs" variant="default" onClick={() => exportCsv.mutate()} loading={exportCsv.isPending} data-testid="audit-export">
          Export CSV{filtered ? ' (filtered)' : ''}
        </Button>
      </Group>
      <VerifyPanel />
      {exportCsv.data && <Text size="sm" c="dimmed" data-testid="audit-export-path">Exported to {exportCsv.data}</Text>}
      <Group gap="xs" align="end" wrap="wrap">
        <TextInput size="xs" label="User" value={draft.actor} onChange={set('actor')} w={130} data-testid="audit-filter-actor" />
        <TextInput size="xs" label="Object type" placeholder="partner, plan…" value={draft.object_type} onChange={set('object_type')} w={130}
          data-testid="audit-filter-object-type" />
        <TextInput size="xs" label="Object id" value={draft.object_id} onChange={set('object_id')} w={150} data-testid="audit-filter-object-id" />
        <TextInput size="xs" label="Action starts with" placeholder="partner. / sign_in" value={draft.action} onChange={set('action')} w={160}
          data-testid="audit-filter-action" />
        <TextInput size="xs" label="From" type="date" value={draft.from} onChange={set('from')} w={150} data-testid="audit-filter-from" />
        <TextInput size="xs" label="To" type="date" value={draft.to} onChange={set('to')} w={150} data-testid="audit-filter-to" />
        {filtered && <Button size="xs" variant="subtle" onClick={() => setDraft(EMPTY)} data-testid="audit-filter-clear">Clear</Button>}
      </Group>
      {pages.isError && <ErrorState error={pages.error} title="The audit log could not be loaded" />}
      {pages.isPending && !pages.isError && <Text c="dimmed">Loading the audit log…</Text>}
      {pages.total === 0 && (
        <Text c="dimmed" data-testid="audit-empty">{filtered ? 'No entries match these filters.' : 'The audit log is empty.'}</Text>
      )}
      {open && <AuditDetail entry={open} />}
      {rows.length > 0 && (
        <VirtualGrid
          rows={rows}
          columns={columns}
          hasMore={pages.hasNextPage && !pages.isFetchNextPageError}
          loadingMore={pages.isFetchingNextPage}
          loadMore={loadMore}
          selected={selected}
          onOpen={onOpen}
          rowTestId={(r) => `audit-row-${r.seq}`}
          rowStyle={(r) => (r.action.includes('refused') || r.action.includes('failed') ? { color: 'var(--mantine-color-red-8)' } : undefined)}
          testId="audit-grid"
          loadingText="Loading more entries…"
        />
      )}
    </Stack>
  );
}
