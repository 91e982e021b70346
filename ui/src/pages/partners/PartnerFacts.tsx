//! A partner's own fields, read-only.
import type { ReactNode } from 'react';
import { Badge, Group, SimpleGrid, Stack, Text } from '@mantine/core';
import type { PartnerDetail } from '../../bindings';
import { PARTNER_KINDS, labelOf } from '../../options';

function Fact({ label, children, testId }: { label: string; children: ReactNode; testId?: string }) {
  return (
    <Stack gap={0}>
      <Text size="xs" c="dimmed">{label}</Text>
      <Text size="sm" component="div" data-testid={testId}>{children ?? '—'}</Text>
    </Stack>
  );
}

export function PartnerFacts({ detail }: { detail: PartnerDetail }) {
  const p = detail.partner;
  return (
    <Stack gap="sm">
      <SimpleGrid cols={{ base: 2, md: 4 }} spacing="sm">
        <Fact label="Partner id" testId="partner-id">{p.partner_id}</Fact>
        <Fact label="Kind">{labelOf(PARTNER_KINDS, p.kind)}</Fact>
        <Fact label="E-mail">{p.email}</Fact>
        <Fact label="Country">{p.country}</Fact>
        <Fact label="Currency">{p.currency}</Fact>
        <Fact label="Contact">{detail.contact_name}</Fact>
        <Fact label="Phone">{detail.phone}</Fact>
        <Fact label="Sub-partners">{p.children}</Fact>
        <Fact label="Created">{detail.created_at}</Fact>
        <Fact label="Updated">{detail.updated_at}</Fact>
        <Fact label="Tags">
          {p.tags.length > 0 ? (
            <Group gap={4}>{p.tags.map((t) => <Badge key={t} variant="outline" size="sm">{t}</Badge>)}</Group>
          ) : null}
        </Fact>
      </SimpleGrid>
      {detail.notes && <Fact label="Notes"><span style={{ whiteSpace: 'pre-wrap' }}>{detail.notes}</span></Fact>}
    </Stack>
  );
}
