//! What can be done to a partner from its page.
import { Button, Group } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useNavigate } from 'react-router-dom';
import { partnersArchive } from '../../api';
import type { PartnerRow } from '../../bindings';
import { notifyDone, notifyError } from '../../notify';
import { keys } from '../../queries';
import { MoveDialog } from './MoveDialog';
import { editPartnerPath, newPartnerPath } from './paths';
import { useSession } from '../../session';

export function PartnerActions({ partner }: { partner: PartnerRow }) {
  const navigate = useNavigate();
  const client = useQueryClient();
  const [moving, { open, close }] = useDisclosure(false);
  const archive = useMutation({
    mutationFn: (archived: boolean) => partnersArchive(partner.partner_id, archived),
    onSuccess: (row) => {
      notifyDone(row.archived ? `${row.name} archived` : `${row.name} restored`);
      void client.invalidateQueries({ queryKey: keys.appInfo });
      return client.invalidateQueries({ queryKey: keys.partners });
    },
    onError: (e) => notifyError(e),
  });
  const { can } = useSession();
  return (
    <Group gap="xs">
      {can('partner.edit') && (
        <Button variant="default" onClick={() => navigate(editPartnerPath(partner.partner_id))} data-testid="partner-edit">Edit</Button>
      )}
      {can('partner.create') && (
        <Button variant="default" onClick={() => navigate(newPartnerPath(partner.partner_id))} data-testid="partner-add-child">
          Add sub-partner
        </Button>
      )}
      {can('partner.move') && <Button variant="default" onClick={open} data-testid="partner-move">Move</Button>}
      {can('partner.archive') && (
      <Button
        variant="light"
        color={partner.archived ? 'teal' : 'red'}
        loading={archive.isPending}
        onClick={() => archive.mutate(!partner.archived)}
        data-testid="partner-archive"
      >
        {partner.archived ? 'Restore' : 'Archive'}
      </Button>
      )}
      <MoveDialog partner={partner} opened={moving} onClose={close} />
    </Group>
  );
}
