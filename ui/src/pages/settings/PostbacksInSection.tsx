//! Postbacks in (issue 29), per brand: how the platform's events
//! authenticate (an HMAC signature of the body, or the secret as a bearer
//! token), the replay window, and the secret: made by the core, kept in the
//! OS keyring (never in the database), shown here once. Admins change them;
//! everyone else reads whether a secret is set.
import { useState } from 'react';
import { Button, Code, CopyButton, Group, NativeSelect, NumberInput, Stack, Table, Text, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { postbackSecretRotate, postbackSettingsGet, postbackSettingsSet } from '../../api';
import type { BrandView } from '../../bindings';
import { ErrorState } from '../../components/ErrorState';
import { errorProps, formLevelError } from '../../components/fieldError';
import { Notice } from '../../components/Notice';
import { toApiError } from '../../errors';
import { notifyDone } from '../../notify';
import { postbackKeys, useBrands } from '../../queries';
import { useCan } from '../../session';

const AUTHS = [
  { value: 'hmac', label: 'HMAC signature (X-Partnerdesk-Signature)' },
  { value: 'token', label: 'Bearer token (Authorization)' },
];

function BrandRow({ brand }: { brand: BrandView }) {
  const client = useQueryClient();
  const canEdit = useCan('tracking.settings');
  const current = useQuery({ queryKey: postbackKeys.settings(brand.brand_id), queryFn: () => postbackSettingsGet(brand.brand_id) });
  const [auth, setAuth] = useState<string | null>(null);
  const [windowSecs, setWindowSecs] = useState<number | null>(null);
  const [secret, setSecret] = useState<string | null>(null);
  const refresh = () => client.invalidateQueries({ queryKey: postbackKeys.settings(brand.brand_id) });
  const save = useMutation({
    mutationFn: () => postbackSettingsSet(brand.brand_id, auth ?? current.data!.auth, windowSecs ?? current.data!.window_secs),
    onSuccess: () => {
      setAuth(null);
      setWindowSecs(null);
      notifyDone(`Postbacks in of ${brand.name} saved`);
      return refresh();
    },
  });
  const rotate = useMutation({
    mutationFn: () => postbackSecretRotate(brand.brand_id),
    onSuccess: (s) => {
      setSecret(s);
      return refresh();
    },
  });
  if (current.isError) {
    return (
      <Table.Tr><Table.Td colSpan={4}><ErrorState error={current.error} title={`The postback settings of ${brand.name} could not be loaded`} /></Table.Td></Table.Tr>
    );
  }
  if (!current.data) return <Table.Tr><Table.Td colSpan={4}><Text size="sm" c="dimmed">Loading {brand.name}…</Text></Table.Td></Table.Tr>;
  const s = current.data;
  const changed = (auth !== null && auth !== s.auth) || (windowSecs !== null && windowSecs !== s.window_secs);
  const other = formLevelError(save.error, ['auth', 'window_secs']);
  const prefix = `postbacks-in-${brand.brand_id}`;
  return (
    <Table.Tr data-testid={prefix}>
      <Table.Td w={140}><Text size="sm">{brand.name}</Text></Table.Td>
      <Table.Td>
        <Stack gap={4}>
          <Group gap="xs" align="start">
            <NativeSelect size="xs" label="Authentication" data={AUTHS} value={auth ?? s.auth} disabled={!canEdit}
              onChange={(e) => setAuth(e.currentTarget.value)} data-testid={`${prefix}-auth`} {...errorProps(save.error, prefix, 'auth')} />
            <NumberInput size="xs" label="Replay window (seconds)" min={1} max={86400} w={170} value={windowSecs ?? s.window_secs} disabled={!canEdit}
              onChange={(v) => setWindowSecs(typeof v === 'number' ? v : Number(v) || 0)} data-testid={`${prefix}-window`}
              {...errorProps(save.error, prefix, 'window_secs')} />
          </Group>
          {other ? <Text size="xs" c="red">{toApiError(other).message}</Text> : null}
          {secret && (
            <Notice color="yellow" title="The new secret, shown this once" testId={`${prefix}-secret`}>
              <Group gap="xs" wrap="nowrap">
                <Code style={{ wordBreak: 'break-all' }} data-testid={`${prefix}-secret-value`}>{secret}</Code>
                <CopyButton value={secret}>
                  {({ copied, copy }) => <Button size="compact-xs" variant="light" onClick={copy}>{copied ? 'Copied' : 'Copy'}</Button>}
                </CopyButton>
                <Button size="compact-xs" variant="subtle" onClick={() => setSecret(null)} data-testid={`${prefix}-secret-hide`}>Hide</Button>
              </Group>
              <Text size="xs" c="dimmed">
                Give it to the platform now: it is kept in this computer's keyring and never shown again. The old secret no longer works.
              </Text>
            </Notice>
          )}
          {rotate.isError && <Text size="xs" c="red" data-testid={`${prefix}-rotate-error`}>{toApiError(rotate.error).message}</Text>}
        </Stack>
      </Table.Td>
      <Table.Td w={120}>
        <Text size="xs" c={s.secret_set ? 'teal' : 'orange'} data-testid={`${prefix}-secret-state`}>
          {s.secret_set ? 'Secret set' : 'No secret: events are refused'}
        </Text>
      </Table.Td>
      <Table.Td w={200}>
        {canEdit && (
          <Group gap={4} justify="end" wrap="nowrap">
            <Button size="compact-xs" disabled={!changed} loading={save.isPending} onClick={() => save.mutate()} data-testid={`${prefix}-save`}>Save</Button>
            <Button size="compact-xs" variant="light" color={s.secret_set ? 'orange' : 'blue'} loading={rotate.isPending}
              onClick={() => {
                if (!s.secret_set || window.confirm(`Make a new secret for ${brand.name}? The platform's events fail until it has the new one.`)) rotate.mutate();
              }}
              data-testid={`${prefix}-rotate`}>
              {s.secret_set ? 'Rotate secret' : 'Make secret'}
            </Button>
          </Group>
        )}
      </Table.Td>
    </Table.Tr>
  );
}

export function PostbacksInSection() {
  const brands = useBrands();
  return (
    <Stack gap="xs" data-testid="postbacks-in-section">
      <Title order={5} mt="sm">Postbacks in</Title>
      <Text size="xs" c="dimmed">
        The platform posts registrations and deposits to <Code>POST /postback/{'{brand}'}</Code> on the tracking server,
        signed with the brand's secret (or sending it as a bearer token). Events whose time is further from the server's clock
        than the window are refused; each event id is taken once.
      </Text>
      {brands.isError && <ErrorState error={brands.error} title="The brands could not be loaded" />}
      {brands.data?.length === 0 && <Text size="sm" c="dimmed">No brands yet: add one above.</Text>}
      {brands.data && brands.data.length > 0 && (
        <Table withTableBorder>
          <Table.Tbody>{brands.data.map((b) => <BrandRow key={b.brand_id} brand={b} />)}</Table.Tbody>
        </Table>
      )}
    </Stack>
  );
}
