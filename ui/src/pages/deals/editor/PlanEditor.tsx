//! The plan editor: a form for every component type, or the raw JSON for
//! power users; checked by the core as you type (debounced) and saved as a
//! new version when it changed.
import { useEffect, useState } from 'react';
import { Alert, Anchor, Button, Grid, JsonInput, Stack, Tabs, Text } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { Link } from 'react-router-dom';
import { plansPreview } from '../../../api';
import { toApiError } from '../../../errors';
import { planPath } from '../paths';
import { ProblemProvider, type Problem } from './fields';
import { draftFromText } from './planFromJson';
import { emptyPlan, planText, type PlanDraft } from './planDraft';
import { PlanForm } from './PlanForm';
import { PreviewPanel } from './PreviewPanel';
import { usePlanSave } from './usePlanSave';

export const PREVIEW_DEBOUNCE_MS = 250;

type Mode = 'form' | 'json';
type Props = { initialText: string; editing?: string };

export function PlanEditor({ initialText, editing }: Props) {
  const [start] = useState(() => draftFromText(initialText));
  const [mode, setMode] = useState<Mode>('draft' in start ? 'form' : 'json');
  const [draft, setDraft] = useState<PlanDraft>('draft' in start ? start.draft : emptyPlan());
  const [text, setText] = useState(initialText);
  const [blocked, setBlocked] = useState<string | null>(null);
  const json = mode === 'form' ? planText(draft) : text;

  const [checked] = useDebouncedValue(json, PREVIEW_DEBOUNCE_MS);
  const preview = useQuery({
    queryKey: ['plan_preview', checked],
    queryFn: () => plansPreview(checked),
    placeholderData: keepPreviousData,
    staleTime: Infinity,
  });
  const { save, message, clearMessage } = usePlanSave();
  // A save's error or message is about the text saved; typing on makes it stale.
  useEffect(() => {
    if (save.isError) save.reset();
    clearMessage();
  }, [json]);

  const saveError = save.error ? toApiError(save.error) : null;
  const problem: Problem = saveError
    ? { field: saveError.field, message: saveError.message }
    : preview.data && !preview.data.ok
      ? { field: preview.data.field, message: preview.data.error ?? 'is not valid' }
      : null;

  const switchTo = (next: string | null) => {
    if (next === 'json' && mode === 'form') {
      setText(planText(draft));
      setMode('json');
    } else if (next === 'form' && mode === 'json') {
      const r = draftFromText(text);
      if ('draft' in r) {
        setDraft(r.draft);
        setMode('form');
        setBlocked(null);
      } else {
        setBlocked(r.reason);
      }
    }
  };

  return (
    <Grid gutter="xl">
      <Grid.Col span={{ base: 12, md: 8 }}>
        <ProblemProvider value={problem}>
          <Tabs value={mode} onChange={switchTo} keepMounted={false}>
            <Tabs.List mb="md">
              <Tabs.Tab value="form" data-testid="plan-tab-form">Form</Tabs.Tab>
              <Tabs.Tab value="json" data-testid="plan-tab-json">JSON</Tabs.Tab>
            </Tabs.List>
            <Tabs.Panel value="form">
              <PlanForm draft={draft} onChange={setDraft} editing={Boolean(editing)} />
            </Tabs.Panel>
            <Tabs.Panel value="json">
              <Stack gap="xs">
                {blocked && <Alert color="yellow" data-testid="plan-form-blocked">{blocked}</Alert>}
                <Text size="xs" c="dimmed">One plan object of plans.json. Decimals are strings, e.g. "0.25".</Text>
                <JsonInput value={text} onChange={setText} autosize minRows={16} maxRows={40} spellCheck={false}
                  styles={{ input: { fontFamily: 'var(--mantine-font-family-monospace)' } }} data-testid="plan-json" aria-label="Plan JSON" />
              </Stack>
            </Tabs.Panel>
          </Tabs>
        </ProblemProvider>
      </Grid.Col>
      <Grid.Col span={{ base: 12, md: 4 }}>
        <Stack gap="md" pos="sticky" top={60}>
          <PreviewPanel preview={preview.data} checking={preview.isFetching} failure={preview.error}
            saveError={saveError ? { field: saveError.field, message: saveError.message } : null} />
          <Button onClick={() => save.mutate(json)} loading={save.isPending} data-testid="plan-save">Save plan</Button>
          {message && (
            <Alert color="teal" data-testid="plan-saved">
              {message}{' '}
              {save.data && <Anchor component={Link} to={planPath(save.data.saved.plan_id)} size="sm">Open the plan</Anchor>}
            </Alert>
          )}
        </Stack>
      </Grid.Col>
    </Grid>
  );
}
