//! What can be done with a run now: by its state (the core lists the allowed
//! actions) and by the user's roles. Approve and reject go through the
//! four-eyes queue with a reason; the submitter is never offered them, and
//! above the threshold the run stays submitted until its second approval.
import { useState } from 'react';
import { Alert, Badge, Button, Group, Modal, Stack, Text, Textarea } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { payoutRunApprove, payoutRunCancel, payoutRunReject, payoutRunSubmit } from '../../api';
import type { ApprovalView, PayoutRunDetail, PayoutRunView } from '../../bindings';
import { toApiError } from '../../errors';
import { notifyDone, notifyWaiting } from '../../notify';
import { useSession } from '../../session';
import { payoutKeys, usePendingApprovals } from './payoutQueries';

type Deciding = { approve: boolean } | null;

/** The state of a submitted run's request in the approvals queue. */
export function ApprovalState({ run, approval }: { run: PayoutRunView; approval: ApprovalView | undefined }) {
  if (run.state !== 'submitted') return null;
  if (!approval) {
    return (
      <Text size="sm" c="dimmed" data-testid="run-approval">
        Waits in the approvals queue{run.approval_id !== null ? ` (request #${run.approval_id})` : ''}.
      </Text>
    );
  }
  const more = approval.required_approvals - approval.approvals;
  return (
    <Stack gap={4} data-testid="run-approval">
      <Group gap="xs">
        <Badge color="yellow" variant="light" data-testid="run-approval-count">
          {approval.approvals} of {approval.required_approvals} approval{approval.required_approvals === 1 ? '' : 's'}
        </Badge>
        <Text size="sm">
          Request #{approval.approval_id}: {more > 0
            ? `waits for ${more === 1 && approval.approvals > 0 ? 'a second approver' : `${more} more approver${more === 1 ? '' : 's'}`}`
            : 'approved'}
          {approval.required_approvals > 1 && approval.amount ? ` (${approval.amount} ${approval.currency ?? ''} is above the two-approver threshold)` : ''}
        </Text>
      </Group>
      {approval.decisions.map((d) => (
        <Text size="xs" key={`${d.approver}-${d.at}`} c="dimmed">{d.decision} by {d.approver}: “{d.reason}”</Text>
      ))}
      {!approval.can_decide && approval.why_not && <Text size="xs" c="orange.8" data-testid="run-approval-why-not">{approval.why_not}</Text>}
    </Stack>
  );
}

