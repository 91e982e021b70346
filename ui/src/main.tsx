import '@mantine/core/styles.css';
import '@mantine/notifications/styles.css';
// Chart styles after the core's (Mantine's order).
import '@mantine/charts/styles.css';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { HashRouter } from 'react-router-dom';
import { App } from './App';
import { Providers, newQueryClient } from './providers';

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <Providers client={newQueryClient()}>
      <HashRouter>
        <App />
      </HashRouter>
    </Providers>
  </StrictMode>,
);
