//! The partner's compliance: KYC documents (upload, review), declared traffic
//! sources, allowed countries, and the timeline of everything done to it.
//! Each action shows only for the roles that may take it.
import { useState } from 'react';
import {
  Alert, Anchor, Badge, Button, FileInput, Group, Modal, NativeSelect, SimpleGrid, Stack, Table, Text, TextInput, Textarea, Title,
} from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import {
  allowedCountriesSet, approvalsList, documentsReview, documentsUpload, partnerCompliance, partnerTimeline, trafficSourcesDeclare,
} from '../../api';
import type { AuditEntryView, DocumentStatus, DocumentView, PartnerCompliance, TrafficSourceStatus } from '../../bindings';
import { ErrorState } from '../../components/ErrorState';
import { toApiError } from '../../errors';
import { notifyDone, notifyWaiting } from '../../notify';
import { useCan } from '../../session';
import { AuditDetail } from '../compliance/AuditDetail';
import { outcomeText } from '../../outcome';
import { Link } from 'react-router-dom';
import { approvalsKey } from '../compliance/ApprovalsTab';
import { when } from '../../when';
import { DOC_TYPES, labelOf, TRAFFIC_SOURCE_KINDS } from '../../options';

const STATUS_COLORS: Record<DocumentStatus | TrafficSourceStatus, string> = { submitted: 'yellow', pending: 'yellow', approved: 'teal', rejected: 'red' };
export const MAX_DOCUMENT_BYTES = 10 * 1024 * 1024;

const complianceKey = (id: string) => ['partners', 'compliance', id] as const;
const timelineKey = (id: string) => ['partners', 'timeline', id] as const;

/** "de, FR  at" → ["DE", "FR", "AT"]; duplicates dropped, order kept. */
export function parseCountries(text: string): string[] {
  const out: string[] = [];
  for (const part of text.split(/[\s,;]+/)) {
    const c = part.trim().toUpperCase();
    if (c && !out.includes(c)) out.push(c);
  }
  return out;
}

/** The file's bytes as base64 (what the core's upload command takes). */
export function readAsBase64(file: Blob): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => {
      const url = String(reader.result ?? '');
      resolve(url.slice(url.indexOf(',') + 1));
    };
    reader.onerror = () => reject(reader.error ?? new Error('The file could not be read'));
    reader.readAsDataURL(file);
  });
}

function useRefresh(partnerId: string) {
  const client = useQueryClient();
  return () => {
    void client.invalidateQueries({ queryKey: ['approvals'] });
    void client.invalidateQueries({ queryKey: timelineKey(partnerId) });
    void client.invalidateQueries({ queryKey: ['partners', 'get', partnerId] });
    return client.invalidateQueries({ queryKey: complianceKey(partnerId) });
  };
}

function UploadForm({ partnerId }: { partnerId: string }) {
  const refresh = useRefresh(partnerId);
  const [docType, setDocType] = useState('id');
  const [file, setFile] = useState<File | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const upload = useMutation({
    mutationFn: async (f: File) => documentsUpload(partnerId, docType, f.name, await readAsBase64(f)),
    onSuccess: (d) => {
      setFile(null);
      notifyDone(`${d.file_name} uploaded as ${labelOf(DOC_TYPES, d.doc_type)}: it waits for compliance review`);
      return refresh();
    },
  });
  const submit = () => {
    upload.reset();
    if (!file) return setProblem('Choose a file (PDF, JPEG or PNG).');
    if (file.size > MAX_DOCUMENT_BYTES) return setProblem(`${file.name} is ${(file.size / 1048576).toFixed(1)} MB; documents may be at most 10 MB.`);
    setProblem(null);
    upload.mutate(file);
  };
  const message = problem ?? (upload.isError ? toApiError(upload.error).message : null);
  return (
    <form noValidate onSubmit={(e) => { e.preventDefault(); submit(); }}>
      <Group align="end" gap="sm">
        <NativeSelect label="Document" value={docType} onChange={(e) => setDocType(e.currentTarget.value)} data={DOC_TYPES} data-testid="doc-type" />
        <FileInput label="File" placeholder="PDF, JPEG or PNG, up to 10 MB" value={file} onChange={(f) => { setFile(f); setProblem(null); }}
          accept="application/pdf,image/jpeg,image/png" clearable w={280} data-testid="doc-file" />
        <Button type="submit" loading={upload.isPending} data-testid="doc-upload">Upload</Button>
      </Group>
      {message && <Alert color="red" mt="xs" data-testid="doc-error">{message}</Alert>}
    </form>
  );
}

