//! The period in view and what can be done with it: pick a computed period,
//! run one (a new one too), close it, export its canonical CSV.
import { useEffect, useState } from 'react';
import { Alert, Badge, Button, Group, NativeSelect, Stack, Text, TextInput, Tooltip } from '@mantine/core';
import type { PeriodView } from '../../bindings';
import { errorProps, formLevelError } from '../../components/fieldError';
import { toApiError } from '../../errors';
import { isPeriod } from '../../periods';
import { CloseDialog } from './CloseDialog';
import { RunProgress } from './RunProgress';
import { usePeriodActions } from './usePeriodActions';
import { useSession } from '../../session';
import { exportLines } from '../../api';
import { ExportButtons } from '../payouts/ExportButtons';

type Props = { periods: PeriodView[]; period: string | null; onSelect: (period: string) => void };

function PeriodState({ view }: { view: PeriodView | undefined }) {
  if (!view) return <Badge color="gray" variant="outline" data-testid="period-state">not computed</Badge>;
  return (
    <Group gap={6}>
      <Tooltip label={view.state === 'closed' ? `Closed ${view.closed_at ?? ''} by ${view.closed_by ?? '?'}` : `Computed ${view.computed_at}`}>
        <Badge color={view.state === 'closed' ? 'gray' : 'teal'} variant="light" data-testid="period-state">{view.state}</Badge>
      </Tooltip>
      {!view.up_to_date && <Badge color="orange" variant="light" data-testid="period-stale">out of date — run again</Badge>}
    </Group>
  );
}

export function PeriodBar({ periods, period, onSelect }: Props) {
  const [input, setInput] = useState(period ?? '');
  useEffect(() => setInput(period ?? ''), [period]);
  const [confirming, setConfirming] = useState(false);
  const { run, close, exportFile, notice, runEvent } = usePeriodActions(onSelect);
  const { can } = useSession();
  const view = periods.find((p) => p.period === period);
  const typed = input.trim();
  const hint = typed !== '' && !isPeriod(typed) ? 'A month as YYYY-MM, e.g. 2026-03' : undefined;
  const runErr = errorProps(run.error, 'period', 'period');
  const other = formLevelError(run.error, ['period']);

  return (
    <Stack gap="xs">
      <Group align="end" gap="sm" wrap="wrap">
        <NativeSelect label="Period" value={period && view ? period : ''} onChange={(e) => e.currentTarget.value && onSelect(e.currentTarget.value)}
          data={[...(view ? [] : [{ value: '', label: period ? `${period} (not computed)` : 'None computed yet' }]), ...periods.map((p) => ({ value: p.period, label: `${p.period} · ${p.state}` }))]}
          w={200} data-testid="period-select" />
        {can('commissions.run') && (
          <>
            <TextInput label="Run through" placeholder="YYYY-MM" value={input} onChange={(e) => setInput(e.currentTarget.value)} w={130}
              onKeyDown={(e) => { if (e.key === 'Enter' && typed) run.mutate(typed); }}
              data-testid="period-input" {...runErr} error={runErr.error ?? hint} />
            <Button onClick={() => run.mutate(typed)} disabled={!typed} loading={run.isPending} data-testid="commissions-run">
              Run {typed || 'period'}
            </Button>
          </>
        )}
        {can('commissions.close') && (
          <Button variant="default" color="red" onClick={() => setConfirming(true)} disabled={!view || view.state === 'closed' || close.isPending}
            data-testid="commissions-close">Close period</Button>
        )}
        {can('commissions.export') && (
          <Button variant="default" onClick={() => period && exportFile.mutate(period)} disabled={!view} loading={exportFile.isPending}
            data-testid="period-export">Export CSV</Button>
        )}
        {can('commissions.export') && view && period && (
          <ExportButtons run={(f) => exportLines(period, f)} testId="lines-export" what="Lines" />
        )}
        <PeriodState view={view} />
      </Group>
      {run.isPending && <RunProgress event={runEvent} />}
      {notice && <Alert color="teal" data-testid="run-result">{notice}</Alert>}
      {other ? <Alert color="red" title="The run failed" data-testid="run-error"><Text size="sm" style={{ whiteSpace: 'pre-wrap' }}>{toApiError(other).message}</Text></Alert> : null}
      {exportFile.data && exportFile.variables === period && <Text size="sm" c="dimmed" data-testid="export-path">Exported to {exportFile.data}</Text>}
      {period && (
        <CloseDialog period={period} opened={confirming} busy={close.isPending} onCancel={() => setConfirming(false)}
          onConfirm={() => close.mutate(period, { onSettled: () => setConfirming(false) })} />
      )}
    </Stack>
  );
}
