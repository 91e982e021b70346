//! Where a partner sits in its tree: the ancestors from the root down, and
//! the parent named plainly.
import { Anchor, Breadcrumbs, Group, Text } from '@mantine/core';
import { Link } from 'react-router-dom';
import type { PartnerRow } from '../../bindings';
import { partnerPath } from './paths';

export function PartnerLineage({ partner, ancestors }: { partner: PartnerRow; ancestors: PartnerRow[] }) {
  const parent = ancestors[ancestors.length - 1];
  return (
    <>
      <Breadcrumbs data-testid="partner-ancestors" separator="›">
        <Anchor component={Link} to="/partners" size="sm">Partners</Anchor>
        {ancestors.map((a) => (
          <Anchor key={a.partner_id} component={Link} to={partnerPath(a.partner_id)} size="sm" data-testid={`ancestor-${a.partner_id}`}>
            {a.name}
          </Anchor>
        ))}
        <Text size="sm" fw={500}>{partner.name}</Text>
      </Breadcrumbs>
      <Group gap={6}>
        <Text size="sm" c="dimmed">Parent:</Text>
        {partner.parent_id ? (
          <Anchor component={Link} to={partnerPath(partner.parent_id)} size="sm" data-testid="partner-parent">
            {parent?.name ?? partner.parent_id} ({partner.parent_id})
          </Anchor>
        ) : (
          <Text size="sm" data-testid="partner-parent">Top level (no parent)</Text>
        )}
      </Group>
    </>
  );
}
