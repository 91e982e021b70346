//! The partner's Balance: what it is owed per currency, the balance over
//! time, every ledger entry (virtualised: a long-standing partner has
//! thousands), how it is paid (a change of payment details waits for a second
//! finance user, shown here while it waits), and a manual adjustment request
//! that waits in the four-eyes queue.
import { useState } from 'react';
import { Alert, Badge, Box, Button, Group, NativeSelect, SimpleGrid, Stack, Text, TextInput, Title } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { createColumnHelper } from '@tanstack/react-table';
import { ledgerAdjust, paymentDetailsSet } from '../../api';
import type { EntryKind, LedgerEntryView, PaymentMethod } from '../../bindings';
import { errorProps, formLevelError } from '../../components/fieldError';
import { ErrorState } from '../../components/ErrorState';
import { VirtualGrid } from '../../components/VirtualGrid';
import { toApiError } from '../../errors';
import { formatMoney, isNegative } from '../../money';
import { labelOf, optionOf, PAYMENT_METHODS } from '../../options';
import { notifyDone, notifyWaiting } from '../../notify';
import { useCan } from '../../session';
import { payoutKeys, useLedgerEntries, usePaymentDetails, usePendingPaymentDetails } from '../payouts/payoutQueries';
import { BalanceChart } from './BalanceChart';
import { PartnerPayout } from './PartnerPayout';

const KIND_LABELS: Record<EntryKind, string> = {
  commission: 'Commission', adjustment: 'Late data', manual_adjustment: 'Manual adjustment', payout: 'Payout',
  payout_failed: 'Payout failed', reversal: 'Reversal',
};

const col = createColumnHelper<LedgerEntryView>();
const money = (v: string) => <Text span fz="sm" ff="monospace" c={isNegative(v) ? 'red' : undefined}>{formatMoney(v)}</Text>;
const COLUMNS = [
  col.accessor('effective_date', { header: 'Date', size: 100 }),
  col.accessor('kind', { header: 'Kind', size: 140, cell: (c) => KIND_LABELS[c.getValue()] ?? c.getValue() }),
  col.accessor('amount', { header: 'Amount', size: 110, cell: (c) => money(c.getValue()) }),
  col.accessor('balance', { header: 'Balance', size: 110, cell: (c) => money(c.getValue()) }),
  col.accessor('currency', { header: 'Cur.', size: 50 }),
  col.display({
    id: 'what', header: 'What', size: 260,
    cell: (c) => {
      const e = c.row.original;
      if (e.kind === 'commission' || e.kind === 'adjustment') return `${e.brand_id} ${e.line_kind} ${e.period}`;
      if (e.kind === 'payout' || e.kind === 'payout_failed') return `run #${e.run_id ?? '?'}${e.reason ? ` · ${e.reason}` : ''}`;
      return e.reason;
    },
  }),
  col.accessor('claimed_by_run', { header: 'In run', size: 70, cell: (c) => (c.getValue() !== null ? `#${c.getValue()}` : '') }),
];

/** The latest balance of each currency (entries come oldest first with their running balance). */
export function currentBalances(entries: LedgerEntryView[]): { currency: string; balance: string }[] {
  const last = new Map<string, string>();
  for (const e of entries) last.set(e.currency, e.balance);
  return [...last.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([currency, balance]) => ({ currency, balance }));
}