function ReviewDialog({ doc, partnerId, onClose }: { doc: DocumentView | null; partnerId: string; onClose: () => void }) {
  const refresh = useRefresh(partnerId);
  const [note, setNote] = useState('');
  const [tried, setTried] = useState(false);
  const review = useMutation({
    mutationFn: (approve: boolean) => documentsReview(doc!.document_id, approve, note.trim()),
    onSuccess: (o) => {
      if (o.state === 'awaiting_approval') notifyWaiting(outcomeText(o));
      else notifyDone(o.message);
      close();
      return refresh();
    },
  });
  const close = () => {
    setNote('');
    setTried(false);
    review.reset();
    onClose();
  };
  const decide = (approve: boolean) => {
    setTried(true);
    if (note.trim() !== '') review.mutate(approve);
  };
  return (
    <Modal opened={doc !== null} onClose={close} title={doc ? `Review ${doc.file_name}` : ''} centered>
      {doc && (
        <Stack gap="sm" data-testid="doc-review-dialog">
          <Text size="sm">
            {labelOf(DOC_TYPES, doc.doc_type)} · {doc.media_type} · {(doc.size_bytes / 1024).toFixed(0)} KB · uploaded by {doc.uploaded_by} at {when(doc.uploaded_at)}
          </Text>
          <Text size="xs" c="dimmed" ff="monospace" style={{ wordBreak: 'break-all' }}>SHA-256 {doc.sha256}</Text>
          <Textarea label="Note" description="Required; kept with the review in the audit log." autosize minRows={2} value={note} data-autofocus
            onChange={(e) => setNote(e.currentTarget.value)} error={tried && note.trim() === '' ? 'Write a note for the review.' : undefined}
            data-testid="doc-review-note" />
          {review.isError && <Alert color="red" data-testid="doc-review-error">{toApiError(review.error).message}</Alert>}
          <Group justify="flex-end">
            <Button variant="default" onClick={close}>Cancel</Button>
            <Button color="red" variant="light" onClick={() => decide(false)} loading={review.isPending && review.variables === false}
              data-testid="doc-review-reject">Reject</Button>
            <Button color="teal" onClick={() => decide(true)} loading={review.isPending && review.variables === true} data-testid="doc-review-approve">
              Approve
            </Button>
          </Group>
        </Stack>
      )}
    </Modal>
  );
}

