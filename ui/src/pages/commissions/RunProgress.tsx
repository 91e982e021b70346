//! The progress bar of a run, fed by the core's `progress` events (task
//! "commissions"; done and total count periods).
import { Progress, Stack, Text } from '@mantine/core';
import type { ProgressEvent } from '../../bindings';

export function RunProgress({ event }: { event: ProgressEvent | null }) {
  const known = event !== null && event.total > 0;
  const percent = known ? Math.min(100, (event.done / event.total) * 100) : 100;
  return (
    <Stack gap={4} data-testid="run-progress">
      <Progress value={percent} animated striped={!known} aria-label="Run progress" />
      <Text size="xs" c="dimmed">
        {event === null ? 'Starting the run…' : `${event.message}${known ? ` (${event.done} of ${event.total} periods)` : ''}`}
      </Text>
    </Stack>
  );
}
