//! The honest empty state of a page that does not exist yet.
import { Stack, Text, Title } from '@mantine/core';

export function Placeholder({ title, description }: { title: string; description: string }) {
  return (
    <Stack gap="xs" maw={640} data-testid="placeholder">
      <Title order={2}>{title}</Title>
      <Text fw={500}>{title} is not built yet</Text>
      <Text c="dimmed">{description}</Text>
    </Stack>
  );
}
