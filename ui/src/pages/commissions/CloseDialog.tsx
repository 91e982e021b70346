//! Confirming that a period is closed: closed lines never change again.
import { Button, Group, Modal, Stack, Text } from '@mantine/core';

type Props = { period: string; opened: boolean; busy: boolean; onConfirm: () => void; onCancel: () => void };

export function CloseDialog({ period, opened, busy, onConfirm, onCancel }: Props) {
  return (
    <Modal opened={opened} onClose={onCancel} title={`Close ${period}?`} centered>
      <Stack gap="sm" data-testid="period-close-dialog">
        <Text size="sm">
          Its lines will never change again. Data that arrives late for {period} will be booked as adjustment lines in the first open
          period. Periods close in order.
        </Text>
        <Group justify="flex-end">
          <Button variant="default" onClick={onCancel} data-testid="period-close-cancel">Cancel</Button>
          <Button color="red" onClick={onConfirm} loading={busy} data-testid="period-close-confirm">Close {period}</Button>
        </Group>
      </Stack>
    </Modal>
  );
}