function AdjustForm({ partnerId, currency }: { partnerId: string; currency: string }) {
  const client = useQueryClient();
  const [amount, setAmount] = useState('');
  const [reason, setReason] = useState('');
  const [outcome, setOutcome] = useState<string | null>(null);
  const ask = useMutation({
    mutationFn: () => ledgerAdjust(partnerId, amount.trim(), reason.trim()),
    onMutate: () => setOutcome(null),
    onSuccess: async (a) => {
      const text = a.state === 'pending'
        ? `Manual adjustment #${a.adjustment_id} of ${a.amount} ${a.currency} waits for approval by another finance user in the approvals queue; nothing is posted until then.`
        : `Manual adjustment #${a.adjustment_id} of ${a.amount} ${a.currency}: ${a.state}.`;
      setOutcome(text);
      if (a.state === 'pending') notifyWaiting(text);
      else notifyDone(text);
      setAmount('');
      setReason('');
      await client.invalidateQueries({ queryKey: ['approvals'] });
      await client.invalidateQueries({ queryKey: payoutKeys.ledger });
    },
  });
  const other = formLevelError(ask.error, ['amount', 'reason']);
  return (
    <Stack gap="xs" data-testid="adjust-form">
      <Text fw={600}>Manual adjustment</Text>
      <form noValidate onSubmit={(e) => { e.preventDefault(); ask.mutate(); }}>
        <Group align="end" gap="sm" wrap="wrap">
          <TextInput label={`Amount (${currency}, signed)`} placeholder="25.00 or -10.50" value={amount} onChange={(e) => setAmount(e.currentTarget.value)}
            w={170} data-testid="adjust-amount" {...errorProps(ask.error, 'adjust', 'amount')} />
          <TextInput label="Reason" value={reason} onChange={(e) => setReason(e.currentTarget.value)} style={{ flex: 1 }} miw={240}
            data-testid="adjust-reason" {...errorProps(ask.error, 'adjust', 'reason')} />
          <Button type="submit" loading={ask.isPending} disabled={!amount.trim()} data-testid="adjust-submit">Request adjustment</Button>
        </Group>
      </form>
      {outcome && <Alert color="yellow" data-testid="adjust-outcome">{outcome}</Alert>}
      {other ? <Alert color="red" data-testid="adjust-error">{toApiError(other).message}</Alert> : null}
    </Stack>
  );
}

const ACCOUNT_LABELS: Record<PaymentMethod, [string, string]> = {
  bank_transfer: ['Account holder', 'IBAN'],
  e_wallet: ['Wallet type (e.g. Skrill)', 'Wallet account'],
  crypto: ['Network (e.g. USDT-TRC20)', 'Address'],
};

function PaymentDetails({ partnerId }: { partnerId: string }) {
  const client = useQueryClient();
  const canEdit = useCan('payment_details.set');
  const q = usePaymentDetails(partnerId);
  const pending = usePendingPaymentDetails(partnerId);
  const waiting = pending.data ?? null;
  const [editing, setEditing] = useState(false);
  const [method, setMethod] = useState<PaymentMethod>('bank_transfer');
  const [holder, setHolder] = useState('');
  const [account, setAccount] = useState('');
  const [bic, setBic] = useState('');
  const save = useMutation({
    mutationFn: () => paymentDetailsSet(partnerId, method, holder.trim(), account.trim(), method === 'bank_transfer' && bic.trim() ? bic.trim() : null),
    onSuccess: async (outcome) => {
      if (outcome.state === 'awaiting_approval') notifyWaiting(outcome.message);
      else notifyDone('Payment details saved');
      setEditing(false);
      // The details' key is the prefix of the pending change's key: both reload.
      await client.invalidateQueries({ queryKey: payoutKeys.details(partnerId) });
      await client.invalidateQueries({ queryKey: payoutKeys.pendingApprovals });
    },
  });
  const start = () => {
    setMethod(q.data?.method ?? 'bank_transfer');
    setHolder(q.data?.holder ?? '');
    setAccount(q.data?.account ?? '');
    setBic(q.data?.bic ?? '');
    save.reset();
    setEditing(true);
  };
  const [holderLabel, accountLabel] = ACCOUNT_LABELS[method];
  const other = formLevelError(save.error, ['method', 'holder', 'account', 'iban', 'bic']);
  const accountErr = errorProps(save.error, 'details', 'account');
  const ibanErr = errorProps(save.error, 'details', 'iban');
  return (
    <Stack gap="xs" data-testid="payment-details">
      <Text fw={600}>Payment details</Text>
      {q.isError && <ErrorState error={q.error} title="The payment details could not be loaded" />}
      {q.isSuccess && !editing && (
        <Group gap="sm">
          <Text size="sm" data-testid="payment-details-current">
            {q.data
              ? `${labelOf(PAYMENT_METHODS, q.data.method)}: ${q.data.holder} · ${q.data.account}${q.data.bic ? ` · ${q.data.bic}` : ''}`
              : 'None: this partner is held back from payout runs until they are set.'}
          </Text>
          {canEdit && (
            <Button size="xs" variant="default" onClick={start} disabled={waiting !== null} data-testid="payment-details-edit"
              title={waiting ? 'A change already waits for approval: approve or reject it first' : undefined}>
              {q.data ? 'Change' : 'Set'}
            </Button>
          )}
        </Group>
      )}
      {waiting && (
        <Alert color="yellow" title={`Waiting for approval (request #${waiting.approval_id})`} data-testid="payment-details-pending">
          <Text size="sm">
            {`${labelOf(PAYMENT_METHODS, waiting.method)}: ${waiting.holder} · ${waiting.account}${waiting.bic ? ` · ${waiting.bic}` : ''}`}
          </Text>
          <Text size="xs" c="dimmed">
            Asked for by {waiting.requested_by} at {waiting.requested_at}; the details above stay in force until another finance user approves.
          </Text>
        </Alert>
      )}
      {editing && (
        <form noValidate onSubmit={(e) => { e.preventDefault(); save.mutate(); }}>
          <Group align="end" gap="sm" wrap="wrap">
            <NativeSelect label="Method" data={PAYMENT_METHODS} value={method} onChange={(e) => setMethod(optionOf(PAYMENT_METHODS, e.currentTarget.value) ?? 'bank_transfer')} w={150} data-testid="details-method" />
            <TextInput label={holderLabel} value={holder} onChange={(e) => setHolder(e.currentTarget.value)} w={200} data-testid="details-holder"
              {...errorProps(save.error, 'details', 'holder')} />
            <TextInput label={accountLabel} value={account} onChange={(e) => setAccount(e.currentTarget.value)} w={280} data-testid="details-account"
              {...accountErr} error={accountErr.error ?? ibanErr.error} />
            {method === 'bank_transfer' && (
              <TextInput label="BIC (optional)" value={bic} onChange={(e) => setBic(e.currentTarget.value)} w={140} data-testid="details-bic"
                {...errorProps(save.error, 'details', 'bic')} />
            )}
            <Button type="submit" loading={save.isPending} data-testid="details-save">Save</Button>
            <Button variant="default" onClick={() => setEditing(false)}>Cancel</Button>
          </Group>
        </form>
      )}
      {other ? <Alert color="red" data-testid="details-error">{toApiError(other).message}</Alert> : null}
    </Stack>
  );
}

