//! One partner: where it sits in its tree, its fields, its performance over
//! time, its sub-partners, its tracking codes and links.
import { Anchor, Badge, Divider, Group, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import { Link, useParams } from 'react-router-dom';
import { ErrorState } from '../../components/ErrorState';
import { PARTNER_STATUSES, labelOf } from '../../options';
import { usePartner } from '../../queries';
import { STATUS_COLORS } from './columns';
import { PartnerActions } from './PartnerActions';
import { PartnerDeals } from './PartnerDeals';
import { PartnerFacts } from './PartnerFacts';
import { PartnerLineage } from './PartnerLineage';
import { PartnerSubtree } from './PartnerSubtree';
import { TrackingCodes } from './TrackingCodes';
import { PartnerLinks } from './PartnerLinks';
import { PartnerPostbacks } from './PartnerPostbacks';
import { PartnerKyc } from './PartnerKyc';
import { PartnerBalance } from './PartnerBalance';
import { PartnerCommunication } from './PartnerCommunication';
import { PartnerPerformance } from './PartnerPerformance';

export function PartnerPage() {
  const { id = '' } = useParams();
  const detail = usePartner(id);
  if (detail.isPending) return <Text c="dimmed">Loading partner…</Text>;
  if (detail.isError) {
    return (
      <Stack>
        <ErrorState error={detail.error} title={`Partner ${id} could not be loaded`} />
        <Anchor component={Link} to="/partners">Back to the partner list</Anchor>
      </Stack>
    );
  }
  const d = detail.data;
  const p = d.partner;
  return (
    <Stack gap="md">
      <PartnerLineage partner={p} ancestors={d.ancestors} />
      <Group justify="space-between" align="start">
        <Group gap="sm" align="center">
          <Title order={2} data-testid="partner-title">{p.name}</Title>
          <Badge variant="light" color={STATUS_COLORS[p.status] ?? 'gray'} data-testid="partner-status">
            {labelOf(PARTNER_STATUSES, p.status)}
          </Badge>
          {p.archived && <Badge color="gray" data-testid="partner-archived">Archived</Badge>}
        </Group>
        <PartnerActions partner={p} />
      </Group>
      <PartnerFacts detail={d} />
      <Divider />
      <PartnerDeals partnerId={p.partner_id} />
      <Divider />
      <PartnerPerformance partnerId={p.partner_id} />
      <Divider />
      <PartnerBalance partnerId={p.partner_id} currency={p.currency} />
      <Divider />
      <SimpleGrid cols={{ base: 1, lg: 2 }} spacing="xl">
        <PartnerSubtree partnerId={p.partner_id} />
        <TrackingCodes partnerId={p.partner_id} codes={d.tracking_codes} />
      </SimpleGrid>
      <Divider />
      <PartnerLinks partnerId={p.partner_id} codes={d.tracking_codes} />
      <Divider />
      <PartnerPostbacks partnerId={p.partner_id} />
      <Divider />
      <PartnerKyc partnerId={p.partner_id} />
      <Divider />
      <PartnerCommunication partnerId={p.partner_id} />
    </Stack>
  );
}
