//! The partners below this one, five levels deep, indented by level.
import { Anchor, Badge, Group, Stack, Text, Title } from '@mantine/core';
import { Link } from 'react-router-dom';
import { ErrorState } from '../../components/ErrorState';
import { useSubtree } from '../../queries';
import { STATUS_COLORS } from './columns';
import { partnerPath } from './paths';

export const SUBTREE_DEPTH = 5;
/** A big IB tree can hold thousands; the list is for orientation, not the full tree. */
const SHOWN = 500;

export function PartnerSubtree({ partnerId }: { partnerId: string }) {
  const tree = useSubtree(partnerId, SUBTREE_DEPTH);
  const below = (tree.data ?? []).filter((r) => r.depth > 0);
  return (
    <Stack gap="xs" data-testid="partner-subtree">
      <Title order={4}>Sub-partners ({SUBTREE_DEPTH} levels)</Title>
      {tree.isError && <ErrorState error={tree.error} />}
      {tree.isPending && <Text size="sm" c="dimmed">Loading…</Text>}
      {tree.data && below.length === 0 && <Text size="sm" c="dimmed">No sub-partners.</Text>}
      {below.slice(0, SHOWN).map(({ depth, partner }) => (
        <Group key={partner.partner_id} gap={6} pl={(depth - 1) * 18} wrap="nowrap" data-testid={`subtree-row-${partner.partner_id}`}>
          <Anchor component={Link} to={partnerPath(partner.partner_id)} size="sm" truncate>
            {partner.name}
          </Anchor>
          <Text size="xs" c="dimmed">{partner.partner_id}</Text>
          <Badge size="xs" variant="light" color={STATUS_COLORS[partner.status] ?? 'gray'}>{partner.status.replace('_', ' ')}</Badge>
        </Group>
      ))}
      {below.length > SHOWN && (
        <Text size="xs" c="dimmed">Showing {SHOWN} of {below.length} sub-partners; open a sub-partner to see its branch.</Text>
      )}
    </Stack>
  );
}
