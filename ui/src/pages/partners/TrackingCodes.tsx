//! A partner's tracking codes (btags, agent accounts, referral codes,
//! coupons) and the form to add one; codes are unique per brand.
import { useState } from 'react';
import { Alert, Anchor, Button, Group, NativeSelect, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Link } from 'react-router-dom';
import { trackingCodesAdd } from '../../api';
import type { TrackingCodeView } from '../../bindings';
import { errorProps, formLevelError } from '../../components/fieldError';
import { toApiError } from '../../errors';
import { notifyDone } from '../../notify';
import { TRACKING_KINDS, labelOf } from '../../options';
import { keys, useBrands } from '../../queries';
import { useCan } from '../../session';

const FIELDS = ['brand_id', 'code', 'kind'] as const;

function AddCodeForm({ partnerId }: { partnerId: string }) {
  const brands = useBrands();
  const client = useQueryClient();
  const [brand, setBrand] = useState('');
  const [code, setCode] = useState('');
  const [kind, setKind] = useState('btag');
  const add = useMutation({
    mutationFn: (input: TrackingCodeView) => trackingCodesAdd(input),
    onSuccess: (t) => {
      setCode('');
      notifyDone(`Tracking code ${t.code} added`);
      return client.invalidateQueries({ queryKey: keys.partner(partnerId) });
    },
  });
  const list = brands.data ?? [];
  if (brands.isSuccess && list.length === 0) {
    return (
      <Text size="sm" c="dimmed">
        Tracking codes belong to a brand: <Anchor component={Link} to="/settings">create a brand in Settings</Anchor> first.
      </Text>
    );
  }
  const brandId = brand || list[0]?.brand_id || '';
  const other = formLevelError(add.error, FIELDS);
  return (
    <form noValidate onSubmit={(e) => { e.preventDefault(); add.mutate({ brand_id: brandId, code, kind, partner_id: partnerId }); }}>
      <Group align="start" gap="sm">
        <NativeSelect label="Brand" value={brandId} onChange={(e) => setBrand(e.currentTarget.value)}
          data={list.map((b) => ({ value: b.brand_id, label: b.name }))} data-testid="tc-brand" {...errorProps(add.error, 'tc', 'brand_id')} />
        <TextInput label="Code" value={code} onChange={(e) => setCode(e.currentTarget.value)} data-testid="tc-code" {...errorProps(add.error, 'tc', 'code')} />
        <NativeSelect label="Kind" value={kind} onChange={(e) => setKind(e.currentTarget.value)} data={TRACKING_KINDS}
          data-testid="tc-kind" {...errorProps(add.error, 'tc', 'kind')} />
        <Button type="submit" mt={25} loading={add.isPending} data-testid="tc-add">Add tracking code</Button>
      </Group>
      {other ? <Alert color="red" mt="xs">{toApiError(other).message}</Alert> : null}
    </form>
  );
}

export function TrackingCodes({ partnerId, codes }: { partnerId: string; codes: TrackingCodeView[] }) {
  const canAdd = useCan('partner.tracking_code.add');
  return (
    <Stack gap="xs" data-testid="partner-tracking-codes">
      <Title order={4}>Tracking codes</Title>
      {codes.length === 0 ? (
        <Text size="sm" c="dimmed">No tracking codes yet.</Text>
      ) : (
        <Table striped withTableBorder>
          <Table.Thead>
            <Table.Tr><Table.Th>Brand</Table.Th><Table.Th>Code</Table.Th><Table.Th>Kind</Table.Th></Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {codes.map((c) => (
              <Table.Tr key={`${c.brand_id}/${c.code}`} data-testid={`tc-row-${c.brand_id}-${c.code}`}>
                <Table.Td>{c.brand_id}</Table.Td>
                <Table.Td>{c.code}</Table.Td>
                <Table.Td>{labelOf(TRACKING_KINDS, c.kind)}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
      {canAdd && <AddCodeForm partnerId={partnerId} />}
    </Stack>
  );
}
