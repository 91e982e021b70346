// Renders a screen (or the whole app) with the real providers at a route.
import type { ReactElement } from 'react';
import { render } from '@testing-library/react';
import { MemoryRouter } from 'react-router-dom';
import { App } from '../App';
import { Providers, newQueryClient } from '../providers';

export function renderAt(path: string, ui: ReactElement = <App />) {
  return render(
    <Providers client={newQueryClient()}>
      <MemoryRouter initialEntries={[path]}>{ui}</MemoryRouter>
    </Providers>,
  );
}
