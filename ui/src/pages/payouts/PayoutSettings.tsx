//! Minimum payouts per currency (balances below carry over) and the
//! operator's own bank account, debited by the SEPA file.
import { useState } from 'react';
import { Alert, Button, Group, Stack, Table, Text, TextInput } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { operatorAccountSet, payoutThresholdSet } from '../../api';
import { errorProps, formLevelError } from '../../components/fieldError';
import { ErrorState } from '../../components/ErrorState';
import { toApiError } from '../../errors';
import { formatMoney } from '../../money';
import { notifyDone } from '../../notify';
import { useSession } from '../../session';
import { payoutKeys, useOperatorAccount, useThresholds } from './payoutQueries';

function Thresholds() {
  const client = useQueryClient();
  const { can } = useSession();
  const q = useThresholds();
  const [currency, setCurrency] = useState('');
  const [amount, setAmount] = useState('');
  const save = useMutation({
    mutationFn: (v: { currency: string; amount: string | null }) => payoutThresholdSet(v.currency, v.amount),
    onSuccess: async (_, v) => {
      notifyDone(v.amount ? `Minimum payout in ${v.currency.toUpperCase()}: ${v.amount}` : `Minimum payout in ${v.currency.toUpperCase()} removed`);
      setCurrency('');
      setAmount('');
      await client.invalidateQueries({ queryKey: payoutKeys.thresholds });
    },
  });
  const other = formLevelError(save.error, ['currency', 'amount']);
  return (
    <Stack gap="xs" data-testid="thresholds">
      <Text fw={600}>Minimum payout per currency</Text>
      {q.isError && <ErrorState error={q.error} title="The thresholds could not be loaded" />}
      {q.data && q.data.length === 0 && <Text size="sm" c="dimmed">No minimum set: every positive balance is paid.</Text>}
      {q.data && q.data.length > 0 && (
        <Table maw={420}>
          <Table.Tbody>
            {q.data.map(([c, a]) => (
              <Table.Tr key={c} data-testid={`threshold-${c}`}>
                <Table.Td>{c}</Table.Td>
                <Table.Td ff="monospace" ta="right">{formatMoney(a)}</Table.Td>
                <Table.Td>
                  {can('payout.settings') && (
                    <Button size="compact-xs" variant="subtle" color="red" onClick={() => save.mutate({ currency: c, amount: null })}
                      data-testid={`threshold-remove-${c}`}>Remove</Button>
                  )}
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
      {can('payout.settings') && (
        <Group align="end" gap="sm">
          <TextInput label="Currency" placeholder="EUR" value={currency} onChange={(e) => setCurrency(e.currentTarget.value)} w={90}
            data-testid="threshold-currency" {...errorProps(save.error, 'threshold', 'currency')} />
          <TextInput label="Minimum" placeholder="50.00" value={amount} onChange={(e) => setAmount(e.currentTarget.value)} w={130}
            data-testid="threshold-amount" {...errorProps(save.error, 'threshold', 'amount')} />
          <Button onClick={() => save.mutate({ currency: currency.trim(), amount: amount.trim() })} loading={save.isPending}
            disabled={!currency.trim() || !amount.trim()} data-testid="threshold-save">Set minimum</Button>
        </Group>
      )}
      {other ? <Alert color="red" data-testid="threshold-error">{toApiError(other).message}</Alert> : null}
    </Stack>
  );
}

function OperatorAccountForm() {
  const client = useQueryClient();
  const { can } = useSession();
  const q = useOperatorAccount();
  const [editing, setEditing] = useState(false);
  const [name, setName] = useState('');
  const [iban, setIban] = useState('');
  const [bic, setBic] = useState('');
  const save = useMutation({
    mutationFn: () => operatorAccountSet(name.trim(), iban.trim(), bic.trim() || null),
    onSuccess: async () => {
      notifyDone('The operator account is saved');
      setEditing(false);
      await client.invalidateQueries({ queryKey: payoutKeys.operator });
    },
  });
  const start = () => {
    setName(q.data?.name ?? '');
    setIban(q.data?.iban ?? '');
    setBic(q.data?.bic ?? '');
    setEditing(true);
  };
  const other = formLevelError(save.error, ['name', 'iban', 'bic']);
  return (
    <Stack gap="xs" data-testid="operator-account">
      <Text fw={600}>Operator bank account (debited by the SEPA file)</Text>
      {q.isError && <ErrorState error={q.error} title="The operator account could not be loaded" />}
      {q.isSuccess && !editing && (
        <Group gap="sm">
          <Text size="sm" data-testid="operator-account-current">
            {q.data ? `${q.data.name} · ${q.data.iban}${q.data.bic ? ` · ${q.data.bic}` : ''}` : 'Not set: runs with EUR bank transfers cannot be exported until it is.'}
          </Text>
          {can('payout.settings') && <Button size="xs" variant="default" onClick={start} data-testid="operator-account-edit">{q.data ? 'Change' : 'Set'}</Button>}
        </Group>
      )}
      {editing && (
        <form noValidate onSubmit={(e) => { e.preventDefault(); save.mutate(); }}>
          <Group align="end" gap="sm" wrap="wrap">
            <TextInput label="Name" value={name} onChange={(e) => setName(e.currentTarget.value)} w={220} data-testid="operator-name" {...errorProps(save.error, 'operator', 'name')} />
            <TextInput label="IBAN" value={iban} onChange={(e) => setIban(e.currentTarget.value)} w={260} data-testid="operator-iban" {...errorProps(save.error, 'operator', 'iban')} />
            <TextInput label="BIC (optional)" value={bic} onChange={(e) => setBic(e.currentTarget.value)} w={140} data-testid="operator-bic" {...errorProps(save.error, 'operator', 'bic')} />
            <Button type="submit" loading={save.isPending} data-testid="operator-save">Save</Button>
            <Button variant="default" onClick={() => { setEditing(false); save.reset(); }}>Cancel</Button>
          </Group>
        </form>
      )}
      {other ? <Alert color="red" data-testid="operator-error">{toApiError(other).message}</Alert> : null}
    </Stack>
  );
}

export function PayoutSettings() {
  return (
    <Stack gap="lg">
      <Thresholds />
      <OperatorAccountForm />
    </Stack>
  );
}
