//! Settings → Connections: the platforms Partnerdesk pulls data from (MT5,
//! a gaming feed, a WooCommerce shop, an import folder). Add one (secrets go
//! to the OS keyring), test it, run it now with progress and cancel, see its
//! run history with counts and errors, and set its schedule; edit or delete
//! it (ConnectionDialogs.tsx); see what waits in its retry list and which
//! country texts it could not place (ConnectionWaiting.tsx).
import { useEffect, useState } from 'react';
import {
  Alert, Badge, Button, Group, NativeSelect, NumberInput, PasswordInput, Progress, Stack, Table, Text, Textarea, TextInput, Title,
} from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import {
  connectionsAdd, connectionsList, connectionsTest, onProgress, syncCancel, syncRun, syncRunErrors, syncRuns,
} from '../../api';
import type { ConnectionKind, ConnectionView } from '../../bindings';
import { CONNECTION_KINDS, optionOf } from '../../options';
import { ErrorState } from '../../components/ErrorState';
import { toApiError } from '../../errors';
import { notifyDone } from '../../notify';
import { useCan } from '../../session';
import { DeleteConnection, EditConnection } from './ConnectionDialogs';
import { ConnectionFields } from './ConnectionFields';
import { ReportCell, UnmappedCountries, Waiting } from './ConnectionWaiting';

/** A starting configuration per kind (the user edits the JSON). */
export const TEMPLATES: Record<ConnectionKind, object> = {
  mt5: {
    base_url: 'https://mt5.example.com', login: '1000', brand_id: 'FX', groups: '*', from: '2026-01-01', window_hours: 24,
    server_timezone: 'UTC', overlap_hours: 24,
  },
  gaming: {
    base_url: 'https://feed.example.com', brand_id: 'CAS', auth: { type: 'bearer' },
    registrations_path: '/v1/players', activity_path: '/v1/activity', page_size_param: 'limit', page_size: 1000,
  },
  woocommerce: {
    base_url: 'https://shop.example.com', brand_id: 'PROP', per_page: 100, auth: 'auto', paid_statuses: ['processing', 'completed'],
    overlap_hours: 24,
  },
  csv: { folder: '/path/to/import-folder' },
};

/** The secrets each kind needs (the gaming feed's depend on its auth type). */
export function secretNames(kind: ConnectionKind, config: Record<string, unknown>): string[] {
  switch (kind) {
    case 'mt5': return ['password'];
    case 'woocommerce': return ['consumer_key', 'consumer_secret'];
    case 'gaming': {
      const auth = (config.auth ?? {}) as { type?: string };
      return [auth.type === 'api_key' ? 'api_key' : auth.type === 'oauth2' ? 'client_secret' : 'token'];
    }
    case 'csv': return [];
  }
}

function parse(text: string): Record<string, unknown> | null {
  try {
    const v = JSON.parse(text);
    return v && typeof v === 'object' && !Array.isArray(v) ? v : null;
  } catch {
    return null;
  }
}

function AddConnection() {
  const client = useQueryClient();
  const [name, setName] = useState('');
  const [kind, setKind] = useState<ConnectionKind>('mt5');
  const [config, setConfig] = useState(JSON.stringify(TEMPLATES.mt5, null, 2));
  const [secrets, setSecrets] = useState<Record<string, string>>({});
  const [schedule, setSchedule] = useState<number | ''>('');
  const parsed = parse(config);
  const needed = secretNames(kind, parsed ?? {});
  const add = useMutation({
    mutationFn: () => connectionsAdd({
      name: name.trim(),
      config: { ...(parsed ?? {}), kind },
      secrets,
      schedule_minutes: schedule === '' ? null : schedule,
    }),
    onSuccess: (c) => {
      setName('');
      setSecrets({});
      notifyDone(`Connection ${c.name} added`);
      return client.invalidateQueries({ queryKey: ['connections'] });
    },
  });
  return (
    <form noValidate onSubmit={(e) => { e.preventDefault(); if (parsed) add.mutate(); }}>
      <Stack gap="xs">
        <Group align="start" gap="sm">
          <TextInput label="Name" value={name} onChange={(e) => setName(e.currentTarget.value)} w={180} data-testid="connection-name" />
          <NativeSelect
            label="Platform" value={kind} data={CONNECTION_KINDS} data-testid="connection-kind"
            onChange={(e) => { const k = optionOf(CONNECTION_KINDS, e.currentTarget.value) ?? 'mt5'; setKind(k); setConfig(JSON.stringify(TEMPLATES[k], null, 2)); setSecrets({}); }}
          />
          <NumberInput
            label="Run every (minutes)" placeholder="on demand" min={5} max={10080} w={170} value={schedule}
            onChange={(v) => setSchedule(typeof v === 'number' ? v : '')} data-testid="connection-schedule"
          />
        </Group>
        {parsed && (
          <ConnectionFields kind={kind} config={parsed} onChange={(next) => setConfig(JSON.stringify(next, null, 2))} testid="connection-field" />
        )}
        <Textarea
          label="Settings (JSON)" autosize minRows={4} value={config} onChange={(e) => setConfig(e.currentTarget.value)}
          error={parsed ? undefined : 'not a JSON object'} styles={{ input: { fontFamily: 'monospace' } }} data-testid="connection-config"
        />
        <Group gap="sm">
          {needed.map((s) => (
            <PasswordInput
              key={s} label={`${s} (kept in the OS keyring)`} w={260} value={secrets[s] ?? ''}
              onChange={(e) => { const v = e.currentTarget.value; setSecrets((p) => ({ ...p, [s]: v })); }}
              data-testid={`connection-secret-${s}`}
            />
          ))}
        </Group>
        <Group>
          <Button type="submit" disabled={!parsed} loading={add.isPending} data-testid="connection-save">Add connection</Button>
        </Group>
        {add.error ? <Alert color="red" data-testid="connection-error">{toApiError(add.error).message}</Alert> : null}
      </Stack>
    </form>
  );
}

