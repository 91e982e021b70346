//! The amount above which a request needs two approvers: shown to everyone,
//! changed by an admin.
import { useState } from 'react';
import { Button, Group, Text, TextInput } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { approvalsThresholdGet, approvalsThresholdSet } from '../../api';
import { toApiError } from '../../errors';
import { notifyDone } from '../../notify';
import { useSession } from '../../session';

const KEY = ['approvals', 'threshold'] as const;

export function ThresholdSetting() {
  const { can } = useSession();
  const client = useQueryClient();
  const current = useQuery({ queryKey: KEY, queryFn: approvalsThresholdGet });
  const [amount, setAmount] = useState('');
  const save = useMutation({
    mutationFn: () => approvalsThresholdSet(amount.trim()),
    onSuccess: (stored) => {
      setAmount('');
      notifyDone(`Two approvers are now needed above ${stored}`);
      client.setQueryData(KEY, stored);
    },
  });
  const text = current.data !== undefined ? `Two approvers above ${current.data}` : current.isError ? 'Threshold unknown' : '';
  return (
    <Group gap="xs" align="start" wrap="nowrap">
      <Text size="sm" c="dimmed" mt={can('approvals.settings') ? 6 : 0} data-testid="threshold-current"
        title={current.isError ? current.error.message : undefined}>{text}</Text>
      {can('approvals.settings') && (
        <form noValidate onSubmit={(e) => { e.preventDefault(); if (amount.trim()) save.mutate(); }}>
          <Group gap="xs" align="start" wrap="nowrap">
            <TextInput size="xs" placeholder="New amount, e.g. 10000" value={amount} onChange={(e) => setAmount(e.currentTarget.value)} w={180}
              aria-label="Two-approver threshold" error={save.isError ? toApiError(save.error).message : undefined}
              errorProps={{ 'data-testid': 'threshold-error' }} data-testid="threshold-input" />
            <Button size="xs" type="submit" variant="default" disabled={!amount.trim()} loading={save.isPending} data-testid="threshold-save">
              Set threshold
            </Button>
          </Group>
        </form>
      )}
    </Group>
  );
}
