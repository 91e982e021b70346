//! The partner's own payout rules: a minimum payout that overrides its
//! currency's, and a compliance hold (with its reason) that keeps it out of
//! payout runs; the run shows the reason among the partners held back.
import { useState } from 'react';
import { Alert, Badge, Button, Group, Stack, Text, TextInput } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { partnerPayoutSet } from '../../api';
import { errorProps, formLevelError } from '../../components/fieldError';
import { ErrorState } from '../../components/ErrorState';
import { toApiError } from '../../errors';
import { formatMoney } from '../../money';
import { notifyDone } from '../../notify';
import { useCan } from '../../session';
import { payoutKeys, usePartnerPayout } from '../payouts/payoutQueries';

export function PartnerPayout({ partnerId, currency }: { partnerId: string; currency: string }) {
  const client = useQueryClient();
  const canEdit = useCan('payout.hold');
  const q = usePartnerPayout(partnerId);
  const [editing, setEditing] = useState(false);
  const [threshold, setThreshold] = useState('');
  const [hold, setHold] = useState('');
  const save = useMutation({
    mutationFn: () => partnerPayoutSet(partnerId, threshold.trim() || null, hold.trim() || null),
    onSuccess: async () => {
      notifyDone(hold.trim() ? `${partnerId} is on hold: payout runs hold it back` : `Payout rules of ${partnerId} saved`);
      setEditing(false);
      await client.invalidateQueries({ queryKey: payoutKeys.partnerPayout(partnerId) });
    },
  });
  const start = () => {
    setThreshold(q.data?.threshold ?? '');
    setHold(q.data?.hold_reason ?? '');
    save.reset();
    setEditing(true);
  };
  const other = formLevelError(save.error, ['threshold']);
  return (
    <Stack gap="xs" data-testid="partner-payout">
      <Text fw={600}>Payout rules</Text>
      {q.isError && <ErrorState error={q.error} title="The payout rules could not be loaded" />}
      {q.data && !editing && (
        <Group gap="sm">
          {q.data.hold_reason
            ? <Badge color="orange" variant="light" data-testid="partner-hold">On hold: {q.data.hold_reason}</Badge>
            : <Text size="sm" data-testid="partner-hold">Not on hold</Text>}
          <Text size="sm" data-testid="partner-threshold">
            {q.data.threshold ? `Own minimum payout: ${formatMoney(q.data.threshold)} ${currency}` : "Minimum payout: the currency's"}
          </Text>
          {canEdit && <Button size="xs" variant="default" onClick={start} data-testid="partner-payout-edit">Change</Button>}
        </Group>
      )}
      {editing && (
        <form noValidate onSubmit={(e) => { e.preventDefault(); save.mutate(); }}>
          <Group align="end" gap="sm" wrap="wrap">
            <TextInput label={`Own minimum payout (${currency})`} description="Empty: the currency's minimum" value={threshold}
              onChange={(e) => setThreshold(e.currentTarget.value)} w={200} data-testid="partner-threshold-input"
              {...errorProps(save.error, 'partner-payout', 'threshold')} />
            <TextInput label="Compliance hold" description="Empty: not on hold" placeholder="why payouts are held" value={hold}
              onChange={(e) => setHold(e.currentTarget.value)} style={{ flex: 1 }} miw={240} data-testid="partner-hold-input" />
            <Button type="submit" loading={save.isPending} data-testid="partner-payout-save">Save</Button>
            <Button variant="default" onClick={() => setEditing(false)}>Cancel</Button>
          </Group>
        </form>
      )}
      {other ? <Alert color="red" data-testid="partner-payout-error">{toApiError(other).message}</Alert> : null}
    </Stack>
  );
}
