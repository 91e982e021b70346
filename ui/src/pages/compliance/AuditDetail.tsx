//! One audit entry's before and after, as indented JSON side by side.
import { Code, SimpleGrid, Stack, Text } from '@mantine/core';
import type { AuditEntryView } from '../../bindings';

/** Indented JSON when the text is JSON, the text itself otherwise; "—" when there is none. */
export function prettyJson(text: string | null): string {
  if (text === null || text.trim() === '') return '—';
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}

export function AuditDetail({ entry }: { entry: AuditEntryView }) {
  return (
    <Stack gap={4} data-testid="audit-detail">
      <Text size="sm">
        <b>#{entry.seq}</b> {entry.action} on {entry.object_type} {entry.object_id} by {entry.actor} at {entry.at}
      </Text>
      <SimpleGrid cols={2} spacing="sm">
        <Stack gap={2}>
          <Text size="xs" c="dimmed">Before</Text>
          <Code block data-testid="audit-before" style={{ maxHeight: 300, overflow: 'auto' }}>{prettyJson(entry.before)}</Code>
        </Stack>
        <Stack gap={2}>
          <Text size="xs" c="dimmed">After</Text>
          <Code block data-testid="audit-after" style={{ maxHeight: 300, overflow: 'auto' }}>{prettyJson(entry.after)}</Code>
        </Stack>
      </SimpleGrid>
      <Text size="xs" c="dimmed" ff="monospace" style={{ wordBreak: 'break-all' }}>hash {entry.hash}</Text>
    </Stack>
  );
}