export function PartnerBalance({ partnerId, currency }: { partnerId: string; currency: string }) {
  const entries = useLedgerEntries(partnerId);
  const canAdjust = useCan('ledger.adjust');
  const rows = entries.data ?? [];
  const balances = currentBalances(rows);
  return (
    <Stack gap="md" data-testid="partner-balance">
      <Title order={4}>Balance</Title>
      {entries.isError && <ErrorState error={entries.error} title="The ledger could not be loaded" />}
      {entries.isPending && <Text c="dimmed">Loading the ledger…</Text>}
      {entries.isSuccess && rows.length === 0 && (
        <Text c="dimmed" data-testid="balance-empty">No ledger entries yet: they start when a period with this partner's commissions is closed.</Text>
      )}
      {rows.length > 0 && (
        <>
          <Group gap="sm">
            {balances.map((b) => (
              <Badge key={b.currency} size="xl" variant="light" color={isNegative(b.balance) ? 'red' : 'indigo'} data-testid={`balance-${b.currency}`}>
                {formatMoney(b.balance)} {b.currency}
              </Badge>
            ))}
          </Group>
          <SimpleGrid cols={{ base: 1, xl: 2 }} spacing="xl">
            <BalanceChart entries={rows} />
            <Box h={320} style={{ display: 'flex', flexDirection: 'column' }}>
              <VirtualGrid rows={rows} columns={COLUMNS} hasMore={false} loadingMore={false} loadMore={() => {}} selected={-1}
                onOpen={() => {}} rowTestId={(e) => `entry-${e.entry_id}`} testId="ledger-entries" loadingText="" />
            </Box>
          </SimpleGrid>
        </>
      )}
      <PaymentDetails partnerId={partnerId} />
      <PartnerPayout partnerId={partnerId} currency={currency} />
      {canAdjust && <AdjustForm partnerId={partnerId} currency={currency} />}
    </Stack>
  );
}