function History({ name }: { name: string }) {
  const runs = useQuery({ queryKey: ['connections', name, 'runs'], queryFn: () => syncRuns(name, 20) });
  const [open, setOpen] = useState<number | null>(null);
  const errors = useQuery({
    queryKey: ['connections', 'errors', open], queryFn: () => syncRunErrors(open ?? 0, 200), enabled: open !== null,
  });
  if (runs.isError) return <ErrorState error={runs.error} title="The run history could not be loaded" />;
  if (!runs.data) return null;
  if (runs.data.length === 0) return <Text c="dimmed" size="sm" data-testid={`history-empty-${name}`}>No runs yet.</Text>;
  return (
    <Stack gap={4}>
      <Table withTableBorder data-testid={`history-${name}`}>
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Started</Table.Th><Table.Th>Status</Table.Th><Table.Th>Fetched</Table.Th><Table.Th>Inserted</Table.Th>
            <Table.Th>Updated</Table.Th><Table.Th>Skipped</Table.Th><Table.Th>Errors</Table.Th><Table.Th>Message</Table.Th><Table.Th>Report</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {runs.data.map((r) => (
            <Table.Tr key={r.run_id} data-testid={`run-${r.run_id}`}>
              <Table.Td>{r.started_at.slice(0, 19).replace('T', ' ')}</Table.Td>
              <Table.Td><Badge color={r.status === 'ok' ? 'green' : r.status === 'running' ? 'blue' : r.status === 'ok_with_errors' ? 'yellow' : 'red'}>{r.status}</Badge></Table.Td>
              <Table.Td>{r.fetched}</Table.Td><Table.Td>{r.inserted}</Table.Td><Table.Td>{r.updated}</Table.Td><Table.Td>{r.skipped}</Table.Td>
              <Table.Td>
                {r.errors > 0
                  ? <Button size="compact-xs" variant="subtle" onClick={() => setOpen(r.run_id)} data-testid={`run-errors-${r.run_id}`}>{r.errors}</Button>
                  : 0}
              </Table.Td>
              <Table.Td>{r.error ?? ''}</Table.Td>
              <Table.Td data-testid={`run-report-${r.run_id}`}><ReportCell report={r.report} /></Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      {open !== null && errors.data && (
        <Table withTableBorder data-testid="run-error-list">
          <Table.Tbody>
            {errors.data.map((e, i) => (
              <Table.Tr key={i}><Table.Td>{e.stream}</Table.Td><Table.Td>{e.external_id}</Table.Td><Table.Td>{e.message}</Table.Td></Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
    </Stack>
  );
}

function ConnectionRow({ c, canRun, canManage }: { c: ConnectionView; canRun: boolean; canManage: boolean }) {
  const client = useQueryClient();
  const [showHistory, setShowHistory] = useState(false);
  const [showWaiting, setShowWaiting] = useState(false);
  const [showCountries, setShowCountries] = useState(false);
  const [dialog, setDialog] = useState<'edit' | 'delete' | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const [done, setDone] = useState(0);
  const test = useMutation({ mutationFn: () => connectionsTest(c.name) });
  const run = useMutation({
    mutationFn: () => syncRun(c.name),
    onSettled: () => client.invalidateQueries({ queryKey: ['connections'] }),
  });
  useEffect(() => {
    if (!run.isPending) return;
    let stop: (() => void) | undefined;
    let live = true;
    onProgress((e) => {
      if (e.task === 'sync' && e.message.startsWith(`${c.name}:`)) {
        setMessage(e.message);
        setDone(e.done);
      }
    }).then((u) => { if (live) stop = u; else u(); });
    return () => { live = false; stop?.(); };
  }, [run.isPending, c.name]);
  const missing = c.secrets.filter((s) => !s.stored).map((s) => s.name);
  const last = c.last_run;
  return (
    <>
      <Table.Tr data-testid={`connection-row-${c.name}`}>
        <Table.Td>{c.name}</Table.Td>
        <Table.Td>{c.kind}</Table.Td>
        <Table.Td>{c.schedule_minutes ? `every ${c.schedule_minutes} min` : 'on demand'}</Table.Td>
        <Table.Td data-testid={`connection-last-${c.name}`}>
          {last ? `${last.status}: ${last.fetched} fetched, ${last.inserted} new, ${last.updated} updated, ${last.errors} errors` : 'never run'}
          {missing.length > 0 && <Text c="red" size="xs">missing in the keyring: {missing.join(', ')}</Text>}
        </Table.Td>
        <Table.Td>
          <Group gap={4} wrap="nowrap">
            {canRun && <Button size="xs" variant="default" loading={test.isPending} onClick={() => test.mutate()} data-testid={`connection-test-${c.name}`}>Test</Button>}
            {canRun && !run.isPending && <Button size="xs" onClick={() => { setMessage(null); run.mutate(); }} data-testid={`connection-run-${c.name}`}>Run now</Button>}
            {canRun && run.isPending && <Button size="xs" color="red" variant="light" onClick={() => syncCancel(c.name)} data-testid={`connection-cancel-${c.name}`}>Cancel</Button>}
            <Button size="xs" variant="subtle" onClick={() => setShowHistory((v) => !v)} data-testid={`connection-history-${c.name}`}>History</Button>
            <Button
              size="xs" variant="subtle" color={c.waiting > 0 ? 'orange' : undefined} onClick={() => setShowWaiting((v) => !v)}
              data-testid={`connection-waiting-${c.name}`}
            >
              Waiting ({c.waiting})
            </Button>
            {c.unmapped_countries > 0 && (
              <Button size="xs" variant="subtle" color="yellow" onClick={() => setShowCountries((v) => !v)} data-testid={`connection-countries-${c.name}`}>
                Countries ({c.unmapped_countries})
              </Button>
            )}
            {canManage && <Button size="xs" variant="subtle" onClick={() => setDialog('edit')} data-testid={`connection-edit-${c.name}`}>Edit</Button>}
            {canManage && (
              <Button size="xs" variant="subtle" color="red" disabled={run.isPending} onClick={() => setDialog('delete')} data-testid={`connection-delete-${c.name}`}>
                Delete
              </Button>
            )}
          </Group>
          {dialog === 'edit' && <EditConnection c={c} opened onClose={() => setDialog(null)} />}
          {dialog === 'delete' && <DeleteConnection c={c} opened onClose={() => setDialog(null)} />}
        </Table.Td>
      </Table.Tr>
      {(run.isPending || test.data || test.error || run.error || run.data) && (
        <Table.Tr>
          <Table.Td colSpan={5}>
            {run.isPending && (
              <Stack gap={2} data-testid={`connection-progress-${c.name}`}>
                <Progress value={100} animated striped />
                <Text size="xs">{message ?? 'connecting…'} {done > 0 ? `(${done} records)` : ''}</Text>
              </Stack>
            )}
            {test.data && <Text size="sm" c="green" data-testid={`connection-test-ok-${c.name}`}>{test.data}</Text>}
            {test.error && <Alert color="red" data-testid={`connection-test-error-${c.name}`}>{toApiError(test.error).message}</Alert>}
            {run.error && <Alert color="red" data-testid={`connection-run-error-${c.name}`}>{toApiError(run.error).message}</Alert>}
            {run.data && !run.isPending && (
              <Text size="sm" data-testid={`connection-run-result-${c.name}`}>
                {run.data.status}: {run.data.fetched} fetched, {run.data.inserted} inserted, {run.data.updated} updated, {run.data.skipped} skipped, {run.data.errors} errors
              </Text>
            )}
          </Table.Td>
        </Table.Tr>
      )}
      {showHistory && (
        <Table.Tr><Table.Td colSpan={5}><History name={c.name} /></Table.Td></Table.Tr>
      )}
      {showWaiting && (
        <Table.Tr><Table.Td colSpan={5}><Waiting name={c.name} canRun={canRun} /></Table.Td></Table.Tr>
      )}
      {showCountries && (
        <Table.Tr><Table.Td colSpan={5}><UnmappedCountries name={c.name} /></Table.Td></Table.Tr>
      )}
    </>
  );
}

export function ConnectionsSection() {
  const list = useQuery({ queryKey: ['connections'], queryFn: connectionsList });
  const canManage = useCan('connection.manage');
  const canRun = useCan('sync.run');
  return (
    <Stack gap="sm">
      <Title order={3}>Connections</Title>
      {list.isError && <ErrorState error={list.error} title="The connections could not be loaded" />}
      {list.data?.length === 0 && (
        <Text c="dimmed" data-testid="connection-empty">No connections yet.{canManage ? ' Add one below.' : ' An admin adds them.'}</Text>
      )}
      {list.data && list.data.length > 0 && (
        <Table withTableBorder data-testid="connection-list">
          <Table.Thead>
            <Table.Tr><Table.Th>Name</Table.Th><Table.Th>Platform</Table.Th><Table.Th>Schedule</Table.Th><Table.Th>Last run</Table.Th><Table.Th /></Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {list.data.map((c) => <ConnectionRow key={c.name} c={c} canRun={canRun} canManage={canManage} />)}
          </Table.Tbody>
        </Table>
      )}
      {canManage && <AddConnection />}
    </Stack>
  );
}
