//! Announcements: choose a segment (kind, brand, status, tag), see how many
//! partners it holds and how many can be written to, write the message
//! (variables allowed) with a preview, confirm the count, and it is queued.
import { useEffect, useState } from 'react';
import { Alert, Button, Group, Modal, MultiSelect, Stack, TagsInput, Text, TextInput, Textarea } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { mailAnnounce, mailSegmentPreview } from '../../api';
import type { SegmentInput } from '../../bindings';
import { errorProps, formLevelError } from '../../components/fieldError';
import { toApiError } from '../../errors';
import { notifyDone } from '../../notify';
import { useBrands } from '../../queries';
import { useSession } from '../../session';
import { mailKeys, queuedSomething } from './mailQueries';
import { LivePreview } from './TemplatesView';

const KINDS = ['affiliate', 'ib', 'referral', 'media_buyer', 'influencer', 'strategic'];
const STATUSES = ['applied', 'pending_review', 'active', 'suspended', 'terminated'];

export function AnnouncementsView() {
  const client = useQueryClient();
  const { can } = useSession();
  const brands = useBrands();
  const [segment, setSegment] = useState<SegmentInput>({ kinds: [], brands: [], statuses: ['active'], tags: [] });
  const [debounced, setDebounced] = useState(segment);
  const [subject, setSubject] = useState('');
  const [body, setBody] = useState('Hello {{ partner.name }},\n\n\nKind regards,\n{{ operator.name }}\n');
  const [confirming, setConfirming] = useState(false);
  useEffect(() => {
    const t = setTimeout(() => setDebounced(segment), 250);
    return () => clearTimeout(t);
  }, [segment]);
  const count = useQuery({ queryKey: ['mail', 'segment', debounced], queryFn: () => mailSegmentPreview(debounced) });
  const send = useMutation({
    mutationFn: () => mailAnnounce({ segment, subject, body }),
    onSuccess: async (o) => {
      setConfirming(false);
      notifyDone(`Queued ${o.queued} message${o.queued === 1 ? '' : 's'}${o.skipped_without_email ? `; ${o.skipped_without_email} partners have no e-mail address` : ''}`);
      await client.invalidateQueries({ queryKey: mailKeys.all });
      if (o.queued > 0) queuedSomething();
    },
    onError: () => setConfirming(false),
  });
  if (!can('mail.announce')) {
    return <Text c="dimmed">Announcements are sent by partner managers and admins.</Text>;
  }
  const set = (k: keyof SegmentInput) => (v: string[]) => setSegment((s) => ({ ...s, [k]: v }));
  const c = count.data;
  const other = formLevelError(send.error, ['subject', 'body']);
  return (
    <form onSubmit={(e) => { e.preventDefault(); setConfirming(true); }}>
      <Stack gap="sm" maw={900} data-testid="announcements">
        <Group grow align="start">
          <MultiSelect label="Kind" data={KINDS} value={segment.kinds} onChange={set('kinds')} placeholder="any" clearable data-testid="segment-kinds" />
          <MultiSelect label="Brand" data={(brands.data ?? []).map((b) => ({ value: b.brand_id, label: b.name }))} value={segment.brands}
            onChange={set('brands')} placeholder="any" clearable data-testid="segment-brands" />
          <MultiSelect label="Status" data={STATUSES} value={segment.statuses} onChange={set('statuses')} placeholder="any" clearable data-testid="segment-statuses" />
          <TagsInput label="Tags" description="Enter or comma after each tag" value={segment.tags} placeholder={segment.tags.length ? '' : 'any'}
            onChange={(v) => set('tags')(v.map((t) => t.trim()).filter(Boolean))} clearable data-testid="segment-tags" />
        </Group>
        {count.error ? <Alert color="red">{toApiError(count.error).message}</Alert> : null}
        {c && (
          <Text size="sm" data-testid="segment-count">
            {c.partners} partner{c.partners === 1 ? '' : 's'}, {c.with_email} with e-mail, {c.without_email} without
          </Text>
        )}
        <TextInput label="Subject" value={subject} onChange={(e) => setSubject(e.currentTarget.value)} data-testid="announce-subject"
          {...errorProps(send.error, 'announce', 'subject')} />
        <Textarea label="Message" value={body} onChange={(e) => setBody(e.currentTarget.value)} autosize minRows={6} data-testid="announce-body"
          {...errorProps(send.error, 'announce', 'body')} />
        <LivePreview subject={subject || '(no subject yet)'} body={body} templateKey={null} />
        {other ? <Alert color="red" data-testid="announce-error">{toApiError(other).message}</Alert> : null}
        <Group>
          <Button type="submit" disabled={!subject.trim() || !c || c.with_email === 0} data-testid="announce-send">Send announcement…</Button>
          {send.data && (
            <Text size="sm" c="teal" data-testid="announce-queued">
              Queued {send.data.queued} message{send.data.queued === 1 ? '' : 's'}
              {send.data.skipped_without_email ? `; ${send.data.skipped_without_email} without an address skipped` : ''}: see the outbox.
            </Text>
          )}
        </Group>
        <Modal opened={confirming} onClose={() => setConfirming(false)} title="Send this announcement?" data-testid="announce-confirm">
          <Stack>
            <Text>It goes to {c?.with_email ?? 0} partner{c?.with_email === 1 ? '' : 's'} by e-mail{c?.without_email ? ` (${c.without_email} without an address are skipped)` : ''}.</Text>
            <Group justify="flex-end">
              <Button variant="default" onClick={() => setConfirming(false)}>Cancel</Button>
              <Button onClick={() => send.mutate()} loading={send.isPending} data-testid="announce-confirm-send">Queue {c?.with_email ?? 0} messages</Button>
            </Group>
          </Stack>
        </Modal>
      </Stack>
    </form>
  );
}
