//! Settings → Connections: edit a connection (settings, schedule, secrets:
//! a secret left empty keeps the one in the OS keyring) and delete one after
//! a confirmation that says what happens to the data it synced.
import { useState } from 'react';
import {
  Alert, Button, Group, Modal, NumberInput, PasswordInput, Stack, Text, Textarea,
} from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { connectionsDelete, connectionsEdit } from '../../api';
import type { ConnectionView } from '../../bindings';
import { toApiError } from '../../errors';
import { notifyDone } from '../../notify';
import { ConnectionFields } from './ConnectionFields';

/** The stored settings without `kind` (it cannot change), as the form edits them. */
export function editableConfig(c: ConnectionView): string {
  const config = { ...((c.config ?? {}) as Record<string, unknown>) };
  delete config.kind;
  return JSON.stringify(config, null, 2);
}

function parseObject(text: string): Record<string, unknown> | null {
  try {
    const v = JSON.parse(text);
    return v && typeof v === 'object' && !Array.isArray(v) ? v : null;
  } catch {
    return null;
  }
}

export function EditConnection({ c, opened, onClose }: { c: ConnectionView; opened: boolean; onClose: () => void }) {
  const client = useQueryClient();
  const [config, setConfig] = useState(() => editableConfig(c));
  const [schedule, setSchedule] = useState<number | ''>(c.schedule_minutes ?? '');
  const [secrets, setSecrets] = useState<Record<string, string>>({});
  const parsed = parseObject(config);
  const save = useMutation({
    mutationFn: () => {
      // Only the secrets typed anew go to the keyring; the rest stay as stored.
      const typed = Object.fromEntries(Object.entries(secrets).filter(([, v]) => v !== ''));
      return connectionsEdit({
        name: c.name,
        config: { ...(parsed ?? {}), kind: c.kind },
        secrets: typed,
        schedule_minutes: schedule === '' ? null : schedule,
      });
    },
    onSuccess: (v) => {
      setSecrets({});
      notifyDone(`Connection ${v.name} saved`);
      onClose();
      return client.invalidateQueries({ queryKey: ['connections'] });
    },
  });
  return (
    <Modal opened={opened} onClose={onClose} title={`Edit ${c.name} (${c.kind})`} centered size="lg">
      <form noValidate onSubmit={(e) => { e.preventDefault(); if (parsed) save.mutate(); }}>
        <Stack gap="xs">
          <NumberInput
            label="Run every (minutes)" placeholder="on demand" min={5} max={10080} w={200} value={schedule}
            onChange={(v) => setSchedule(typeof v === 'number' ? v : '')} data-testid="edit-connection-schedule"
          />
          {parsed && (
            <ConnectionFields
              kind={c.kind} config={parsed} onChange={(next) => setConfig(JSON.stringify(next, null, 2))} testid="edit-connection-field"
            />
          )}
          <Textarea
            label="Settings (JSON)" autosize minRows={4} value={config} onChange={(e) => setConfig(e.currentTarget.value)}
            error={parsed ? undefined : 'not a JSON object'} styles={{ input: { fontFamily: 'monospace' } }}
            data-testid="edit-connection-config"
          />
          {c.secrets.map((s) => (
            <PasswordInput
              key={s.name} label={`${s.name} (kept in the OS keyring)`} w={320} value={secrets[s.name] ?? ''}
              placeholder={s.stored ? 'stored: leave empty to keep it' : 'missing: enter it'}
              description={s.stored ? 'Type a new one only to replace it.' : undefined}
              onChange={(e) => { const v = e.currentTarget.value; setSecrets((p) => ({ ...p, [s.name]: v })); }}
              data-testid={`edit-connection-secret-${s.name}`}
            />
          ))}
          {save.error ? <Alert color="red" data-testid="edit-connection-error">{toApiError(save.error).message}</Alert> : null}
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>Cancel</Button>
            <Button type="submit" disabled={!parsed} loading={save.isPending} data-testid="edit-connection-save">Save</Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}

export function DeleteConnection({ c, opened, onClose }: { c: ConnectionView; opened: boolean; onClose: () => void }) {
  const client = useQueryClient();
  const remove = useMutation({
    mutationFn: () => connectionsDelete(c.name),
    onSuccess: () => {
      notifyDone(`Connection ${c.name} deleted`);
      onClose();
      return client.invalidateQueries({ queryKey: ['connections'] });
    },
  });
  return (
    <Modal opened={opened} onClose={onClose} title={`Delete ${c.name}?`} centered>
      <Stack gap="sm" data-testid="delete-connection-dialog">
        <Text size="sm">
          Partnerdesk stops syncing from this {c.kind} connection and forgets its settings, schedule, run history
          and sync position, and removes its secrets from the OS keyring.
        </Text>
        <Text size="sm" fw={500}>
          The customers, trades, activity and purchases it already synced stay in Partnerdesk and keep counting in
          commission runs. A connection added again later starts from the beginning and updates the same records
          without doubling them.
        </Text>
        {remove.error ? <Alert color="red" data-testid="delete-connection-error">{toApiError(remove.error).message}</Alert> : null}
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose} data-testid="delete-connection-cancel">Keep it</Button>
          <Button color="red" loading={remove.isPending} onClick={() => remove.mutate()} data-testid="delete-connection-confirm">
            Delete connection
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}
