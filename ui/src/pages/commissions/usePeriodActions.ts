//! Running, closing and exporting a period. Anything computed is cached
//! under ['commissions'] and refreshed after a run or a close.
import { useState } from 'react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { commissionsClose, commissionsExportFile, commissionsRun } from '../../api';
import type { ProgressEvent } from '../../bindings';
import { useProgress } from '../../components/ProgressBar';
import { notifyDone, notifyError, notifyWaiting } from '../../notify';
import { keys } from '../../queries';
import { runMessage } from './runMessage';

export function usePeriodActions(onRan: (period: string) => void) {
  const client = useQueryClient();
  const refresh = () => client.invalidateQueries({ queryKey: keys.commissions });
  const [notice, setNotice] = useState<string | null>(null);
  // Listening from the start, so no early event of a run is missed; the
  // event seen when a run starts belongs to an earlier one.
  const progress = useProgress('commissions');
  const [stale, setStale] = useState<ProgressEvent | null>(null);

  const run = useMutation({
    mutationFn: (period: string) => commissionsRun(period),
    onMutate: () => {
      setStale(progress);
      setNotice(null);
    },
    onSuccess: async (outcome, period) => {
      const text = runMessage(period, outcome);
      setNotice(text);
      notifyDone(text);
      await refresh();
      onRan(period);
    },
  });
  const close = useMutation({
    mutationFn: (period: string) => commissionsClose(period),
    onSuccess: async (outcome, period) => {
      if (outcome.state === 'awaiting_approval') {
        const text = `Closing ${period} waits for approval${outcome.approval ? ` (request #${outcome.approval.approval_id})` : ''}`;
        setNotice(text);
        notifyWaiting(text);
      } else {
        notifyDone(`Period ${period} closed`);
      }
      await refresh();
      await client.invalidateQueries({ queryKey: ['approvals'] });
    },
    onError: (e) => notifyError(e, 'The period was not closed'),
  });
  const exportFile = useMutation({
    mutationFn: (period: string) => commissionsExportFile(period),
    onSuccess: (path) => notifyDone(`Exported to ${path}`),
    onError: (e) => notifyError(e, 'The export failed'),
  });
  const runEvent = run.isPending && progress !== stale ? progress : null;
  return { run, close, exportFile, notice, runEvent };
}
