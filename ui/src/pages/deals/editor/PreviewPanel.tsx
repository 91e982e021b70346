//! What the core makes of the plan as typed: its plain-language reading, or
//! the first problem (also shown under the field it names).
import { Alert, Group, Loader, Stack, Text } from '@mantine/core';
import type { PlanPreview } from '../../../bindings';
import { ErrorState } from '../../../components/ErrorState';

type Props = { preview: PlanPreview | undefined; checking: boolean; failure: unknown; saveError: { field: string | null; message: string } | null };

export function PreviewPanel({ preview, checking, failure, saveError }: Props) {
  return (
    <Stack gap="xs">
      <Group gap="xs">
        <Text fw={600} size="sm">Preview</Text>
        {checking && <Loader size="xs" />}
      </Group>
      {failure ? <ErrorState error={failure} title="The plan could not be checked" /> : null}
      {preview?.ok && (
        <Text size="md" data-testid="plan-preview">{preview.description || 'This plan pays nothing.'}</Text>
      )}
      {saveError ? (
        <Alert color="red" title="Not saved" data-testid="plan-error">
          {saveError.field && <Text size="xs" c="dimmed" ff="monospace">{saveError.field}</Text>}
          <Text size="sm">{saveError.message}</Text>
        </Alert>
      ) : (
        preview && !preview.ok && (
          <Alert color="red" title="Not valid yet" data-testid="plan-error">
            {preview.field && <Text size="xs" c="dimmed" ff="monospace">{preview.field}</Text>}
            <Text size="sm">{preview.error ?? 'The plan is not valid.'}</Text>
          </Alert>
        )
      )}
      {!preview && !failure && <Text size="sm" c="dimmed">Checking the plan…</Text>}
    </Stack>
  );
}
