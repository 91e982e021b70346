//! Why a customer earns nobody: excluded, geo-blocked, or unattributed.
import { Anchor, Badge, Group, Tooltip } from '@mantine/core';
import { Link } from 'react-router-dom';
import type { CustomerRow } from '../../bindings';
import { partnerPath } from '../partners/paths';

export function CustomerFlags({ c }: { c: CustomerRow }) {
  return (
    <Group gap={4} wrap="nowrap">
      {c.status === 'excluded' && (
        <Tooltip label="Excluded (fraud, self-exclusion, duplicate): earns nobody anything">
          <Badge color="red" variant="light" size="sm" data-testid="customer-flag-excluded">excluded</Badge>
        </Tooltip>
      )}
      {c.geo_blocked && (
        <Tooltip label={`${c.country} is blocked for ${c.brand_id}: earns nobody anything`}>
          <Badge color="orange" variant="light" size="sm" data-testid="customer-flag-geo-blocked">geo-blocked</Badge>
        </Tooltip>
      )}
      {c.unexpected_country && (
        <Tooltip label={`${c.country ?? 'An unknown country'} is outside the partner's allowed countries: flagged for compliance review (still earns until excluded)`}>
          <Badge color="yellow" variant="light" size="sm" data-testid="customer-flag-unexpected">review: country</Badge>
        </Tooltip>
      )}
    </Group>
  );
}

/** The attributed partner as a link, or the "unattributed" badge. */
export function AttributedPartner({ c }: { c: CustomerRow }) {
  if (!c.partner_id) {
    return (
      <Tooltip label="No partner owns this customer's tracking code for its brand: its activity earns nobody">
        <Badge color="gray" variant="outline" size="sm" data-testid="customer-unattributed">unattributed</Badge>
      </Tooltip>
    );
  }
  return (
    <Anchor component={Link} to={partnerPath(c.partner_id)} size="sm" onClick={(e) => e.stopPropagation()} data-testid="customer-partner">
      {c.partner_id}
    </Anchor>
  );
}
