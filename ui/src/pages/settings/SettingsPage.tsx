//! Settings: the database in use and the brands.
import { Divider, Stack, Title } from '@mantine/core';
import { BrandsSection } from './BrandsSection';
import { DatabaseSection } from './DatabaseSection';

export function SettingsPage() {
  return (
    <Stack maw={900} gap="lg">
      <Title order={2}>Settings</Title>
      <DatabaseSection />
      <Divider />
      <BrandsSection />
    </Stack>
  );
}
