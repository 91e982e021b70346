// Renders a screen (or the whole app) with the real providers at a route.
import type { ReactElement } from 'react';
import { render } from '@testing-library/react';
import { MemoryRouter } from 'react-router-dom';
import { App } from '../App';
import type { SessionView } from '../bindings';
import { Providers, newQueryClient } from '../providers';
import { SESSION_KEY } from '../session';
import { singleUser } from './fixtures';

/**
 * `session`: who is signed in (default: single-user mode, every role), known
 * before the first render; `null` lets the session gate ask the mocked core
 * (`api.sessionGet`), as the app does at start.
 */
export function renderAt(path: string, ui: ReactElement = <App />, session: SessionView | null = singleUser) {
  const client = newQueryClient();
  if (session) client.setQueryData(SESSION_KEY, session);
  return render(
    <Providers client={client}>
      <MemoryRouter initialEntries={[path]}>{ui}</MemoryRouter>
    </Providers>,
  );
}

/** The whole app at `path` for a signed-in user. */
export const renderAs = (session: SessionView, path: string) => renderAt(path, <App />, session);