export function RunActions({ detail }: { detail: PayoutRunDetail }) {
  const run = detail.run;
  const id = run.run_id;
  const client = useQueryClient();
  const { can, session } = useSession();
  const me = session?.user ?? '';
  const allowed = (a: string) => run.actions.includes(a);
  const pending = usePendingApprovals(run.state === 'submitted' && can('approvals.list'));
  const approval = pending.data?.find((a) => a.approval_id === run.approval_id);
  const [deciding, setDeciding] = useState<Deciding>(null);
  const [reason, setReason] = useState('');
  const [tried, setTried] = useState(false);

  const refresh = async () => {
    await client.invalidateQueries({ queryKey: payoutKeys.payouts });
    await client.invalidateQueries({ queryKey: ['approvals'] });
    await client.invalidateQueries({ queryKey: payoutKeys.ledger });
  };
  const submit = useMutation({
    mutationFn: () => payoutRunSubmit(id),
    onSuccess: async () => { notifyWaiting(`Run #${id} waits for approval by another finance user`); await refresh(); },
  });
  const cancel = useMutation({
    mutationFn: () => payoutRunCancel(id),
    onSuccess: async () => { notifyDone(`Run #${id} cancelled: its balances are free for another run`); await refresh(); },
  });
  const decide = useMutation({
    mutationFn: (approve: boolean) => (approve ? payoutRunApprove(id, reason.trim()) : payoutRunReject(id, reason.trim())),
    onSuccess: async (d, approve) => {
      if (!approve) notifyDone(`Run #${id} sent back to draft`);
      else if (d.run.state === 'submitted') notifyWaiting(`Your approval of run #${id} is recorded: it needs a second approver`);
      else notifyDone(`Run #${id} approved: it can be exported`);
      closeDialog();
      await refresh();
    },
  });
  const closeDialog = () => { setDeciding(null); setReason(''); setTried(false); decide.reset(); };
  const busy = submit.isPending || cancel.isPending || decide.isPending;
  const iSubmitted = run.submitted_by !== null && run.submitted_by === me;
  // Whoever created the run does not decide it either, whoever submitted it.
  const iCreated = !iSubmitted && run.created_by === me;
  const iApproved = approval?.decisions.some((d) => d.approver === me) ?? false;
  const mayDecide = can('payout.approve') && (allowed('approve') || allowed('reject'));
  const error = submit.error ?? cancel.error;

  return (
    <Stack gap="xs" data-testid="run-actions">
      <ApprovalState run={run} approval={approval} />
      <Group gap="sm">
        {can('payout.create') && allowed('submit') && (
          <Button onClick={() => submit.mutate()} loading={submit.isPending} disabled={busy} data-testid="run-submit">Submit for approval</Button>
        )}
        {mayDecide && !iSubmitted && !iCreated && !iApproved && (
          <>
            {allowed('approve') && (
              <Button color="teal" onClick={() => setDeciding({ approve: true })} disabled={busy} data-testid="run-approve">Approve</Button>
            )}
            {allowed('reject') && (
              <Button color="red" variant="light" onClick={() => setDeciding({ approve: false })} disabled={busy} data-testid="run-reject">Reject</Button>
            )}
          </>
        )}
        {can('payout.create') && allowed('cancel') && (
          <Button variant="default" color="red" onClick={() => cancel.mutate()} loading={cancel.isPending} disabled={busy} data-testid="run-cancel">
            Cancel run
          </Button>
        )}
      </Group>
      {mayDecide && (iSubmitted || iCreated) && (
        <Text size="sm" c="orange.8" data-testid="run-four-eyes">
          You {iSubmitted ? 'submitted' : 'created'} this run: another finance user must approve or reject it (four eyes).
        </Text>
      )}
      {mayDecide && !iSubmitted && !iCreated && iApproved && !approval?.why_not && (
        <Text size="sm" c="orange.8" data-testid="run-already-approved">You approved this run already: a second approver must decide.</Text>
      )}
      {error ? <Alert color="red" data-testid="run-action-error">{toApiError(error).message}</Alert> : null}
      <Modal opened={deciding !== null} onClose={closeDialog} centered
        title={deciding?.approve ? `Approve run #${id}` : `Reject run #${id}`}>
        <form noValidate onSubmit={(e) => { e.preventDefault(); setTried(true); if (deciding && reason.trim()) decide.mutate(deciding.approve); }}>
          <Stack gap="sm" data-testid="run-decide-dialog">
            <Text size="sm">
              {detail.items.length} payment{detail.items.length === 1 ? '' : 's'}: {run.totals.map((t) => `${t.amount} ${t.currency}`).join(', ') || 'none'}
            </Text>
            <Textarea label="Reason" description="Required; it is kept with the decision in the audit log." autosize minRows={2}
              value={reason} onChange={(e) => setReason(e.currentTarget.value)} data-autofocus data-testid="run-decide-reason"
              error={tried && !reason.trim() ? 'Give a reason for the decision.' : undefined}
              errorProps={{ 'data-testid': 'run-decide-reason-error' }} />
            {decide.isError && <Alert color="red" data-testid="run-decide-error">{toApiError(decide.error).message}</Alert>}
            <Group justify="flex-end">
              <Button variant="default" onClick={closeDialog}>Cancel</Button>
              <Button type="submit" color={deciding?.approve ? 'teal' : 'red'} loading={decide.isPending} data-testid="run-decide-confirm">
                {deciding?.approve ? 'Approve' : 'Reject'}
              </Button>
            </Group>
          </Stack>
        </form>
      </Modal>
    </Stack>
  );
}
