//! Settings → E-mail: the SMTP server partners' mail goes through. The
//! password is write-only here and kept in the OS keyring.
import { useEffect, useState } from 'react';
import { Alert, Button, Group, NativeSelect, NumberInput, PasswordInput, Stack, Text, TextInput, Title } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { mailSmtpSet, mailSmtpTest } from '../../api';
import type { SmtpSettingsView } from '../../bindings';
import { errorProps, formLevelError } from '../../components/fieldError';
import { ErrorState } from '../../components/ErrorState';
import { toApiError } from '../../errors';
import { notifyDone } from '../../notify';
import { useSession } from '../../session';
import { mailKeys, useSmtp } from '../communication/mailQueries';

const FIELDS = ['host', 'port', 'security', 'username', 'from_address', 'from_name', 'reply_to', 'extra_ca_pem_path'];

function Form({ saved }: { saved: SmtpSettingsView }) {
  const client = useQueryClient();
  const [v, setV] = useState({ ...saved, reply_to: saved.reply_to ?? '', extra_ca_pem_path: saved.extra_ca_pem_path ?? '' });
  const [password, setPassword] = useState('');
  const [testTo, setTestTo] = useState('');
  const [saves, setSaves] = useState(0);
  useEffect(() => setV({ ...saved, reply_to: saved.reply_to ?? '', extra_ca_pem_path: saved.extra_ca_pem_path ?? '' }), [saved]);
  const save = useMutation({
    mutationFn: () =>
      mailSmtpSet({
        host: v.host, port: v.port, security: v.security, username: v.username, from_address: v.from_address, from_name: v.from_name,
        reply_to: v.reply_to || null, extra_ca_pem_path: v.extra_ca_pem_path || null, password: password === '' ? null : password,
      }),
    onSuccess: async (s) => {
      setPassword('');
      setSaves((n) => n + 1);
      client.setQueryData(mailKeys.smtp, s);
      notifyDone('E-mail settings saved');
    },
  });
  const test = useMutation({ mutationFn: () => mailSmtpTest(testTo.trim() || null) });
  const text = (k: 'host' | 'username' | 'from_address' | 'from_name' | 'reply_to' | 'extra_ca_pem_path') => ({
    value: v[k] ?? '',
    onChange: (e: React.ChangeEvent<HTMLInputElement>) => setV({ ...v, [k]: e.currentTarget.value }),
    'data-testid': `smtp-${k}`,
    ...errorProps(save.error, 'smtp', k),
  });
  const other = formLevelError(save.error, FIELDS);
  return (
    <Stack gap="xs">
      <form onSubmit={(e) => { e.preventDefault(); save.mutate(); }}>
        <Stack gap="xs" maw={620}>
          <Group grow align="start">
            <TextInput label="SMTP server" placeholder="smtp.example.com" {...text('host')} />
            <NumberInput label="Port" value={v.port} onChange={(n) => setV({ ...v, port: typeof n === 'number' ? n : 0 })} min={1} max={65535}
              data-testid="smtp-port" {...errorProps(save.error, 'smtp', 'port')} />
            <NativeSelect label="Security" value={v.security} onChange={(e) => setV({ ...v, security: e.currentTarget.value })}
              data={[{ value: 'starttls', label: 'STARTTLS (587)' }, { value: 'tls', label: 'TLS (465)' }, { value: 'none', label: 'None (local relay only)' }]}
              data-testid="smtp-security" />
          </Group>
          <Group grow align="start">
            <TextInput label="User name" {...text('username')} />
            <PasswordInput label="Password" value={password} onChange={(e) => setPassword(e.currentTarget.value)}
              placeholder={saved.has_password ? 'saved in the OS keyring; type to replace' : 'not saved yet'}
              description="Kept in the OS keyring, never in the database" data-testid="smtp-password" />
          </Group>
          <Group grow align="start">
            <TextInput label="From address" placeholder="partners@example.com" {...text('from_address')} />
            <TextInput label="From name" placeholder="Your company" {...text('from_name')} />
          </Group>
          <Group grow align="start">
            <TextInput label="Reply-to (optional)" {...text('reply_to')} />
            <TextInput label="CA certificate file (optional, PEM)" description="For a mail server with a private certificate" {...text('extra_ca_pem_path')} />
          </Group>
          {other ? <Alert color="red" data-testid="smtp-error">{toApiError(other).message}</Alert> : null}
          {saved.warning ? <Alert color="orange" title="The password is sent in clear text" data-testid="smtp-warning">{saved.warning}</Alert> : null}
          <Group>
            <Button type="submit" loading={save.isPending} data-testid="smtp-save">Save e-mail settings</Button>
            {saves > 0 && <Text size="sm" c="dimmed" data-testid="smtp-saved">Saved{saves > 1 ? ` (${saves} times)` : ''}</Text>}
          </Group>
        </Stack>
      </form>
      <Group align="end" gap="sm">
        <TextInput label="Send a test message to (optional)" value={testTo} onChange={(e) => setTestTo(e.currentTarget.value)} w={280}
          data-testid="smtp-test-to" />
        <Button variant="light" onClick={() => test.mutate()} loading={test.isPending} disabled={!saved.configured} data-testid="smtp-test">
          Test connection
        </Button>
      </Group>
      {test.data && <Alert color={test.data.ok ? 'teal' : 'red'} data-testid="smtp-test-result">{test.data.message}</Alert>}
      {test.error ? <Alert color="red" data-testid="smtp-test-error">{toApiError(test.error).message}</Alert> : null}
    </Stack>
  );
}

export function MailSection() {
  const { can } = useSession();
  const q = useSmtp();
  return (
    <Stack gap="xs" data-testid="mail-section">
      <Title order={3}>E-mail</Title>
      <Text size="sm" c="dimmed">The SMTP server that statements, payout notices and announcements to partners go through.</Text>
      {q.isError && <ErrorState error={q.error} title="The e-mail settings could not be loaded" />}
      {q.data && !can('mail.settings') && (
        <Text size="sm" data-testid="smtp-readonly">{q.data.configured ? `Sending through ${q.data.host}:${q.data.port} as ${q.data.from_address}.` : 'Not set up yet; an admin sets it up.'}</Text>
      )}
      {q.data && can('mail.settings') && <Form saved={q.data} />}
    </Stack>
  );
}
