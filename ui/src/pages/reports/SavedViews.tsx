//! Views saved by name (on this computer, per user): load one, save the
//! current report under a name, delete one.
import { useState } from 'react';
import { Button, Group, NativeSelect, TextInput } from '@mantine/core';
import type { ReportQuery } from '../../bindings';
import { deleteView, loadViews, saveView, type SavedView } from './builder';

type Props = { user: string; query: ReportQuery; onLoad: (q: ReportQuery) => void };

export function SavedViews({ user, query, onLoad }: Props) {
  const [views, setViews] = useState<SavedView[]>(() => loadViews(user));
  const [name, setName] = useState('');
  const [chosen, setChosen] = useState<string | null>(null);
  return (
    <Group align="end" gap="xs" data-testid="saved-views">
      <NativeSelect label="Saved views" value={chosen ?? ''} w={220} data-testid="saved-view-select"
        data={[{ value: '', label: views.length ? 'Open a view…' : 'None saved yet' }, ...views.map((v) => v.name)]}
        onChange={(e) => {
          const v = e.currentTarget.value || null;
          setChosen(v);
          const view = views.find((x) => x.name === v);
          if (view) onLoad(view.query);
        }} />
      {chosen && (
        <Button variant="subtle" color="red" size="xs" onClick={() => { setViews(deleteView(user, chosen)); setChosen(null); }} data-testid="saved-view-delete">
          Delete
        </Button>
      )}
      <TextInput label="Save as" placeholder="A name" value={name} onChange={(e) => setName(e.currentTarget.value)} data-testid="saved-view-name" w={200} />
      <Button variant="default" disabled={!name.trim()} data-testid="saved-view-save"
        onClick={() => { setViews(saveView(user, name, query)); setChosen(name.trim()); setName(''); }}>
        Save view
      </Button>
    </Group>
  );
}