function Documents({ c }: { c: PartnerCompliance }) {
  const canUpload = useCan('kyc.document.upload');
  const canReview = useCan('kyc.document.review');
  const [reviewing, setReviewing] = useState<DocumentView | null>(null);
  const pending = useQuery({ queryKey: approvalsKey('pending'), queryFn: () => approvalsList('pending') });
  const waiting = new Map((pending.data ?? []).map((a) => [a.object_id, a.approval_id]));
  return (
    <Stack gap="xs" data-testid="partner-documents">
      <Title order={5}>KYC documents</Title>
      {c.missing_documents.length > 0 && (
        <Text size="sm" c="orange.8" data-testid="doc-missing">
          Not yet approved: {c.missing_documents.map((d) => labelOf(DOC_TYPES, d)).join(', ')}
        </Text>
      )}
      {c.documents.length === 0 ? (
        <Text size="sm" c="dimmed">No documents uploaded.</Text>
      ) : (
        <Table striped withTableBorder>
          <Table.Thead>
            <Table.Tr><Table.Th>Document</Table.Th><Table.Th>File</Table.Th><Table.Th>Status</Table.Th><Table.Th>Uploaded</Table.Th><Table.Th>Review</Table.Th></Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {c.documents.map((d) => (
              <Table.Tr key={d.document_id} data-testid={`doc-row-${d.document_id}`}>
                <Table.Td>{labelOf(DOC_TYPES, d.doc_type)}</Table.Td>
                <Table.Td><Text size="sm" title={`${d.media_type}, SHA-256 ${d.sha256}`}>{d.file_name}</Text></Table.Td>
                <Table.Td style={{ whiteSpace: 'nowrap' }}><Badge size="sm" variant="light" color={STATUS_COLORS[d.status] ?? 'gray'}>{d.status}</Badge></Table.Td>
                <Table.Td><Text size="xs">{d.uploaded_by} · {when(d.uploaded_at)}</Text></Table.Td>
                <Table.Td>
                  {d.reviewed_by ? (
                    <Text size="xs">{d.reviewed_by} · {when(d.reviewed_at)}{d.review_note ? `: “${d.review_note}”` : ''}</Text>
                  ) : waiting.has(d.document_id) ? (
                    <Text size="xs" c="orange.8" data-testid={`doc-waiting-${d.document_id}`}>review waits for approval (request #{waiting.get(d.document_id)})</Text>
                  ) : canReview && d.status === 'submitted' ? (
                    <Button size="xs" variant="light" onClick={() => setReviewing(d)} data-testid={`doc-review-${d.document_id}`}>Review</Button>
                  ) : (
                    <Text size="xs" c="dimmed">waiting</Text>
                  )}
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
      {canUpload && <UploadForm partnerId={c.partner_id} />}
      <ReviewDialog doc={reviewing} partnerId={c.partner_id} onClose={() => setReviewing(null)} />
    </Stack>
  );
}

function TrafficSources({ c }: { c: PartnerCompliance }) {
  const canDeclare = useCan('traffic_source.declare');
  const refresh = useRefresh(c.partner_id);
  const [kind, setKind] = useState('website');
  const [value, setValue] = useState('');
  const declare = useMutation({
    mutationFn: () => trafficSourcesDeclare(c.partner_id, kind, value.trim()),
    onSuccess: (o) => {
      setValue('');
      if (o.state === 'awaiting_approval') notifyWaiting(outcomeText(o));
      else notifyDone(o.message);
      return refresh();
    },
  });
  return (
    <Stack gap="xs" data-testid="partner-traffic">
      <Title order={5}>Traffic sources</Title>
      {c.traffic_sources.length === 0 ? (
        <Text size="sm" c="dimmed">No traffic sources declared.</Text>
      ) : (
        <Table striped withTableBorder>
          <Table.Thead>
            <Table.Tr><Table.Th>Kind</Table.Th><Table.Th>Source</Table.Th><Table.Th>Status</Table.Th><Table.Th>Declared</Table.Th></Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {c.traffic_sources.map((t) => (
              <Table.Tr key={t.source_id} data-testid={`traffic-row-${t.source_id}`}>
                <Table.Td>{labelOf(TRAFFIC_SOURCE_KINDS, t.kind)}</Table.Td>
                <Table.Td style={{ wordBreak: 'break-all' }}>{t.value}</Table.Td>
                <Table.Td style={{ whiteSpace: 'nowrap' }}>
                  <Badge size="sm" variant="light" color={STATUS_COLORS[t.status] ?? 'gray'}>{t.status}</Badge>
                  {t.decided_by && <Text size="xs" c="dimmed">{t.decided_by} · {when(t.decided_at)}</Text>}
                </Table.Td>
                <Table.Td><Text size="xs">{t.declared_by} · {when(t.declared_at)}</Text></Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
      {canDeclare && (
        <form noValidate onSubmit={(e) => { e.preventDefault(); if (value.trim()) declare.mutate(); }}>
          <Group align="end" gap="sm">
            <NativeSelect label="Kind" value={kind} onChange={(e) => setKind(e.currentTarget.value)} data={TRAFFIC_SOURCE_KINDS} data-testid="traffic-kind" />
            <TextInput label="Site, account or channel" placeholder="https://example.com, @handle…" value={value} w={280}
              onChange={(e) => setValue(e.currentTarget.value)} data-testid="traffic-value" />
            <Button type="submit" disabled={!value.trim()} loading={declare.isPending} data-testid="traffic-declare">Declare</Button>
          </Group>
          {declare.isError && <Alert color="red" mt="xs" data-testid="traffic-error">{toApiError(declare.error).message}</Alert>}
        </form>
      )}
    </Stack>
  );
}

function AllowedCountries({ c }: { c: PartnerCompliance }) {
  const canSet = useCan('geo.allowed_countries.set');
  const refresh = useRefresh(c.partner_id);
  const [text, setText] = useState<string | null>(null);
  const save = useMutation({
    mutationFn: (countries: string[]) => allowedCountriesSet(c.partner_id, countries),
    onSuccess: (stored) => {
      setText(null);
      notifyDone(stored.length === 0 ? 'Customers from any country are now expected' : `Allowed countries: ${stored.join(', ')}`);
      return refresh();
    },
  });
  const editing = text !== null;
  return (
    <Stack gap="xs" data-testid="partner-countries">
      <Title order={5}>Allowed countries</Title>
      <Text size="sm" data-testid="countries-current">
        {c.allowed_countries.length === 0 ? 'Any country (no restriction).' : c.allowed_countries.join(', ')}
      </Text>
      <Text size="xs" c="dimmed">Customers from other countries are flagged for review on the Customers page; they keep earning until excluded.</Text>
      {canSet && !editing && (
        <Group><Button size="xs" variant="default" onClick={() => setText(c.allowed_countries.join(', '))} data-testid="countries-edit">Edit</Button></Group>
      )}
      {canSet && editing && (
        <form noValidate onSubmit={(e) => { e.preventDefault(); save.mutate(parseCountries(text)); }}>
          <Group align="start" gap="sm">
            <TextInput placeholder="DE, AT, CH — empty: any" value={text} onChange={(e) => setText(e.currentTarget.value)} w={280}
              aria-label="Allowed countries" error={save.isError ? toApiError(save.error).message : undefined}
              errorProps={{ 'data-testid': 'countries-error' }} data-testid="countries-input" />
            <Button type="submit" loading={save.isPending} data-testid="countries-save">Save</Button>
            <Button variant="subtle" onClick={() => { setText(null); save.reset(); }}>Cancel</Button>
          </Group>
        </form>
      )}
    </Stack>
  );
}

function Timeline({ partnerId }: { partnerId: string }) {
  const timeline = useQuery({ queryKey: timelineKey(partnerId), queryFn: () => partnerTimeline(partnerId) });
  const [open, setOpen] = useState<AuditEntryView | null>(null);
  return (
    <Stack gap="xs" data-testid="partner-timeline">
      <Title order={5}>Timeline</Title>
      {timeline.isPending && <Text size="sm" c="dimmed">Loading…</Text>}
      {timeline.isError && <ErrorState error={timeline.error} title="The timeline could not be loaded" />}
      {timeline.data?.length === 0 && <Text size="sm" c="dimmed">Nothing recorded yet.</Text>}
      {timeline.data && timeline.data.length > 0 && (
        <Table highlightOnHover withTableBorder>
          <Table.Thead>
            <Table.Tr><Table.Th>When</Table.Th><Table.Th>Who</Table.Th><Table.Th>What</Table.Th><Table.Th>Object</Table.Th></Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {timeline.data.map((e) => (
              <Table.Tr key={e.seq} data-testid={`timeline-row-${e.seq}`} style={{ cursor: 'pointer' }}
                onClick={() => setOpen((cur) => (cur?.seq === e.seq ? null : e))}>
                <Table.Td><Text size="xs" style={{ whiteSpace: 'nowrap' }}>{when(e.at)}</Text></Table.Td>
                <Table.Td>{e.actor}</Table.Td>
                <Table.Td>{e.action}</Table.Td>
                <Table.Td><Text size="xs">{e.object_type} {e.object_id}</Text></Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
      {open && <AuditDetail entry={open} />}
    </Stack>
  );
}

/** Requests in the approvals queue about this partner: its activation, its deals, its documents and traffic sources. */
function PendingRequests({ c }: { c: PartnerCompliance | undefined }) {
  const pending = useQuery({ queryKey: approvalsKey('pending'), queryFn: () => approvalsList('pending') });
  const id = c?.partner_id ?? '';
  const own = new Set([...(c?.documents ?? []).map((d) => d.document_id), ...(c?.traffic_sources ?? []).map((t) => t.source_id)]);
  const mine = (pending.data ?? []).filter((a) => a.object_id === id || a.object_id.startsWith(`${id}/`) || own.has(a.object_id));
  if (!c || mine.length === 0) return null;
  return (
    <Alert color="yellow" title="Waiting for approval" data-testid="partner-pending">
      <Stack gap={2}>
        {mine.map((a) => (
          <Text size="sm" key={a.approval_id} data-testid={`partner-pending-${a.approval_id}`}>
            #{a.approval_id} {a.kind_label}: {a.summary} (requested by {a.maker}, approvals {a.approvals}/{a.required_approvals}) —{' '}
            <Anchor component={Link} to="/compliance?tab=approvals" size="sm">open the queue</Anchor>
          </Text>
        ))}
      </Stack>
    </Alert>
  );
}

export function PartnerKyc({ partnerId }: { partnerId: string }) {
  const c = useQuery({ queryKey: complianceKey(partnerId), queryFn: () => partnerCompliance(partnerId) });
  return (
    <Stack gap="md" data-testid="partner-compliance">
      <Title order={4}>Compliance</Title>
      <PendingRequests c={c.data} />
      {c.isPending && <Text size="sm" c="dimmed">Loading…</Text>}
      {c.isError && <ErrorState error={c.error} title="The partner's compliance could not be loaded" />}
      {c.data && (
        <>
          <Documents c={c.data} />
          <SimpleGrid cols={{ base: 1, lg: 2 }} spacing="xl">
            <TrafficSources c={c.data} />
            <AllowedCountries c={c.data} />
          </SimpleGrid>
        </>
      )}
      <Timeline partnerId={partnerId} />
    </Stack>
  );
}
