//! A partner's tracking links (issue 29): each link's address to copy, a
//! builder for sub-ids and a campaign with its QR code, the landing it leads
//! to and its clicks over the last 30 days; managers make and remove links.
import { useState } from 'react';
import { Anchor, Button, CopyButton, Group, Modal, NativeSelect, SimpleGrid, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { QRCodeSVG } from 'qrcode.react';
import { Link } from 'react-router-dom';
import { linksCreate, linksDelete, linksOfPartner } from '../../api';
import type { PartnerLinkView, TrackingCodeView } from '../../bindings';
import { ErrorState } from '../../components/ErrorState';
import { errorProps, formLevelError } from '../../components/fieldError';
import { Notice } from '../../components/Notice';
import { toApiError } from '../../errors';
import { notifyDone, notifyError } from '../../notify';
import { trackingKeys, useTrackingSettings } from '../../queries';
import { useCan } from '../../session';
import { SUB_KEYS, lastDays, shareUrl, type LinkParams } from './linkUrl';

const DAYS = 30;

/** Copies `value`; says so for a moment. */
function Copy({ value, testId }: { value: string; testId: string }) {
  return (
    <CopyButton value={value}>
      {({ copied, copy }) => (
        <Button size="compact-xs" variant="light" color={copied ? 'teal' : 'blue'} onClick={copy} data-testid={testId}>
          {copied ? 'Copied' : 'Copy'}
        </Button>
      )}
    </CopyButton>
  );
}

/** The link with sub-ids and a campaign, to copy or to scan. */
function LinkBuilder({ link, base, onClose }: { link: PartnerLinkView; base: string; onClose: () => void }) {
  const [params, setParams] = useState<LinkParams>({});
  const url = shareUrl(base, params);
  return (
    <Modal opened onClose={onClose} title={`Link ${link.code} (${link.brand_id})`} size="lg">
      <Stack gap="sm">
        <SimpleGrid cols={3} spacing="xs">
          {SUB_KEYS.map((k) => (
            <TextInput key={k} label={k} value={params[k] ?? ''} maxLength={200}
              onChange={(e) => setParams({ ...params, [k]: e.currentTarget.value })} data-testid={`link-builder-${k}`} />
          ))}
          <TextInput label="Campaign" value={params.campaign ?? ''} maxLength={200}
            onChange={(e) => setParams({ ...params, campaign: e.currentTarget.value })} data-testid="link-builder-campaign" />
        </SimpleGrid>
        <Group gap="xs" align="end" wrap="nowrap">
          <TextInput label="Link to share" value={url} readOnly style={{ flex: 1 }} ff="monospace" data-testid="link-builder-url"
            onFocus={(e) => e.currentTarget.select()} />
          <Copy value={url} testId="link-builder-copy" />
        </Group>
        <Group justify="center" p="md" bg="white" data-testid="link-builder-qr" data-value={url}>
          <QRCodeSVG value={url} size={192} marginSize={2} title={url} />
        </Group>
        <Text size="xs" c="dimmed">
          Each visit through this link is a click; the landing receives the click id, the code and these values
          where its template names them.
        </Text>
      </Stack>
    </Modal>
  );
}

function AddLinkForm({ partnerId, free }: { partnerId: string; free: TrackingCodeView[] }) {
  const client = useQueryClient();
  const [choice, setChoice] = useState('');
  const [landing, setLanding] = useState('');
  const add = useMutation({
    mutationFn: ({ brand, code }: { brand: string; code: string }) => linksCreate(brand, code, landing.trim() || null),
    onSuccess: (l) => {
      setLanding('');
      notifyDone(`Link /${l.path} made`);
      return client.invalidateQueries({ queryKey: trackingKeys.partnerLinksOf(partnerId) });
    },
  });
  if (free.length === 0) return null;
  const value = choice || `${free[0]!.brand_id}\u0000${free[0]!.code}`;
  const [brand = '', code = ''] = value.split('\u0000');
  const other = formLevelError(add.error, ['code', 'landing_url']);
  return (
    <form noValidate onSubmit={(e) => { e.preventDefault(); add.mutate({ brand, code }); }}>
      <Group align="start" gap="sm">
        <NativeSelect label="Tracking code" value={value} onChange={(e) => setChoice(e.currentTarget.value)}
          data={free.map((c) => ({ value: `${c.brand_id}\u0000${c.code}`, label: `${c.code} (${c.brand_id})` }))}
          data-testid="link-code" {...errorProps(add.error, 'link', 'code')} />
        <TextInput label="Own landing (optional)" placeholder="https://… {click_id}" value={landing} w={320}
          onChange={(e) => setLanding(e.currentTarget.value)} data-testid="link-landing" {...errorProps(add.error, 'link', 'landing_url')} />
        <Button type="submit" mt={25} loading={add.isPending} data-testid="link-add">Make link</Button>
      </Group>
      {other ? <Notice color="red" mt="xs">{toApiError(other).message}</Notice> : null}
    </form>
  );
}

export function PartnerLinks({ partnerId, codes }: { partnerId: string; codes: TrackingCodeView[] }) {
  const canEdit = useCan('link.edit');
  const client = useQueryClient();
  const [{ from, to }] = useState(() => lastDays(DAYS));
  const settings = useTrackingSettings();
  const links = useQuery({
    queryKey: trackingKeys.partnerLinks(partnerId, from, to),
    queryFn: () => linksOfPartner(partnerId, from, to),
  });
  const [building, setBuilding] = useState<PartnerLinkView | null>(null);
  const remove = useMutation({
    mutationFn: (path: string) => linksDelete(path),
    onSuccess: (_, path) => {
      notifyDone(`Link /${path} removed; its clicks stay`);
      return client.invalidateQueries({ queryKey: trackingKeys.partnerLinksOf(partnerId) });
    },
    onError: (e) => notifyError(e, 'The link was not removed'),
  });
  const rows = links.data ?? [];
  const taken = new Set(rows.map((l) => `${l.brand_id}\u0000${l.code}`));
  const free = codes.filter((c) => !taken.has(`${c.brand_id}\u0000${c.code}`));
  const publicUrl = settings.data?.public_url ?? null;
  return (
    <Stack gap="xs" data-testid="partner-links">
      <Group justify="space-between" align="baseline">
        <Title order={4}>Links</Title>
        <Text size="xs" c="dimmed" data-testid="links-range">Clicks {from} – {to} (UTC)</Text>
      </Group>
      {settings.isSuccess && !publicUrl && rows.length > 0 && (
        <Notice color="yellow" testId="links-no-public-url">
          The tracking server's public address is not set, so only paths are shown.{' '}
          <Anchor component={Link} to="/settings">Set it in Settings → Tracking</Anchor> to copy whole links.
        </Notice>
      )}
      {links.isError ? (
        <ErrorState error={links.error} title="The links could not be loaded" />
      ) : links.isPending ? (
        <Text size="sm" c="dimmed">Loading links…</Text>
      ) : rows.length === 0 ? (
        <Text size="sm" c="dimmed" data-testid="links-empty">
          {codes.length === 0 ? 'No links: a link is made from a tracking code, and this partner has none yet.' : 'No links yet.'}
        </Text>
      ) : (
        <Table striped withTableBorder>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Link</Table.Th><Table.Th>Leads to</Table.Th>
              <Table.Th ta="right">Clicks</Table.Th><Table.Th ta="right">Unique</Table.Th><Table.Th ta="right">Bots · prefetch</Table.Th>
              <Table.Th />
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {rows.map((l) => {
              const shown = l.url ?? `/${l.path}`;
              return (
                <Table.Tr key={l.path} data-testid={`link-row-${l.path}`}>
                  <Table.Td>
                    <Text size="sm" ff="monospace" data-testid={`link-url-${l.path}`}>{shown}</Text>
                    <Text size="xs" c="dimmed">{l.code} · {l.brand_id}</Text>
                  </Table.Td>
                  <Table.Td maw={260}>
                    {l.effective_landing ? (
                      <Text size="xs" ff="monospace" truncate title={l.effective_landing}>
                        {l.landing_url ? 'own: ' : ''}{l.effective_landing}
                      </Text>
                    ) : (
                      <Text size="xs" c="orange" data-testid={`link-no-landing-${l.path}`}>
                        The fallback, until the brand has a landing (Settings → Tracking)
                      </Text>
                    )}
                  </Table.Td>
                  <Table.Td ta="right" data-testid={`link-clicks-${l.path}`}>{l.clicks}</Table.Td>
                  <Table.Td ta="right" data-testid={`link-unique-${l.path}`}>{l.unique_clicks}</Table.Td>
                  <Table.Td ta="right"><Text size="xs" c="dimmed" span>{l.bots} · {l.prefetches}</Text></Table.Td>
                  <Table.Td>
                    <Group gap={4} wrap="nowrap" justify="end">
                      {l.url && <Copy value={l.url} testId={`link-copy-${l.path}`} />}
                      {l.url && (
                        <Button size="compact-xs" variant="light" onClick={() => setBuilding(l)} data-testid={`link-build-${l.path}`}>
                          Sub-ids · QR
                        </Button>
                      )}
                      {canEdit && (
                        <Button size="compact-xs" variant="subtle" color="red" loading={remove.isPending && remove.variables === l.path}
                          onClick={() => { if (window.confirm(`Remove the link /${l.path}? Visitors then go to the fallback; its clicks stay.`)) remove.mutate(l.path); }}
                          data-testid={`link-remove-${l.path}`}>
                          Remove
                        </Button>
                      )}
                    </Group>
                  </Table.Td>
                </Table.Tr>
              );
            })}
          </Table.Tbody>
        </Table>
      )}
      {canEdit && <AddLinkForm partnerId={partnerId} free={free} />}
      {building && building.url && <LinkBuilder link={building} base={building.url} onClose={() => setBuilding(null)} />}
    </Stack>
  );
}
