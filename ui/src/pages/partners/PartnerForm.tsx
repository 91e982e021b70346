//! Creating or editing a partner. The core is the authority on what is
//! valid: its message appears under the field it names.
import { useState, type ChangeEvent } from 'react';
import { Alert, Button, Group, NativeSelect, SimpleGrid, Stack, TagsInput, TextInput, Textarea } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { partnersCreate, partnersEdit } from '../../api';
import type { PartnerRow } from '../../bindings';
import { errorProps, formLevelError } from '../../components/fieldError';
import { isApiError, toApiError } from '../../errors';
import { PARTNER_KINDS, PARTNER_STATUSES } from '../../options';
import { keys } from '../../queries';
import { ParentPicker } from './ParentPicker';
import { PARTNER_FIELDS, toInput, type PartnerValues } from './partnerValues';

type Props = {
  initial: PartnerValues;
  /** Set when editing; the id cannot change then. */
  editing?: string;
  /** When editing: the partner's version the form was opened at. */
  rowVersion?: number;
  /** When editing: loads the partner as it is now (after someone else changed it). */
  onReload?: () => void;
  /** `askedStatus`: the status the user chose (activation may wait for approval, so the row may differ). */
  onSaved: (row: PartnerRow, askedStatus: string) => void;
  onCancel: () => void;
};

export function PartnerForm({ initial, editing, rowVersion, onReload, onSaved, onCancel }: Props) {
  const client = useQueryClient();
  const [v, setValues] = useState(initial);
  const set = <K extends keyof PartnerValues>(k: K, value: PartnerValues[K]) => setValues((prev) => ({ ...prev, [k]: value }));
  const text = (k: keyof PartnerValues) => (e: ChangeEvent<HTMLInputElement | HTMLTextAreaElement | HTMLSelectElement>) =>
    set(k, e.currentTarget.value);
  const save = useMutation({
    mutationFn: (values: PartnerValues) =>
      editing ? partnersEdit(editing, toInput(values, rowVersion ?? null)) : partnersCreate(toInput(values)),
    onSuccess: async (row, values) => {
      await Promise.all([
        client.invalidateQueries({ queryKey: keys.partners }),
        client.invalidateQueries({ queryKey: keys.appInfo }),
        client.invalidateQueries({ queryKey: ['approvals'] }),
      ]);
      onSaved(row, values.status);
    },
  });
  const err = (field: string) => errorProps(save.error, 'pf', field);
  // Someone changed the partner since the form was opened: saving would
  // undo their change, so the core refused it; the user reloads and redoes theirs.
  const stale = isApiError(save.error) && save.error.code === 'stale' ? save.error : null;
  const other = stale ? null : formLevelError(save.error, PARTNER_FIELDS);

  return (
    <form noValidate onSubmit={(e) => { e.preventDefault(); save.mutate(v); }}>
      <Stack gap="sm" maw={760}>
        <SimpleGrid cols={2} spacing="sm">
          {editing ? (
            <TextInput label="Partner id" value={editing} readOnly disabled data-testid="pf-partner-id" />
          ) : (
            <TextInput label="Partner id" placeholder="e.g. AFF-1001 (it never changes)" required value={v.partner_id}
              onChange={text('partner_id')} data-testid="pf-partner-id" {...err('partner_id')} />
          )}
          <TextInput label="Name" required value={v.name} onChange={text('name')} data-testid="pf-name" {...err('name')} />
          <NativeSelect label="Kind" value={v.kind} onChange={text('kind')} data={PARTNER_KINDS} data-testid="pf-kind" {...err('kind')} />
          <NativeSelect label="Status" value={v.status} onChange={text('status')} data={PARTNER_STATUSES} data-testid="pf-status" {...err('status')} />
          <ParentPicker label="Parent" value={v.parent_id} onChange={(p) => set('parent_id', p)} excludeId={editing}
            testId="pf-parent" {...err('parent_id')} />
          <TextInput label="E-mail" type="email" value={v.email} onChange={text('email')} data-testid="pf-email" {...err('email')} />
          <TextInput label="Country" placeholder="Two letters, e.g. DE" maxLength={2} value={v.country}
            onChange={(e) => set('country', e.currentTarget.value.toUpperCase())} data-testid="pf-country" {...err('country')} />
          <TextInput label="Currency" placeholder="Three letters, e.g. EUR" maxLength={3} required value={v.currency}
            onChange={(e) => set('currency', e.currentTarget.value.toUpperCase())} data-testid="pf-currency" {...err('currency')} />
          <TextInput label="Contact name" value={v.contact_name} onChange={text('contact_name')} data-testid="pf-contact-name" {...err('contact_name')} />
          <TextInput label="Phone" value={v.phone} onChange={text('phone')} data-testid="pf-phone" {...err('phone')} />
        </SimpleGrid>
        <TagsInput label="Tags" value={v.tags} onChange={(tags) => set('tags', tags)} data-testid="pf-tags" {...err('tags')} />
        <Textarea label="Notes" autosize minRows={3} value={v.notes} onChange={text('notes')} data-testid="pf-notes" {...err('notes')} />
        {stale ? (
          <Alert color="orange" title="Changed since you opened it" data-testid="pf-stale">
            <Stack gap="xs" align="flex-start">
              <span data-testid="pf-stale-message">{stale.message}</span>
              {onReload ? (
                <Button size="xs" variant="light" onClick={onReload} data-testid="pf-reload">
                  Reload the partner (your changes here are dropped)
                </Button>
              ) : null}
            </Stack>
          </Alert>
        ) : null}
        {other ? <Alert color="red" data-testid="pf-error">{toApiError(other).message}</Alert> : null}
        <Group>
          <Button type="submit" loading={save.isPending} data-testid="pf-save">{editing ? 'Save changes' : 'Create partner'}</Button>
          <Button variant="default" onClick={onCancel} data-testid="pf-cancel">Cancel</Button>
        </Group>
      </Stack>
    </form>
  );
}
