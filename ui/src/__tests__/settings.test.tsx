import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import * as api from '../api';
import { mockApiDefaults } from '../test/apiMock';
import { appInfo } from '../test/fixtures';
import { renderAt } from '../test/render';

vi.mock('../api');

beforeEach(() => {
  vi.resetAllMocks();
  mockApiDefaults();
});

describe('settings', () => {
  it('shows the database in use', async () => {
    renderAt('/settings');
    expect(await screen.findByTestId('db-backend')).toHaveTextContent('sqlite');
    expect(screen.getByTestId('db-location')).toHaveTextContent('partnerdesk.db');
    expect(screen.queryByTestId('db-error')).not.toBeInTheDocument();
  });

  it('shows prominently why the database is not open', async () => {
    vi.mocked(api.appInfo).mockResolvedValue({
      ...appInfo,
      database: { backend: 'postgres', location: 'postgres://anna@db.example:5432/pd', ok: false, error: 'connection refused' },
    });
    renderAt('/settings');
    expect(await screen.findByTestId('db-error')).toHaveTextContent('connection refused');
    expect(screen.getByTestId('db-backend')).toHaveTextContent('postgres');
  });

  it('switches back to the embedded database', async () => {
    vi.mocked(api.settingsSetDatabase).mockResolvedValue(appInfo.database);
    renderAt('/settings');
    await userEvent.click(await screen.findByTestId('db-use-default'));
    await waitFor(() => expect(api.settingsSetDatabase).toHaveBeenCalledWith('default'));
  });

  it('lists brands and creates one from the form', async () => {
    vi.mocked(api.brandsList).mockResolvedValue([{ brand_id: 'b1', name: 'Lucky', vertical: 'igaming', currency: 'EUR' }]);
    vi.mocked(api.brandsCreate).mockRejectedValue({ code: 'invalid', field: 'brand_id', message: "brand 'b1' already exists" });
    renderAt('/settings');
    expect(await screen.findByTestId('brand-row-b1')).toHaveTextContent('Lucky');
    await userEvent.type(screen.getByTestId('brand-id'), 'b1');
    await userEvent.type(screen.getByTestId('brand-name'), 'Again');
    await userEvent.selectOptions(screen.getByTestId('brand-vertical'), 'forex');
    await userEvent.click(screen.getByTestId('brand-save'));
    expect(await screen.findByTestId('brand-error-brand_id')).toHaveTextContent('already exists');
    expect(api.brandsCreate).toHaveBeenCalledWith({ brand_id: 'b1', name: 'Again', vertical: 'forex', currency: 'EUR' });
  });
});
