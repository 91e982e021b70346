//! "Statements for this run" / for a closed period: PDFs into a folder the
//! user picks (default Downloads/partnerdesk-statements-…), with a progress
//! bar fed by the core's `statements` progress events while the batch runs.
import { useState } from 'react';
import { Alert, Button, Group, Progress, Stack, Text } from '@mantine/core';
import { useMutation } from '@tanstack/react-query';
import { statementsForPeriod, statementsForRun } from '../../api';
import type { ProgressEvent } from '../../bindings';
import { useProgress } from '../../components/ProgressBar';
import { toApiError } from '../../errors';
import { notifyDone } from '../../notify';
import { useSession } from '../../session';
import { FolderField, useFolder } from './FolderField';
import { stamp } from './payoutQueries';

export type StatementsTarget = { kind: 'run'; runId: number } | { kind: 'period'; period: string };

/** The bar: determinate once the core reports done/total, indeterminate before the first event. */
export function StatementsProgress({ event }: { event: ProgressEvent | null }) {
  const known = event !== null && event.total > 0;
  const percent = known ? Math.min(100, (event.done / event.total) * 100) : 100;
  return (
    <Stack gap={4} data-testid="statements-progress">
      <Progress value={percent} animated striped={!known} data-testid={known ? 'statements-progress-known' : 'statements-progress-unknown'} />
      <Text size="xs" c="dimmed">
        {known ? `${event.done} of ${event.total} statements written` : 'Writing statements…'}
      </Text>
    </Stack>
  );
}

export function StatementsAction({ target }: { target: StatementsTarget }) {
  const { can } = useSession();
  const label = target.kind === 'run' ? `run-${target.runId}` : target.period;
  const [folder, setFolder] = useFolder(`partnerdesk-statements-${label}-${stamp()}`);
  const progress = useProgress('statements');
  const [stale, setStale] = useState<ProgressEvent | null>(null);
  const write = useMutation({
    mutationFn: () => (target.kind === 'run' ? statementsForRun(target.runId, folder.trim()) : statementsForPeriod(target.period, folder.trim())),
    onMutate: () => setStale(progress),
    onSuccess: (b) => notifyDone(`Wrote ${b.files.length} statement${b.files.length === 1 ? '' : 's'} into ${b.folder}`),
  });
  if (!can('statements.write')) return null;
  const err = write.error ? toApiError(write.error) : null;
  const fieldError = err && (err.field === 'folder' || err.code === 'io' || /cannot write/.test(err.message)) ? err.message : null;
  const event = write.isPending && progress !== stale ? progress : null;
  const title = target.kind === 'run' ? 'Statements for this run' : `Statements for ${target.period}`;
  return (
    <Stack gap="xs" data-testid="statements-action">
      <Group align="end" gap="sm" wrap="wrap">
        <FolderField value={folder} onChange={setFolder} error={fieldError} testId="statements-folder" label="Statements folder" />
        <Button onClick={() => write.mutate()} loading={write.isPending} disabled={folder.trim() === ''} data-testid="statements-write">
          {title}
        </Button>
      </Group>
      {write.isPending && <StatementsProgress event={event} />}
      {err && !fieldError && <Alert color="red" title="No statements were written" data-testid="statements-error">{err.message}</Alert>}
      {write.isSuccess && (
        <Text size="sm" c="dimmed" data-testid="statements-result">
          Wrote {write.data.files.length} statement{write.data.files.length === 1 ? '' : 's'} into {write.data.folder}
        </Text>
      )}
    </Stack>
  );
}
