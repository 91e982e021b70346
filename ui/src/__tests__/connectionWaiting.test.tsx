import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import * as api from '../api';
import type { ConnectionView, SyncRunView } from '../bindings';
import { mockApiDefaults } from '../test/apiMock';
import { renderAt } from '../test/render';

vi.mock('../api');

const run: SyncRunView = {
  run_id: 9, connection: 'mt5', started_at: '2026-12-07T01:00:00.000000000Z', finished_at: '2026-12-07T01:00:05.000000000Z',
  status: 'ok_with_errors', fetched: 300, inserted: 290, updated: 0, skipped: 0, errors: 3, error: null,
  report: {
    unmapped_countries: [{ text: 'Atlantis', count: 2 }],
    notes: [{ text: 'deals with a positive commission (paid to the client): counted as no revenue', count: 1 }, { text: 'MT5 sign-ins', count: 1 }],
  },
};

const mt5: ConnectionView = {
  name: 'mt5', kind: 'mt5', config: { kind: 'mt5', base_url: 'https://mt5.example', login: '1000', brand_id: 'FX', server_timezone: 'EET' },
  schedule_minutes: null, secrets: [{ name: 'password', stored: true }], last_run: run, waiting: 3, unmapped_countries: 2,
};

beforeEach(() => {
  vi.resetAllMocks();
  mockApiDefaults();
  vi.mocked(api.connectionsList).mockResolvedValue([mt5]);
});

describe('settings → connections: what waits and what was not placed', () => {
  it('lists the waiting records with their reason and retries them', async () => {
    vi.mocked(api.syncPending).mockResolvedValue([
      { stream: 'deals', record_key: 'mt5-77', label: 'mt5-77', reason: "customer 'mt5-5' is not known", first_seen: '2026-12-07T01:00:00Z', last_tried: '2026-12-07T01:00:00Z', attempts: 2 },
    ]);
    vi.mocked(api.syncRetry).mockResolvedValue({ tried: 1, stored: 1, waiting: 0 });
    renderAt('/settings');
    await userEvent.click(await screen.findByTestId('connection-waiting-mt5'));
    expect(screen.getByTestId('connection-waiting-mt5')).toHaveTextContent('Waiting (3)');
    expect(await screen.findByTestId('waiting-list-mt5')).toHaveTextContent('is not known');
    await userEvent.click(screen.getByTestId('retry-mt5'));
    expect(await screen.findByTestId('retry-result-mt5')).toHaveTextContent('1 stored, 0 still waiting');
    expect(api.syncRetry).toHaveBeenCalledWith('mt5');
  });

  it('lists the country texts that named no country', async () => {
    vi.mocked(api.syncUnmappedCountries).mockResolvedValue([{ text: 'Atlantis', customers: 2 }]);
    renderAt('/settings');
    await userEvent.click(await screen.findByTestId('connection-countries-mt5'));
    expect(await screen.findByTestId('unmapped-list-mt5')).toHaveTextContent('Atlantis');
    expect(screen.getByTestId('unmapped-mt5')).toHaveTextContent('country_aliases');
  });

  it('shows a run report in the history', async () => {
    vi.mocked(api.syncRuns).mockResolvedValue([run]);
    renderAt('/settings');
    await userEvent.click(await screen.findByTestId('connection-history-mt5'));
    const report = await screen.findByTestId('run-report-9');
    expect(report).toHaveTextContent('Atlantis (2)');
    expect(report).toHaveTextContent('paid to the client');
  });
});

describe('settings → connections: the settings that need a decision', () => {
  it('offers an MT5 server time zone, overlap and keep-alive with help', async () => {
    vi.mocked(api.connectionsList).mockResolvedValue([]);
    vi.mocked(api.connectionsAdd).mockResolvedValue(mt5);
    renderAt('/settings');
    const zone = await screen.findByTestId('connection-field-timezone');
    expect(screen.getByText(/daylight saving/)).toBeInTheDocument();
    await userEvent.clear(zone);
    await userEvent.type(zone, 'EET');
    const overlap = screen.getByTestId('connection-field-overlap');
    await userEvent.clear(overlap);
    await userEvent.type(overlap, '48');
    await userEvent.type(screen.getByTestId('connection-name'), 'mt5');
    await userEvent.type(screen.getByTestId('connection-secret-password'), 'pw');
    await userEvent.click(screen.getByTestId('connection-save'));
    await waitFor(() => expect(api.connectionsAdd).toHaveBeenCalled());
    const config = vi.mocked(api.connectionsAdd).mock.calls[0]![0].config as Record<string, unknown>;
    expect(config.server_timezone).toBe('EET');
    expect(config.overlap_hours).toBe(48);
  });

  it('offers a shop its authentication, paid statuses and referral meta key', async () => {
    vi.mocked(api.connectionsList).mockResolvedValue([]);
    vi.mocked(api.connectionsAdd).mockResolvedValue(mt5);
    renderAt('/settings');
    await userEvent.selectOptions(await screen.findByTestId('connection-kind'), 'woocommerce');
    await userEvent.selectOptions(screen.getByTestId('connection-field-auth'), 'oauth1');
    const paid = screen.getByTestId('connection-field-paid');
    expect(paid).toHaveValue('processing, completed');
    await userEvent.clear(paid);
    await userEvent.type(paid, 'completed');
    await userEvent.type(screen.getByTestId('connection-field-meta'), '_ref');
    expect(screen.getByText(/requires OAuth 1.0a/)).toBeInTheDocument();
    await userEvent.type(screen.getByTestId('connection-name'), 'shop');
    await userEvent.type(screen.getByTestId('connection-secret-consumer_key'), 'ck');
    await userEvent.type(screen.getByTestId('connection-secret-consumer_secret'), 'cs');
    await userEvent.click(screen.getByTestId('connection-save'));
    await waitFor(() => expect(api.connectionsAdd).toHaveBeenCalled());
    const config = vi.mocked(api.connectionsAdd).mock.calls[0]![0].config as Record<string, unknown>;
    expect(config.auth).toBe('oauth1');
    expect(config.paid_statuses).toEqual(['completed']);
    expect(config.referral_meta_key).toBe('_ref');
  });
});
