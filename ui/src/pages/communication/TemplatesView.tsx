//! Templates: the built-in ones (welcome, application approved, statement
//! ready, payout sent) and custom ones; an editor with the variables it may
//! use (click to insert), a live preview against the examples or a chosen
//! partner, errors at the field, reset to the default text.
import { useEffect, useRef, useState } from 'react';
import { Alert, Autocomplete, Badge, Button, Card, Grid, Group, Stack, Switch, Text, TextInput, Textarea, Title, UnstyledButton } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useDebouncedValue } from '@mantine/hooks';
import { mailTemplatePreview, mailTemplateReset, mailTemplateSave, partnersSearch } from '../../api';
import type { TemplateView } from '../../bindings';
import { errorProps, formLevelError } from '../../components/fieldError';
import { ErrorState } from '../../components/ErrorState';
import { toApiError } from '../../errors';
import { notifyDone } from '../../notify';
import { useSession } from '../../session';
import { mailKeys, useTemplates } from './mailQueries';

/** Whose values the preview uses: a partner found by id, name or e-mail; empty for the examples. */
function PreviewPartner({ value, onChange }: { value: string; onChange: (v: string) => void }) {
  const [text] = useDebouncedValue(value.trim(), 200);
  const found = useQuery({
    queryKey: ['partners', 'pick', text],
    queryFn: () =>
      partnersSearch({
        text: text || null, kind: null, status: null, parent_id: null, tag: null,
        include_archived: false, sort: 'name', desc: false, offset: 0, limit: 10,
      }),
    enabled: text.length > 0,
  });
  const rows = found.data?.rows ?? [];
  const names = new Map(rows.map((r) => [r.partner_id, r.name]));
  return (
    <Autocomplete size="xs" label="As partner" placeholder="examples; type an id or name" description={names.get(value.trim())}
      value={value} onChange={onChange} data={rows.map((r) => r.partner_id)} filter={({ options }) => options}
      renderOption={({ option }) => <Text size="xs">{names.get(option.value)} <Text span c="dimmed" size="xs">{option.value}</Text></Text>}
      w={240} data-testid="preview-partner" />
  );
}

/** The subject and body as a partner would get them, re-rendered as the user types. */
export function LivePreview({ subject, body, templateKey }: { subject: string; body: string; templateKey: string | null }) {
  const [partnerId, setPartnerId] = useState('');
  const [input, setInput] = useState({ subject, body, partner: '' });
  useEffect(() => {
    const t = setTimeout(() => setInput({ subject, body, partner: partnerId.trim() }), 300);
    return () => clearTimeout(t);
  }, [subject, body, partnerId]);
  const q = useQuery({
    queryKey: ['mail', 'preview', templateKey, input],
    queryFn: () => mailTemplatePreview({ subject: input.subject, body: input.body, partner_id: input.partner || null, template_key: templateKey }),
    retry: false,
  });
  const err = q.error ? toApiError(q.error) : null;
  return (
    <Card withBorder data-testid="template-preview">
      <Stack gap="xs">
        <Group justify="space-between" align="end">
          <Text fw={600}>Preview</Text>
          <PreviewPartner value={partnerId} onChange={setPartnerId} />
        </Group>
        {err && <Alert color="red" data-testid="preview-error">{err.message}</Alert>}
        {q.data && (
          <>
            <Text fw={600} data-testid="preview-subject">{q.data.subject}</Text>
            <Text component="pre" size="sm" style={{ whiteSpace: 'pre-wrap', fontFamily: 'inherit' }} data-testid="preview-body">{q.data.body}</Text>
            {q.data.warnings.map((w) => <Alert key={w} color="yellow" data-testid="preview-warning">{w}</Alert>)}
          </>
        )}
      </Stack>
    </Card>
  );
}

