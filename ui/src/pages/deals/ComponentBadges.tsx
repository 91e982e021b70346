//! A plan's component types as badges.
import { Badge, Group } from '@mantine/core';
import { COMPONENT_TYPES, labelOf } from '../../options';

export function ComponentBadges({ types }: { types: string[] }) {
  if (types.length === 0) return <Badge variant="outline" color="gray" size="sm">no components</Badge>;
  return (
    <Group gap={4} wrap="wrap">
      {types.map((t) => (
        <Badge key={t} variant="light" size="sm">{labelOf(COMPONENT_TYPES, t)}</Badge>
      ))}
    </Group>
  );
}
