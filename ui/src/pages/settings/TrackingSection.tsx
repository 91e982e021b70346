//! Tracking (issue 29): the tracking server's public address, where unknown
//! links go, how new links look (admins), and each brand's landing template
//! (managers), and how brands' postbacks in authenticate (admins). The
//! server (`partnerdesk serve`) sees a change within seconds.
import { useEffect, useState } from 'react';
import { Button, Group, NativeSelect, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { trackingLandingGet, trackingLandingSet, trackingSettingsSet } from '../../api';
import type { BrandView, TrackingSettings } from '../../bindings';
import { ErrorState } from '../../components/ErrorState';
import { errorProps, formLevelError } from '../../components/fieldError';
import { Notice } from '../../components/Notice';
import { toApiError } from '../../errors';
import { notifyDone } from '../../notify';
import { trackingKeys, useBrands, useTrackingSettings } from '../../queries';
import { useCan } from '../../session';
import { PostbacksInSection } from './PostbacksInSection';

const SCHEMES = [
  { value: 'code', label: '/{code}' },
  { value: 'brand/code', label: '/{brand}/{code}' },
];
const FIELDS = ['public_url', 'fallback_url', 'path_scheme'];

function SettingsForm({ current }: { current: TrackingSettings }) {
  const client = useQueryClient();
  const canEdit = useCan('tracking.settings');
  const [s, setS] = useState(current);
  useEffect(() => setS(current), [current]);
  const save = useMutation({
    mutationFn: (input: TrackingSettings) => trackingSettingsSet(input),
    onSuccess: () => {
      notifyDone('Tracking settings saved');
      return client.invalidateQueries({ queryKey: trackingKeys.all });
    },
  });
  const other = formLevelError(save.error, FIELDS);
  const text = (v: string) => (v.trim() === '' ? null : v);
  return (
    <form noValidate onSubmit={(e) => { e.preventDefault(); save.mutate(s); }}>
      <Stack gap="xs">
        <Group align="start" gap="sm">
          <TextInput label="Public address of the tracking server" placeholder="https://go.example.com" w={300} disabled={!canEdit}
            value={s.public_url ?? ''} onChange={(e) => setS({ ...s, public_url: text(e.currentTarget.value) })}
            data-testid="tracking-public-url" {...errorProps(save.error, 'tracking', 'public_url')} />
          <TextInput label="Fallback for unknown links" placeholder="https://www.example.com" w={300} disabled={!canEdit}
            value={s.fallback_url ?? ''} onChange={(e) => setS({ ...s, fallback_url: text(e.currentTarget.value) })}
            data-testid="tracking-fallback" {...errorProps(save.error, 'tracking', 'fallback_url')} />
          <NativeSelect label="New links look like" data={SCHEMES} value={s.path_scheme} disabled={!canEdit}
            onChange={(e) => setS({ ...s, path_scheme: e.currentTarget.value })} data-testid="tracking-scheme" />
        </Group>
        <Text size="xs" c="dimmed">
          A link keeps the path it was made with when the scheme changes, so links already handed out keep working.
        </Text>
        {canEdit && (
          <Group><Button type="submit" loading={save.isPending} data-testid="tracking-save">Save tracking settings</Button></Group>
        )}
        {other ? <Notice color="red" testId="tracking-error">{toApiError(other).message}</Notice> : null}
      </Stack>
    </form>
  );
}

function LandingRow({ brand }: { brand: BrandView }) {
  const client = useQueryClient();
  const canEdit = useCan('link.edit');
  const current = useQuery({ queryKey: trackingKeys.landing(brand.brand_id), queryFn: () => trackingLandingGet(brand.brand_id) });
  const [template, setTemplate] = useState<string | null>(null);
  const shown = template ?? current.data ?? '';
  const save = useMutation({
    mutationFn: () => trackingLandingSet(brand.brand_id, shown),
    onSuccess: () => {
      setTemplate(null);
      notifyDone(`Landing of ${brand.name} saved`);
      return client.invalidateQueries({ queryKey: trackingKeys.all });
    },
  });
  return (
    <Table.Tr data-testid={`landing-row-${brand.brand_id}`}>
      <Table.Td>{brand.name}</Table.Td>
      <Table.Td>
        <TextInput value={shown} placeholder="https://casino.example/?btag={code}&cid={click_id}" disabled={!canEdit}
          onChange={(e) => setTemplate(e.currentTarget.value)} ff="monospace" data-testid={`landing-${brand.brand_id}`}
          {...errorProps(save.error, `landing-${brand.brand_id}`, 'url_template')} />
      </Table.Td>
      <Table.Td>
        {canEdit && (
          <Button size="xs" disabled={template === null} loading={save.isPending} onClick={() => save.mutate()}
            data-testid={`landing-save-${brand.brand_id}`}>
            Save
          </Button>
        )}
      </Table.Td>
    </Table.Tr>
  );
}

export function TrackingSection() {
  const settings = useTrackingSettings();
  const brands = useBrands();
  return (
    <Stack gap="sm" data-testid="tracking-section">
      <Title order={3}>Tracking</Title>
      {settings.isError && <ErrorState error={settings.error} title="The tracking settings could not be loaded" />}
      {settings.data && <SettingsForm current={settings.data} />}
      <Title order={5} mt="sm">Landing pages</Title>
      <Text size="xs" c="dimmed">
        Where a brand's links send visitors. Placeholders: {'{click_id} {code} {sub1}…{sub5} {campaign}'} (filled in,
        percent-encoded). A link may have its own landing.
      </Text>
      {brands.data?.length === 0 && <Text size="sm" c="dimmed">No brands yet: add one above.</Text>}
      {brands.data && brands.data.length > 0 && (
        <Table withTableBorder>
          <Table.Tbody>{brands.data.map((b) => <LandingRow key={b.brand_id} brand={b} />)}</Table.Tbody>
        </Table>
      )}
      <PostbacksInSection />
    </Stack>
  );
}
