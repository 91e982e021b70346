//! Progress of long work in the core (imports, commission runs), fed by the
//! `progress` event. `total` 0 means the end is not known yet.
import { useEffect, useState } from 'react';
import { Progress, Stack, Text } from '@mantine/core';
import { onProgress } from '../api';
import type { ProgressEvent } from '../bindings';

/** The latest progress event for `task`, or null before the first one. */
export function useProgress(task: string): ProgressEvent | null {
  const [event, setEvent] = useState<ProgressEvent | null>(null);
  useEffect(() => {
    let unlisten: (() => void) | undefined;
    let stopped = false;
    void onProgress((e) => {
      if (e.task === task) setEvent(e);
    }).then((u) => (stopped ? u() : (unlisten = u)));
    return () => {
      stopped = true;
      unlisten?.();
    };
  }, [task]);
  return event;
}

export function ProgressBar({ task }: { task: string }) {
  const event = useProgress(task);
  if (!event) return null;
  const known = event.total > 0;
  const percent = known ? Math.min(100, (event.done / event.total) * 100) : 100;
  return (
    <Stack gap={4} data-testid={`progress-${task}`}>
      <Progress value={percent} animated={!known || event.done < event.total} />
      <Text size="xs" c="dimmed">
        {event.message}
        {known ? ` (${event.done} of ${event.total})` : ` (${event.done})`}
      </Text>
    </Stack>
  );
}
