//! Compliance: the approvals queue, the fraud flags, the geo report, the audit log and the
//! users. Each tab shows only for the roles that may use it; the open tab is
//! in the address (`#/compliance?tab=audit`).
import { Stack, Tabs, Text, Title } from '@mantine/core';
import { useSearchParams } from 'react-router-dom';
import { useSession } from '../../session';
import { ApprovalsTab } from './ApprovalsTab';
import { AuditTab } from './AuditTab';
import { FraudFlagsTab } from './FraudFlagsTab';
import { GeoTab } from './GeoTab';
import { UsersTab } from './UsersTab';

const TABS = [
  { value: 'approvals', label: 'Approvals', requires: 'approvals.list', panel: <ApprovalsTab /> },
  { value: 'flags', label: 'Fraud flags', requires: 'read', panel: <FraudFlagsTab /> },
  { value: 'geo', label: 'Geo report', requires: 'geo.report', panel: <GeoTab /> },
  { value: 'audit', label: 'Audit log', requires: 'audit.read', panel: <AuditTab /> },
  { value: 'users', label: 'Users', requires: 'users.list', panel: <UsersTab /> },
];

export function CompliancePage() {
  const { can } = useSession();
  const [params, setParams] = useSearchParams();
  const tabs = TABS.filter((t) => can(t.requires));
  if (tabs.length === 0) {
    return <Text c="dimmed" data-testid="compliance-nothing">Your roles give you nothing to do here.</Text>;
  }
  const asked = params.get('tab');
  const current = tabs.find((t) => t.value === asked)?.value ?? tabs[0]!.value;
  return (
    <Stack gap="md">
      <Title order={2}>Compliance</Title>
      <Tabs value={current} onChange={(v) => v && setParams({ tab: v }, { replace: true })} keepMounted={false}>
        <Tabs.List>
          {tabs.map((t) => (
            <Tabs.Tab key={t.value} value={t.value} data-testid={`compliance-tab-${t.value}`}>{t.label}</Tabs.Tab>
          ))}
        </Tabs.List>
        {tabs.map((t) => (
          <Tabs.Panel key={t.value} value={t.value} pt="md">{t.panel}</Tabs.Panel>
        ))}
      </Tabs>
    </Stack>
  );
}
