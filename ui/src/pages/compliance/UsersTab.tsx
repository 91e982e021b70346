//! Users and their roles (admin changes them; compliance may look). A change
//! to users or roles may wait for a second admin: the outcome says so.
import { useState } from 'react';
import { Alert, Badge, Button, Checkbox, Group, Modal, PasswordInput, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { usersList, usersSave } from '../../api';
import type { ChangeOutcome, Role, UserInput, UserView } from '../../bindings';
import { ErrorState } from '../../components/ErrorState';
import { errorProps, formLevelError } from '../../components/fieldError';
import { toApiError } from '../../errors';
import { notifyDone, notifyWaiting } from '../../notify';
import { useSession } from '../../session';
import { outcomeText } from '../../outcome';
import { Notice } from '../../components/Notice';
import { when } from '../../when';

export const ROLES: { value: Role; label: string; what: string }[] = [
  { value: 'admin', label: 'Admin', what: 'everything, users and settings' },
  { value: 'partner_manager', label: 'Partner manager', what: 'partners, plans, assignments, traffic sources' },
  { value: 'compliance', label: 'Compliance', what: 'KYC review, geo rules, audit log, approvals' },
  { value: 'finance', label: 'Finance', what: 'commission runs, closing, ledger, payouts, approvals' },
  { value: 'viewer', label: 'Viewer', what: 'looks only' },
];

const USERS_KEY = ['users'] as const;
const FIELDS = ['user_id', 'display_name', 'roles', 'password'] as const;

function UserForm({ editing, onDone }: { editing: UserView | null; onDone: (o: ChangeOutcome) => void }) {
  const client = useQueryClient();
  const [v, setV] = useState<UserInput>(() =>
    editing
      ? {
        user_id: editing.user_id, display_name: editing.display_name, roles: editing.roles, disabled: editing.disabled, password: '',
        // A user changed since the form was opened is refused (code `stale`), not overwritten.
        row_version: editing.row_version,
      }
      : { user_id: '', display_name: '', roles: ['viewer'], disabled: false, password: '', row_version: null },
  );
  const save = useMutation({
    mutationFn: (input: UserInput) => usersSave(input),
    onSuccess: (o) => {
      if (o.state === 'awaiting_approval') notifyWaiting(outcomeText(o));
      else notifyDone(outcomeText(o));
      onDone(o);
      return client.invalidateQueries({ queryKey: USERS_KEY });
    },
  });
  const err = (field: string) => errorProps(save.error, 'user', field);
  const other = formLevelError(save.error, FIELDS);
  const toggle = (role: Role, on: boolean) => setV((x) => ({ ...x, roles: on ? [...x.roles, role] : x.roles.filter((r) => r !== role) }));
  return (
    <form noValidate onSubmit={(e) => { e.preventDefault(); save.mutate({ ...v, user_id: v.user_id.trim(), display_name: v.display_name.trim() }); }}>
      <Stack gap="sm" data-testid="user-form">
        <TextInput label="User name (sign-in)" value={v.user_id} disabled={editing !== null} onChange={(e) => setV({ ...v, user_id: e.currentTarget.value })}
          data-testid="user-id" {...err('user_id')} />
        <TextInput label="Display name" value={v.display_name} onChange={(e) => setV({ ...v, display_name: e.currentTarget.value })}
          data-testid="user-display-name" {...err('display_name')} />
        <Checkbox.Group label="Roles" value={v.roles} {...err('roles')}>
          <Stack gap={4} mt={4}>
            {ROLES.map((r) => (
              <Checkbox key={r.value} value={r.value} label={`${r.label} — ${r.what}`} checked={v.roles.includes(r.value)}
                onChange={(e) => toggle(r.value, e.currentTarget.checked)} data-testid={`user-role-${r.value}`} />
            ))}
          </Stack>
        </Checkbox.Group>
        <PasswordInput label="Password" description={editing ? 'Empty: unchanged' : 'Required for a new user'} value={v.password}
          onChange={(e) => setV({ ...v, password: e.currentTarget.value })} autoComplete="new-password" data-testid="user-password"
          inputWrapperOrder={['label', 'input', 'description', 'error']} {...err('password')} />
        <Checkbox label="Disabled (cannot sign in)" checked={v.disabled} onChange={(e) => setV({ ...v, disabled: e.currentTarget.checked })}
          data-testid="user-disabled" />
        {other ? <Alert color="red" data-testid="user-error">{toApiError(other).message}</Alert> : null}
        <Group justify="flex-end">
          <Button type="submit" loading={save.isPending} data-testid="user-save">{editing ? 'Save changes' : 'Add user'}</Button>
        </Group>
      </Stack>
    </form>
  );
}

export function UsersTab() {
  const { can } = useSession();
  const users = useQuery({ queryKey: USERS_KEY, queryFn: usersList });
  const [form, setForm] = useState<{ editing: UserView | null } | null>(null);
  const [outcome, setOutcome] = useState<ChangeOutcome | null>(null);
  const manage = can('users.manage');
  return (
    <Stack gap="sm">
      <Group justify="space-between">
        <Title order={4}>Users</Title>
        {manage && <Button size="xs" onClick={() => { setOutcome(null); setForm({ editing: null }); }} data-testid="user-add">Add user</Button>}
      </Group>
      {outcome && (
        <Notice color={outcome.state === 'done' ? 'teal' : 'yellow'} testId="user-outcome">{outcomeText(outcome)}</Notice>
      )}
      {users.isPending && <Text c="dimmed">Loading users…</Text>}
      {users.isError && <ErrorState error={users.error} title="The users could not be loaded" />}
      {users.data?.length === 0 && (
        <Text c="dimmed" data-testid="users-empty">
          No users yet: the app runs in single-user mode. Adding the first user (an admin) turns on sign-in.
        </Text>
      )}
      {users.data && users.data.length > 0 && (
        <Table striped withTableBorder data-testid="user-list">
          <Table.Thead>
            <Table.Tr><Table.Th>User</Table.Th><Table.Th>Name</Table.Th><Table.Th>Roles</Table.Th><Table.Th>State</Table.Th><Table.Th>Created</Table.Th><Table.Th /></Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {users.data.map((u) => (
              <Table.Tr key={u.user_id} data-testid={`user-row-${u.user_id}`}>
                <Table.Td>{u.user_id}</Table.Td>
                <Table.Td>{u.display_name}</Table.Td>
                <Table.Td><Group gap={4}>{u.roles.map((r) => <Badge key={r} size="sm" variant="outline">{r.replace('_', ' ')}</Badge>)}</Group></Table.Td>
                <Table.Td>{u.disabled ? <Badge color="red" variant="light">disabled</Badge> : <Badge color="teal" variant="light">active</Badge>}</Table.Td>
                <Table.Td>{when(u.created_at)}</Table.Td>
                <Table.Td>
                  {manage && (
                    <Button size="xs" variant="subtle" onClick={() => { setOutcome(null); setForm({ editing: u }); }} data-testid={`user-edit-${u.user_id}`}>
                      Edit
                    </Button>
                  )}
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
      <Modal opened={form !== null} onClose={() => setForm(null)} title={form?.editing ? `Edit ${form.editing.user_id}` : 'Add a user'} centered size="lg">
        {form && <UserForm editing={form.editing} onDone={(o) => { setOutcome(o); setForm(null); }} />}
      </Modal>
    </Stack>
  );
}
