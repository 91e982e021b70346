//! The pages around the partner form: new (optionally under a parent given
//! as ?parent=) and edit (loads the partner first).
import { Stack, Text, Title } from '@mantine/core';
import { useNavigate, useParams, useSearchParams } from 'react-router-dom';
import { ErrorState } from '../../components/ErrorState';
import type { PartnerRow, PartnerStatus } from '../../bindings';
import { notifyDone, notifyWaiting } from '../../notify';
import { usePartner } from '../../queries';
import { PartnerForm } from './PartnerForm';
import { emptyValues, valuesOf } from './partnerValues';
import { partnerPath } from './paths';

/** Activation needs a second person: say so when the saved partner is not (yet) what was asked. */
function notifyActivation(row: PartnerRow, asked: string) {
  const active: PartnerStatus = 'active';
  if (asked === active && row.status !== active) {
    notifyWaiting(`Activating ${row.partner_id} waits for approval under Compliance → Approvals; until then it stays ${row.status.replace('_', ' ')}.`);
  }
}

export function NewPartnerPage() {
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const parent = params.get('parent') ?? '';
  return (
    <Stack>
      <Title order={2}>New partner</Title>
      <PartnerForm
        initial={emptyValues(parent)}
        onSaved={(row, asked) => {
          notifyDone(`Partner ${row.partner_id} created`);
          notifyActivation(row, asked);
          navigate(partnerPath(row.partner_id));
        }}
        onCancel={() => navigate(parent ? partnerPath(parent) : '/partners')}
      />
    </Stack>
  );
}

export function EditPartnerPage() {
  const navigate = useNavigate();
  const { id = '' } = useParams();
  const detail = usePartner(id);
  if (detail.isPending) return <Text c="dimmed">Loading partner…</Text>;
  if (detail.isError) return <ErrorState error={detail.error} title={`Partner ${id} could not be loaded`} />;
  return (
    <Stack>
      <Title order={2}>Edit {detail.data.partner.name}</Title>
      {/* A reload brings a new version: the form starts again from it. */}
      <PartnerForm
        key={detail.data.row_version}
        initial={valuesOf(detail.data)}
        editing={id}
        rowVersion={detail.data.row_version}
        onReload={() => void detail.refetch()}
        onSaved={(row, asked) => {
          notifyDone(`Partner ${row.partner_id} saved`);
          notifyActivation(row, asked);
          navigate(partnerPath(row.partner_id));
        }}
        onCancel={() => navigate(partnerPath(id))}
      />
    </Stack>
  );
}
