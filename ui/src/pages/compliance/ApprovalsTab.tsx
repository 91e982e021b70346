//! The four-eyes queue: requests waiting for (or decided by) a second person.
//! Approving or rejecting needs a reason; the maker cannot decide their own,
//! and the core says why when the current user may not decide.
import { useState } from 'react';
import { Badge, Button, Card, Group, Modal, SegmentedControl, Stack, Text, Textarea, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { approvalsDecide, approvalsList } from '../../api';
import type { ApprovalStatus, ApprovalView } from '../../bindings';
import { ErrorState } from '../../components/ErrorState';
import { toApiError } from '../../errors';
import { notifyDone } from '../../notify';
import { SESSION_KEY, useSession } from '../../session';
import { ThresholdSetting } from './ThresholdSetting';
import { Notice } from '../../components/Notice';
import { when } from '../../when';

export const approvalsKey = (status: string) => ['approvals', status] as const;

const FILTERS = [
  { value: 'pending', label: 'Pending' },
  { value: 'approved', label: 'Approved' },
  { value: 'rejected', label: 'Rejected' },
  { value: 'all', label: 'All' },
];

const STATUS_COLORS: Record<ApprovalStatus, string> = { pending: 'yellow', approved: 'teal', rejected: 'red' };

type Deciding = { approval: ApprovalView; approve: boolean };

function DecideDialog({ deciding, onClose }: { deciding: Deciding | null; onClose: () => void }) {
  const client = useQueryClient();
  const [reason, setReason] = useState('');
  const [tried, setTried] = useState(false);
  const decide = useMutation({
    mutationFn: (d: Deciding) => approvalsDecide(d.approval.approval_id, d.approve, reason.trim()),
    onSuccess: (a) => {
      notifyDone(
        a.status === 'pending'
          ? `Request #${a.approval_id}: your approval is recorded (${a.approvals} of ${a.required_approvals})`
          : `Request #${a.approval_id} ${a.status}`,
      );
      close();
      // An approved change touches partners, plans, periods…: refresh everything but the session.
      return client.invalidateQueries({ predicate: (q) => q.queryKey[0] !== SESSION_KEY[0] });
    },
  });
  const close = () => {
    setReason('');
    setTried(false);
    decide.reset();
    onClose();
  };
  const missing = reason.trim() === '';
  const submit = () => {
    setTried(true);
    if (deciding && !missing) decide.mutate(deciding);
  };
  const verb = deciding?.approve ? 'Approve' : 'Reject';
  return (
    <Modal opened={deciding !== null} onClose={close} title={deciding ? `${verb} request #${deciding.approval.approval_id}` : ''} centered>
      {deciding && (
        <form noValidate onSubmit={(e) => { e.preventDefault(); submit(); }}>
          <Stack gap="sm" data-testid="decide-dialog">
            <Text size="sm">{deciding.approval.summary}</Text>
            <Textarea label="Reason" description="Required; it is kept with the decision in the audit log." autosize minRows={2}
              value={reason} onChange={(e) => setReason(e.currentTarget.value)} data-autofocus
              error={tried && missing ? 'Give a reason for the decision.' : undefined}
              errorProps={{ 'data-testid': 'decide-reason-error' }} data-testid="decide-reason" />
            {decide.isError && <Notice color="red" testId="decide-error">{toApiError(decide.error).message}</Notice>}
            <Group justify="flex-end">
              <Button variant="default" onClick={close} data-testid="decide-cancel">Cancel</Button>
              <Button type="submit" color={deciding.approve ? 'teal' : 'red'} loading={decide.isPending} data-testid="decide-confirm">{verb}</Button>
            </Group>
          </Stack>
        </form>
      )}
    </Modal>
  );
}

function ApprovalCard({ a, onDecide }: { a: ApprovalView; onDecide: (d: Deciding) => void }) {
  const { can } = useSession();
  const id = a.approval_id;
  return (
    <Card withBorder padding="sm" data-testid={`approval-${id}`}>
      <Stack gap={6}>
        <Group justify="space-between" wrap="nowrap" align="start">
          <Group gap="xs">
            <Text fw={600}>#{id} {a.kind_label}</Text>
            <Badge color={STATUS_COLORS[a.status] ?? 'gray'} variant="light" data-testid={`approval-status-${id}`}>{a.status}</Badge>
            <Badge variant="outline" color="gray" data-testid={`approval-count-${id}`}>approvals {a.approvals}/{a.required_approvals}</Badge>
            {a.amount && <Badge variant="outline">{a.amount} {a.currency ?? ''}</Badge>}
          </Group>
          {a.status === 'pending' && can('approvals.decide') && a.can_decide && (
            <Group gap="xs" wrap="nowrap">
              <Button size="xs" color="teal" onClick={() => onDecide({ approval: a, approve: true })} data-testid={`approval-approve-${id}`}>Approve</Button>
              <Button size="xs" color="red" variant="light" onClick={() => onDecide({ approval: a, approve: false })} data-testid={`approval-reject-${id}`}>Reject</Button>
            </Group>
          )}
        </Group>
        <Text size="sm" data-testid={`approval-summary-${id}`}>{a.summary}</Text>
        <Text size="xs" c="dimmed">
          Requested by {a.maker} at {when(a.created_at)} · {a.object_type} {a.object_id}
          {a.decided_at ? ` · decided ${when(a.decided_at)}` : ''}
        </Text>
        {a.decisions.length > 0 && (
          <Stack gap={2} data-testid={`approval-decisions-${id}`}>
            {a.decisions.map((d) => (
              <Text size="sm" key={`${d.approver}-${d.at}`}>
                <Badge size="xs" color={d.decision === 'approve' ? 'teal' : 'red'} variant="light" mr={6}>{d.decision}</Badge>
                {d.approver} at {when(d.at)}: “{d.reason}”
              </Text>
            ))}
          </Stack>
        )}
        {a.status === 'pending' && !a.can_decide && a.why_not && (
          <Text size="xs" c="orange.8" data-testid={`approval-why-not-${id}`}>{a.why_not}</Text>
        )}
      </Stack>
    </Card>
  );
}

export function ApprovalsTab() {
  const [status, setStatus] = useState('pending');
  const list = useQuery({ queryKey: approvalsKey(status), queryFn: () => approvalsList(status) });
  const [deciding, setDeciding] = useState<Deciding | null>(null);
  return (
    <Stack gap="sm">
      <Group justify="space-between" align="end">
        <Group gap="sm" align="center">
          <Title order={4}>Approvals</Title>
          <SegmentedControl size="xs" value={status} onChange={setStatus} data={FILTERS} data-testid="approvals-filter" />
        </Group>
        <ThresholdSetting />
      </Group>
      {list.isPending && <Text c="dimmed">Loading requests…</Text>}
      {list.isError && <ErrorState error={list.error} title="The approvals queue could not be loaded" />}
      {list.data?.length === 0 && (
        <Text c="dimmed" data-testid="approvals-empty">
          {status === 'pending' ? 'Nothing waits for approval.' : `No ${status === 'all' ? '' : status + ' '}requests.`}
        </Text>
      )}
      {list.data?.map((a) => <ApprovalCard key={a.approval_id} a={a} onDecide={setDeciding} />)}
      <DecideDialog deciding={deciding} onClose={() => setDeciding(null)} />
    </Stack>
  );
}
