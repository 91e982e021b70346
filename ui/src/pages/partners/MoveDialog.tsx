//! Moving a partner, with its whole branch, under another parent or to the
//! top level. The core refuses cycles and says why under the input.
import { useState } from 'react';
import { Alert, Button, Group, Modal, Stack, Text } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { partnersMove } from '../../api';
import type { PartnerRow } from '../../bindings';
import { errorProps, formLevelError } from '../../components/fieldError';
import { toApiError } from '../../errors';
import { notifyDone } from '../../notify';
import { keys } from '../../queries';
import { ParentPicker } from './ParentPicker';

export function MoveDialog({ partner, opened, onClose }: { partner: PartnerRow; opened: boolean; onClose: () => void }) {
  const client = useQueryClient();
  const [parent, setParent] = useState('');
  const move = useMutation({
    mutationFn: (newParentId: string | null) => partnersMove(partner.partner_id, newParentId),
    onSuccess: async (row) => {
      notifyDone(row.parent_id ? `${row.name} now sits under ${row.parent_id}` : `${row.name} is now a top-level partner`);
      await client.invalidateQueries({ queryKey: keys.partners });
      close();
    },
  });
  const close = () => {
    setParent('');
    move.reset();
    onClose();
  };
  const other = formLevelError(move.error, ['parent_id']);
  return (
    <Modal opened={opened} onClose={close} title={`Move ${partner.name}`}>
      <Stack gap="sm">
        <Text size="sm" c="dimmed">Its sub-partners move with it. Currently: {partner.parent_id ?? 'top level'}.</Text>
        <ParentPicker label="New parent" value={parent} onChange={setParent} excludeId={partner.partner_id}
          testId="move-parent" {...errorProps(move.error, 'move', 'parent_id')} />
        {other ? <Alert color="red">{toApiError(other).message}</Alert> : null}
        <Group justify="space-between">
          <Button variant="default" onClick={() => move.mutate(null)} loading={move.isPending} data-testid="move-top">
            Move to top level
          </Button>
          <Button onClick={() => move.mutate(parent.trim() || null)} disabled={!parent.trim()} loading={move.isPending} data-testid="move-save">
            Move under this parent
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}
