//! CSV and XLSX exports into the Downloads folder, beside each other.
import { Button, Group, Text } from '@mantine/core';
import { useMutation } from '@tanstack/react-query';
import type { ExportFile } from '../../bindings';
import { notifyDone, notifyError } from '../../notify';

type Props = { run: (format: 'csv' | 'xlsx') => Promise<ExportFile>; testId: string; disabled?: boolean; what: string };

export function ExportButtons({ run, testId, disabled, what }: Props) {
  const write = useMutation({
    mutationFn: run,
    onSuccess: (f) => notifyDone(`Exported ${f.rows} row${f.rows === 1 ? '' : 's'} to ${f.path}`),
    onError: (e) => notifyError(e, `The ${what} export failed`),
  });
  return (
    <Group gap="xs" align="center">
      {(['csv', 'xlsx'] as const).map((f) => (
        <Button key={f} variant="default" size="xs" disabled={disabled} loading={write.isPending && write.variables === f}
          onClick={() => write.mutate(f)} data-testid={`${testId}-${f}`}>
          {what} {f.toUpperCase()}
        </Button>
      ))}
      {write.data && <Text size="xs" c="dimmed" data-testid={`${testId}-path`}>{write.data.path}</Text>}
    </Group>
  );
}
