//! Settings: the database in use, the brands, the platform connections, tracking and e-mail.
import { Divider, Stack, Title } from '@mantine/core';
import { BrandsSection } from './BrandsSection';
import { ConnectionsSection } from './ConnectionsSection';
import { DatabaseSection } from './DatabaseSection';
import { MailSection } from './MailSection';
import { TrackingSection } from './TrackingSection';

export function SettingsPage() {
  return (
    <Stack maw={900} gap="lg">
      <Title order={2}>Settings</Title>
      <DatabaseSection />
      <Divider />
      <BrandsSection />
      <Divider />
      <ConnectionsSection />
      <Divider />
      <TrackingSection />
      <Divider />
      <MailSection />
    </Stack>
  );
}
