//! Excluding a customer (fraud, self-exclusion, duplicate: it then earns
//! nobody anything) or restoring it, with a reason for the audit log.
//! Offered only to the roles that may (compliance, admin).
import { useState } from 'react';
import { Alert, Button, Group, Modal, Stack, Text, Textarea } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { customersSetStatus } from '../../api';
import type { CustomerRow } from '../../bindings';
import { toApiError } from '../../errors';
import { notifyDone } from '../../notify';
import { keys } from '../../queries';
import { useCan } from '../../session';

export function CustomerStatusAction({ c }: { c: CustomerRow }) {
  const allowed = useCan('customer.status.set');
  const client = useQueryClient();
  const [opened, setOpened] = useState(false);
  const [reason, setReason] = useState('');
  const [tried, setTried] = useState(false);
  const target = c.status === 'excluded' ? 'active' : 'excluded';
  const change = useMutation({
    mutationFn: () => customersSetStatus(c.customer_id, target, reason.trim()),
    onSuccess: () => {
      notifyDone(target === 'excluded' ? `${c.customer_id} excluded` : `${c.customer_id} restored`);
      close();
      void client.invalidateQueries({ queryKey: ['compliance'] });
      return client.invalidateQueries({ queryKey: keys.customers });
    },
  });
  const close = () => {
    setOpened(false);
    setReason('');
    setTried(false);
    change.reset();
  };
  if (!allowed) return null;
  const missing = reason.trim() === '';
  const verb = target === 'excluded' ? 'Exclude' : 'Restore';
  return (
    <>
      <Button size="xs" variant="light" color={target === 'excluded' ? 'red' : 'teal'} onClick={() => setOpened(true)} data-testid="customer-status-open">
        {verb}
      </Button>
      <Modal opened={opened} onClose={close} title={`${verb} ${c.customer_id}?`} centered>
        <form noValidate onSubmit={(e) => { e.preventDefault(); setTried(true); if (!missing) change.mutate(); }}>
          <Stack gap="sm">
            <Text size="sm">
              {target === 'excluded'
                ? 'An excluded customer earns nobody anything and is left out of FTD counts. Runs of open periods pick this up.'
                : 'The customer earns its partner again from the next run of an open period.'}
            </Text>
            <Textarea label="Reason" description="Required; kept in the audit log." autosize minRows={2} value={reason} data-autofocus
              onChange={(e) => setReason(e.currentTarget.value)} error={tried && missing ? 'Give a reason.' : undefined}
              data-testid="customer-status-reason" />
            {change.isError && <Alert color="red" data-testid="customer-status-error">{toApiError(change.error).message}</Alert>}
            <Group justify="flex-end">
              <Button variant="default" onClick={close}>Cancel</Button>
              <Button type="submit" color={target === 'excluded' ? 'red' : 'teal'} loading={change.isPending} data-testid="customer-status-confirm">
                {verb}
              </Button>
            </Group>
          </Stack>
        </form>
      </Modal>
    </>
  );
}
