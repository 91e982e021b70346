//! The operator's brands (each with its vertical and currency), and the form
//! to add one. Tracking codes and deals are per brand.
import { useState } from 'react';
import { Alert, Button, Group, NativeSelect, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { brandsCreate } from '../../api';
import type { BrandView } from '../../bindings';
import { ErrorState } from '../../components/ErrorState';
import { errorProps, formLevelError } from '../../components/fieldError';
import { toApiError } from '../../errors';
import { notifyDone } from '../../notify';
import { VERTICALS, labelOf } from '../../options';
import { keys, useBrands } from '../../queries';
import { useCan } from '../../session';

const EMPTY: BrandView = { brand_id: '', name: '', vertical: 'igaming', currency: 'EUR' };
const FIELDS = ['brand_id', 'name', 'vertical', 'currency'];

function BrandForm() {
  const client = useQueryClient();
  const [b, setBrand] = useState(EMPTY);
  const set = (k: keyof BrandView) => (e: { currentTarget: { value: string } }) => {
    const value = e.currentTarget.value;
    setBrand((prev) => ({ ...prev, [k]: k === 'currency' ? value.toUpperCase() : value }));
  };
  const create = useMutation({
    mutationFn: (brand: BrandView) => brandsCreate(brand),
    onSuccess: (brand) => {
      setBrand(EMPTY);
      notifyDone(`Brand ${brand.name} created`);
      return client.invalidateQueries({ queryKey: keys.brands });
    },
  });
  const err = (field: string) => errorProps(create.error, 'brand', field);
  const other = formLevelError(create.error, FIELDS);
  return (
    <form noValidate onSubmit={(e) => { e.preventDefault(); create.mutate({ ...b, brand_id: b.brand_id.trim(), name: b.name.trim() }); }}>
      <Group align="start" gap="sm">
        <TextInput label="Brand id" value={b.brand_id} onChange={set('brand_id')} w={150} data-testid="brand-id" {...err('brand_id')} />
        <TextInput label="Name" value={b.name} onChange={set('name')} w={220} data-testid="brand-name" {...err('name')} />
        <NativeSelect label="Vertical" value={b.vertical} onChange={set('vertical')} data={VERTICALS} data-testid="brand-vertical" {...err('vertical')} />
        <TextInput label="Currency" value={b.currency} onChange={set('currency')} maxLength={3} w={90} data-testid="brand-currency" {...err('currency')} />
        <Button type="submit" mt={25} loading={create.isPending} data-testid="brand-save">Add brand</Button>
      </Group>
      {other ? <Alert color="red" mt="xs" data-testid="brand-error">{toApiError(other).message}</Alert> : null}
    </form>
  );
}

export function BrandsSection() {
  const brands = useBrands();
  const canCreate = useCan('brand.create');
  return (
    <Stack gap="sm">
      <Title order={3}>Brands</Title>
      {brands.isError && <ErrorState error={brands.error} title="The brands could not be loaded" />}
      {brands.data?.length === 0 && <Text c="dimmed" data-testid="brand-empty">No brands yet.{canCreate ? ' Add the first one below.' : ' An admin adds them.'}</Text>}
      {brands.data && brands.data.length > 0 && (
        <Table striped withTableBorder data-testid="brand-list">
          <Table.Thead>
            <Table.Tr><Table.Th>Brand id</Table.Th><Table.Th>Name</Table.Th><Table.Th>Vertical</Table.Th><Table.Th>Currency</Table.Th></Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {brands.data.map((b) => (
              <Table.Tr key={b.brand_id} data-testid={`brand-row-${b.brand_id}`}>
                <Table.Td>{b.brand_id}</Table.Td>
                <Table.Td>{b.name}</Table.Td>
                <Table.Td>{labelOf(VERTICALS, b.vertical)}</Table.Td>
                <Table.Td>{b.currency}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
      {canCreate && <BrandForm />}
    </Stack>
  );
}
