import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import * as api from '../api';
import type { ConnectionView, SyncRunView } from '../bindings';
import { mockApiDefaults } from '../test/apiMock';
import { renderAt } from '../test/render';

vi.mock('../api');

const run: SyncRunView = {
  run_id: 7, connection: 'mt5', started_at: '2026-11-24T01:00:00.000000000Z', finished_at: '2026-11-24T01:00:05.000000000Z',
  status: 'ok_with_errors', fetched: 120, inserted: 100, updated: 5, skipped: 15, errors: 2, error: null,
  report: { unmapped_countries: [{ text: 'Atlantis', count: 2 }], notes: [{ text: 'MT5 sign-ins', count: 1 }] },
};

const mt5: ConnectionView = {
  name: 'mt5', kind: 'mt5', config: { kind: 'mt5', base_url: 'https://mt5.example', login: '1000', brand_id: 'FX' },
  schedule_minutes: 60, secrets: [{ name: 'password', stored: true }], last_run: run,
  waiting: 3, unmapped_countries: 2,
};

beforeEach(() => {
  vi.resetAllMocks();
  mockApiDefaults();
});

describe('settings → connections', () => {
  it('says when there are none', async () => {
    renderAt('/settings');
    expect(await screen.findByTestId('connection-empty')).toBeInTheDocument();
  });

  it('adds a connection with its secret for the keyring', async () => {
    vi.mocked(api.connectionsAdd).mockResolvedValue(mt5);
    renderAt('/settings');
    await userEvent.type(await screen.findByTestId('connection-name'), 'mt5');
    await userEvent.type(screen.getByTestId('connection-secret-password'), 's3cret');
    await userEvent.click(screen.getByTestId('connection-save'));
    await waitFor(() => expect(api.connectionsAdd).toHaveBeenCalled());
    const input = vi.mocked(api.connectionsAdd).mock.calls[0]![0];
    expect(input.name).toBe('mt5');
    expect(input.secrets).toEqual({ password: 's3cret' });
    expect((input.config as Record<string, unknown>).kind).toBe('mt5');
    expect(input.schedule_minutes).toBeNull();
  });

  it('asks for the secrets of the chosen platform and shows a refusal', async () => {
    vi.mocked(api.connectionsAdd).mockRejectedValue({ code: 'invalid', field: 'config', message: 'ftp://x is not an HTTP(S) URL' });
    renderAt('/settings');
    await userEvent.selectOptions(await screen.findByTestId('connection-kind'), 'woocommerce');
    expect(screen.getByTestId('connection-secret-consumer_key')).toBeInTheDocument();
    expect(screen.getByTestId('connection-secret-consumer_secret')).toBeInTheDocument();
    expect(screen.queryByTestId('connection-secret-password')).not.toBeInTheDocument();
    await userEvent.type(screen.getByTestId('connection-name'), 'shop');
    await userEvent.click(screen.getByTestId('connection-save'));
    expect(await screen.findByTestId('connection-error')).toHaveTextContent('not an HTTP(S) URL');
  });

  it('lists connections, tests one and runs it with the outcome', async () => {
    vi.mocked(api.connectionsList).mockResolvedValue([mt5]);
    vi.mocked(api.connectionsTest).mockResolvedValue('signed in to MT5');
    vi.mocked(api.syncRun).mockResolvedValue({ ...run, run_id: 8, status: 'ok', errors: 0 });
    renderAt('/settings');
    expect(await screen.findByTestId('connection-last-mt5')).toHaveTextContent('ok_with_errors: 120 fetched');
    await userEvent.click(screen.getByTestId('connection-test-mt5'));
    expect(await screen.findByTestId('connection-test-ok-mt5')).toHaveTextContent('signed in');
    await userEvent.click(screen.getByTestId('connection-run-mt5'));
    expect(await screen.findByTestId('connection-run-result-mt5')).toHaveTextContent('ok: 120 fetched, 100 inserted');
    expect(api.syncRun).toHaveBeenCalledWith('mt5');
  });

  it('shows a failed run clearly', async () => {
    vi.mocked(api.connectionsList).mockResolvedValue([mt5]);
    vi.mocked(api.syncRun).mockRejectedValue({ code: 'refused', field: null, message: 'authentication failed: check the manager login and password' });
    renderAt('/settings');
    await userEvent.click(await screen.findByTestId('connection-run-mt5'));
    expect(await screen.findByTestId('connection-run-error-mt5')).toHaveTextContent('authentication failed');
  });

  it('shows the run history with counts and a run\'s errors', async () => {
    vi.mocked(api.connectionsList).mockResolvedValue([mt5]);
    vi.mocked(api.syncRuns).mockResolvedValue([run]);
    vi.mocked(api.syncRunErrors).mockResolvedValue([{ stream: 'deals', external_id: 'deal 9', message: "customer 'mt5-4' is not known" }]);
    renderAt('/settings');
    await userEvent.click(await screen.findByTestId('connection-history-mt5'));
    expect(await screen.findByTestId('run-7')).toHaveTextContent('120');
    await userEvent.click(screen.getByTestId('run-errors-7'));
    expect(await screen.findByTestId('run-error-list')).toHaveTextContent('is not known');
    expect(api.syncRunErrors).toHaveBeenCalledWith(7, 200);
  });
});
