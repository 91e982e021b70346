import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import * as api from '../api';
import type { ConnectionView } from '../bindings';
import { mockApiDefaults } from '../test/apiMock';
import { session } from '../test/fixtures';
import { renderAs, renderAt } from '../test/render';

vi.mock('../api');

const mt5: ConnectionView = {
  name: 'mt5', kind: 'mt5',
  config: { kind: 'mt5', base_url: 'https://mt5.example', login: '1000', brand_id: 'FX', window_hours: 24 },
  schedule_minutes: 60, secrets: [{ name: 'password', stored: true }], last_run: null,
  waiting: 0, unmapped_countries: 0,
};

beforeEach(() => {
  vi.resetAllMocks();
  mockApiDefaults();
  vi.mocked(api.connectionsList).mockResolvedValue([mt5]);
});

describe('settings → connections: edit and delete', () => {
  it('edits settings and schedule and keeps the stored secret when none is typed', async () => {
    vi.mocked(api.connectionsEdit).mockResolvedValue({ ...mt5, schedule_minutes: 30 });
    renderAt('/settings');
    await userEvent.click(await screen.findByTestId('connection-edit-mt5'));
    const config = await screen.findByTestId('edit-connection-config');
    expect((config as HTMLTextAreaElement).value).toContain('"base_url": "https://mt5.example"');
    expect((config as HTMLTextAreaElement).value).not.toContain('"kind"');
    expect(screen.getByTestId('edit-connection-secret-password')).toHaveValue('');
    const schedule = screen.getByTestId('edit-connection-schedule');
    await userEvent.clear(schedule);
    await userEvent.type(schedule, '30');
    await userEvent.clear(config);
    await userEvent.click(config);
    await userEvent.paste('{"base_url": "https://mt5.other", "login": "1001", "brand_id": "FX"}');
    await userEvent.click(screen.getByTestId('edit-connection-save'));
    await waitFor(() => expect(api.connectionsEdit).toHaveBeenCalled());
    const input = vi.mocked(api.connectionsEdit).mock.calls[0]![0];
    expect(input.name).toBe('mt5');
    expect(input.config).toEqual({ base_url: 'https://mt5.other', login: '1001', brand_id: 'FX', kind: 'mt5' });
    expect(input.schedule_minutes).toBe(30);
    expect(input.secrets).toEqual({});
    await waitFor(() => expect(screen.queryByTestId('edit-connection-config')).not.toBeInTheDocument());
  });

  it('sends a new secret only when one is typed, and shows a refusal', async () => {
    vi.mocked(api.connectionsEdit).mockRejectedValue({ code: 'invalid', field: 'config', message: 'ftp://x is not an HTTP(S) URL' });
    renderAt('/settings');
    await userEvent.click(await screen.findByTestId('connection-edit-mt5'));
    await userEvent.type(await screen.findByTestId('edit-connection-secret-password'), 'n3w-pass');
    await userEvent.click(screen.getByTestId('edit-connection-save'));
    await waitFor(() => expect(api.connectionsEdit).toHaveBeenCalled());
    expect(vi.mocked(api.connectionsEdit).mock.calls[0]![0].secrets).toEqual({ password: 'n3w-pass' });
    expect(await screen.findByTestId('edit-connection-error')).toHaveTextContent('not an HTTP(S) URL');
  });

  it('does not save settings that are not JSON', async () => {
    renderAt('/settings');
    await userEvent.click(await screen.findByTestId('connection-edit-mt5'));
    const config = await screen.findByTestId('edit-connection-config');
    await userEvent.clear(config);
    await userEvent.click(config);
    await userEvent.paste('{not json');
    expect(screen.getByText('not a JSON object')).toBeInTheDocument();
    expect(screen.getByTestId('edit-connection-save')).toBeDisabled();
  });

  it('deletes only after a confirmation that says the synced data stays', async () => {
    vi.mocked(api.connectionsDelete).mockResolvedValue(null);
    renderAt('/settings');
    await userEvent.click(await screen.findByTestId('connection-delete-mt5'));
    const dialog = await screen.findByTestId('delete-connection-dialog');
    expect(dialog).toHaveTextContent('removes its secrets from the OS keyring');
    expect(dialog).toHaveTextContent('already synced stay in Partnerdesk');
    expect(api.connectionsDelete).not.toHaveBeenCalled();
    await userEvent.click(within(dialog).getByTestId('delete-connection-cancel'));
    await waitFor(() => expect(screen.queryByTestId('delete-connection-dialog')).not.toBeInTheDocument());
    expect(api.connectionsDelete).not.toHaveBeenCalled();

    vi.mocked(api.connectionsList).mockResolvedValue([]);
    await userEvent.click(screen.getByTestId('connection-delete-mt5'));
    await userEvent.click(await screen.findByTestId('delete-connection-confirm'));
    await waitFor(() => expect(api.connectionsDelete).toHaveBeenCalledWith('mt5'));
    expect(await screen.findByTestId('connection-empty')).toBeInTheDocument();
  });

  it('hides edit and delete from someone who may not manage connections', async () => {
    renderAs(session('pia', ['partner_manager']), '/settings');
    expect(await screen.findByTestId('connection-run-mt5')).toBeInTheDocument();
    expect(screen.queryByTestId('connection-edit-mt5')).not.toBeInTheDocument();
    expect(screen.queryByTestId('connection-delete-mt5')).not.toBeInTheDocument();
  });
});