function Editor({ template, isNew, onSaved }: { template: TemplateView; isNew: boolean; onSaved: (key: string) => void }) {
  const client = useQueryClient();
  const { can } = useSession();
  const editable = can('mail.templates');
  const [key, setKey] = useState(template.key);
  const [name, setName] = useState(template.name);
  const [subject, setSubject] = useState(template.subject);
  const [body, setBody] = useState(template.body);
  const [autoSend, setAutoSend] = useState(template.auto_send);
  const bodyRef = useRef<HTMLTextAreaElement>(null);
  const save = useMutation({
    mutationFn: () => mailTemplateSave({ key: key.trim(), name, subject, body, auto_send: autoSend }),
    onSuccess: async (t) => {
      notifyDone(`Template "${t.name}" saved`);
      await client.invalidateQueries({ queryKey: mailKeys.templates });
      onSaved(t.key);
    },
  });
  const reset = useMutation({
    mutationFn: () => mailTemplateReset(template.key),
    onSuccess: async (t) => {
      setSubject(t.subject);
      setBody(t.body);
      setAutoSend(t.auto_send);
      notifyDone(`Template "${t.name}" is back to its default text`);
      await client.invalidateQueries({ queryKey: mailKeys.templates });
    },
  });
  const insert = (name: string) => {
    const el = bodyRef.current;
    const token = `{{ ${name} }}`;
    if (!el) return setBody((b) => b + token);
    const start = el.selectionStart ?? body.length;
    const end = el.selectionEnd ?? body.length;
    setBody(body.slice(0, start) + token + body.slice(end));
  };
  const other = formLevelError(save.error, ['key', 'name', 'subject', 'body']);
  return (
    <Grid>
      <Grid.Col span={{ base: 12, md: 7 }}>
        <form onSubmit={(e) => { e.preventDefault(); if (editable) save.mutate(); }}>
          <Stack gap="xs" data-testid="template-editor">
            {isNew && <TextInput label="Key" description="lower-case letters, digits and _" value={key} onChange={(e) => setKey(e.currentTarget.value)}
              data-testid="template-key" {...errorProps(save.error, 'template', 'key')} />}
            <TextInput label="Name" value={name} onChange={(e) => setName(e.currentTarget.value)} readOnly={!editable}
              data-testid="template-name" {...errorProps(save.error, 'template', 'name')} />
            <TextInput label="Subject" value={subject} onChange={(e) => setSubject(e.currentTarget.value)} readOnly={!editable}
              data-testid="template-subject" {...errorProps(save.error, 'template', 'subject')} />
            <Textarea label="Body" ref={bodyRef} value={body} onChange={(e) => setBody(e.currentTarget.value)} autosize minRows={8} readOnly={!editable}
              data-testid="template-body" {...errorProps(save.error, 'template', 'body')} />
            {template.built_in && (
              <Switch label="Send automatically when this happens" checked={autoSend} onChange={(e) => setAutoSend(e.currentTarget.checked)}
                disabled={!editable} data-testid="template-auto" />
            )}
            {other ? <Alert color="red">{toApiError(other).message}</Alert> : null}
            {editable && (
              <Group>
                <Button type="submit" loading={save.isPending} data-testid="template-save">Save template</Button>
                {template.built_in && !isNew && (
                  <Button variant="subtle" onClick={() => reset.mutate()} loading={reset.isPending} data-testid="template-reset">Reset to default</Button>
                )}
              </Group>
            )}
          </Stack>
        </form>
      </Grid.Col>
      <Grid.Col span={{ base: 12, md: 5 }}>
        <Stack gap="xs">
          <Text fw={600} size="sm">Variables (click to insert into the body)</Text>
          {template.variables.map((v) => (
            <UnstyledButton key={v.name} onClick={() => editable && insert(v.name)} data-testid={`variable-${v.name}`}>
              <Text size="sm" ff="monospace">{`{{ ${v.name} }}`}</Text>
              <Text size="xs" c="dimmed">{v.description} — e.g. {v.example}</Text>
            </UnstyledButton>
          ))}
          <LivePreview subject={subject} body={body} templateKey={isNew ? null : template.key} />
        </Stack>
      </Grid.Col>
    </Grid>
  );
}

const NEW: TemplateView = {
  key: '', name: '', subject: '', body: 'Hello {{ partner.name }},\n\n\nKind regards,\n{{ operator.name }}\n', built_in: false, auto_send: false,
  variables: [], updated_at: null, updated_by: null,
};

export function TemplatesView() {
  const q = useTemplates();
  const { can } = useSession();
  const [selected, setSelected] = useState<string | null>(null);
  const [creating, setCreating] = useState(false);
  if (q.isError) return <ErrorState error={q.error} title="The templates could not be loaded" />;
  if (!q.data) return <Text c="dimmed">Loading templates…</Text>;
  const current = creating ? { ...NEW, variables: q.data[0]?.variables.filter((v) => v.name.includes('.')) ?? [] } : q.data.find((t) => t.key === (selected ?? q.data[0]?.key));
  return (
    <Grid data-testid="templates">
      <Grid.Col span={{ base: 12, md: 3 }}>
        <Stack gap={4}>
          {q.data.map((t) => (
            <UnstyledButton key={t.key} onClick={() => { setCreating(false); setSelected(t.key); }} data-testid={`template-${t.key}`}
              p={6} style={{ borderRadius: 4, background: !creating && current?.key === t.key ? 'var(--mantine-color-indigo-0)' : undefined }}>
              <Group gap={6} wrap="nowrap">
                <Text size="sm">{t.name}</Text>
                {t.built_in && <Badge size="xs" variant="light">built-in</Badge>}
                {t.built_in && !t.auto_send && <Badge size="xs" color="gray" variant="light">manual</Badge>}
              </Group>
            </UnstyledButton>
          ))}
          {can('mail.templates') && <Button variant="light" size="xs" mt="xs" onClick={() => setCreating(true)} data-testid="template-new">New template</Button>}
        </Stack>
      </Grid.Col>
      <Grid.Col span={{ base: 12, md: 9 }}>
        {current && (
          <Stack gap="xs">
            <Title order={4}>{creating ? 'New template' : current.name}</Title>
            <Editor key={creating ? 'new' : current.key} template={current} isNew={creating} onSaved={(k) => { setCreating(false); setSelected(k); }} />
          </Stack>
        )}
      </Grid.Col>
    </Grid>
  );
}

