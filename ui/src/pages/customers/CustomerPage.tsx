//! One customer: its details, who it is attributed to (and whether it earns
//! anyone anything), and its activity, trades and purchases.
import { Alert, Anchor, Badge, Breadcrumbs, Group, SimpleGrid, Stack, Tabs, Text, Title } from '@mantine/core';
import type { ReactNode } from 'react';
import { Link, useParams } from 'react-router-dom';
import type { CustomerDetail } from '../../bindings';
import { ErrorState } from '../../components/ErrorState';
import { useCustomer } from '../../queries';
import { AttributedPartner, CustomerFlags } from './CustomerFlags';
import { ActivityTable, PurchasesTable, TradesTable } from './CustomerRecords';
import { customersPath } from './paths';
import { CustomerStatusAction } from './CustomerStatus';

function Fact({ label, children, testId }: { label: string; children: ReactNode; testId?: string }) {
  return (
    <Stack gap={0}>
      <Text size="xs" c="dimmed">{label}</Text>
      <Text size="sm" component="div" data-testid={testId}>{children ?? '—'}</Text>
    </Stack>
  );
}

function earnsNobody(d: CustomerDetail): string | null {
  const c = d.customer;
  if (c.status === 'excluded') return 'This customer is excluded: it earns nobody anything, and is left out of FTD counts too.';
  if (c.geo_blocked) return `${c.country} is blocked for ${c.brand_id}: this customer earns nobody anything.`;
  if (!c.partner_id) return "No partner owns this customer's tracking code for its brand: its activity earns nobody.";
  return null;
}

/** The tab with records, so a trader opens on its trades and a prop client on its purchases. */
function firstTab(d: CustomerDetail): string {
  if (d.activity.length > 0) return 'activity';
  if (d.trades.length > 0) return 'trades';
  if (d.purchases.length > 0) return 'purchases';
  return 'activity';
}

export function CustomerPage() {
  const { id = '' } = useParams();
  const detail = useCustomer(id);
  if (detail.isPending) return <Text c="dimmed">Loading customer…</Text>;
  if (detail.isError) {
    return (
      <Stack>
        <ErrorState error={detail.error} title={`Customer ${id} could not be loaded`} />
        <Anchor component={Link} to={customersPath()}>Back to the customer list</Anchor>
      </Stack>
    );
  }
  const d = detail.data;
  const c = d.customer;
  const warning = earnsNobody(d);
  const refunded = d.purchases.filter((p) => p.refunded_at).length;
  return (
    <Stack gap="md">
      <Breadcrumbs separator="›">
        <Anchor component={Link} to={customersPath()} size="sm">Customers</Anchor>
        <Text size="sm" fw={500}>{c.customer_id}</Text>
      </Breadcrumbs>
      <Group gap="sm">
        <Title order={2} data-testid="customer-title">{c.customer_id}</Title>
        {c.status !== 'excluded' && <Badge variant="light" color="teal">{c.status}</Badge>}
        <CustomerFlags c={c} />
        <CustomerStatusAction c={c} />
      </Group>
      <SimpleGrid cols={{ base: 2, md: 4 }} spacing="sm">
        <Fact label="Brand">{c.brand_id}</Fact>
        <Fact label="Country">{c.country}</Fact>
        <Fact label="Registered">{c.registered_at}</Fact>
        <Fact label="Tracking code">{c.tracking_code}</Fact>
        <Fact label="Attributed partner (for life)" testId="customer-attribution"><AttributedPartner c={c} /></Fact>
      </SimpleGrid>
      {warning && <Alert color="orange" data-testid="customer-earns-nobody">{warning}</Alert>}
      {!warning && c.unexpected_country && (
        <Alert color="yellow" data-testid="customer-review-country">
          {c.country ?? 'An unknown country'} is outside the allowed countries of partner {c.partner_id}: flagged for compliance review. It still earns until
          compliance excludes it.
        </Alert>
      )}
      <Tabs defaultValue={firstTab(d)} keepMounted={false}>
        <Tabs.List>
          <Tabs.Tab value="activity" data-testid="customer-tab-activity">iGaming activity ({d.activity.length})</Tabs.Tab>
          <Tabs.Tab value="trades" data-testid="customer-tab-trades">Trades ({d.trades.length})</Tabs.Tab>
          <Tabs.Tab value="purchases" data-testid="customer-tab-purchases">
            Purchases ({d.purchases.length}{refunded > 0 ? `, ${refunded} refunded` : ''})
          </Tabs.Tab>
        </Tabs.List>
        <Tabs.Panel value="activity" pt="sm">
          <Text size="xs" c="dimmed" mb={4}>The latest 100 days, newest first.</Text>
          <ActivityTable rows={d.activity} />
        </Tabs.Panel>
        <Tabs.Panel value="trades" pt="sm">
          <Text size="xs" c="dimmed" mb={4}>The latest 100 trades, newest first.</Text>
          <TradesTable rows={d.trades} />
        </Tabs.Panel>
        <Tabs.Panel value="purchases" pt="sm">
          <PurchasesTable rows={d.purchases} />
        </Tabs.Panel>
      </Tabs>
    </Stack>
  );
}
