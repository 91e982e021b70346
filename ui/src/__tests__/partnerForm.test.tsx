import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import * as api from '../api';
import { mockApiDefaults } from '../test/apiMock';
import { detail, partner } from '../test/fixtures';
import { renderAt } from '../test/render';

vi.mock('../api');

beforeEach(() => {
  vi.resetAllMocks();
  mockApiDefaults();
});

describe('partner form', () => {
  it('shows the server validation message under the field it names', async () => {
    vi.mocked(api.partnersCreate).mockRejectedValue({ code: 'invalid', field: 'email', message: "email: 'nope' is not an e-mail address" });
    renderAt('/new-partner');
    await userEvent.type(screen.getByTestId('pf-partner-id'), 'P-9');
    await userEvent.type(screen.getByTestId('pf-name'), 'Nine');
    await userEvent.type(screen.getByTestId('pf-email'), 'nope');
    await userEvent.click(screen.getByTestId('pf-save'));
    expect(await screen.findByTestId('pf-error-email')).toHaveTextContent("email: 'nope' is not an e-mail address");
    expect(screen.queryByTestId('pf-error-name')).not.toBeInTheDocument();
    expect(screen.queryByTestId('pf-error')).not.toBeInTheDocument();
  });

  it('sends the typed partner with empty optional fields as null', async () => {
    vi.mocked(api.partnersCreate).mockResolvedValue(partner('P-9', { name: 'Nine' }));
    vi.mocked(api.partnersGet).mockResolvedValue(detail(partner('P-9', { name: 'Nine' })));
    renderAt('/new-partner?parent=ROOT');
    await userEvent.type(screen.getByTestId('pf-partner-id'), 'P-9');
    await userEvent.type(screen.getByTestId('pf-name'), 'Nine');
    await userEvent.selectOptions(screen.getByTestId('pf-kind'), 'ib');
    await userEvent.type(screen.getByTestId('pf-country'), 'de');
    await userEvent.click(screen.getByTestId('pf-save'));
    await waitFor(() =>
      expect(api.partnersCreate).toHaveBeenCalledWith(
        expect.objectContaining({ partner_id: 'P-9', name: 'Nine', kind: 'ib', parent_id: 'ROOT', country: 'DE', currency: 'EUR', email: null, phone: null }),
      ),
    );
    // After saving, the new partner's page opens.
    expect(await screen.findByTestId('partner-title')).toHaveTextContent('Nine');
  });

  it('shows an error that names no field of the form above the buttons', async () => {
    vi.mocked(api.partnersCreate).mockRejectedValue({ code: 'no_database', field: null, message: 'no database is open' });
    renderAt('/new-partner');
    await userEvent.click(screen.getByTestId('pf-save'));
    expect(await screen.findByTestId('pf-error')).toHaveTextContent('no database is open');
  });

  it('edits an existing partner without letting its id change', async () => {
    vi.mocked(api.partnersGet).mockResolvedValue(detail(partner('P-1', { email: 'a@b.c' })));
    vi.mocked(api.partnersEdit).mockRejectedValue({ code: 'invalid', field: 'parent_id', message: "'P-2' is below 'P-1' in the tree" });
    renderAt('/partners/P-1/edit');
    expect(await screen.findByTestId('pf-partner-id')).toBeDisabled();
    expect(screen.getByTestId('pf-email')).toHaveValue('a@b.c');
    await userEvent.type(screen.getByTestId('pf-parent'), 'P-2');
    await userEvent.click(screen.getByTestId('pf-save'));
    expect(await screen.findByTestId('pf-error-parent_id')).toHaveTextContent('is below');
    expect(api.partnersEdit).toHaveBeenCalledWith('P-1', expect.objectContaining({ parent_id: 'P-2', email: 'a@b.c' }));
  });

  it('says who changed the partner since the form was opened, and reloads it', async () => {
    const opened = { ...detail(partner('P-1', { email: 'old@b.c' })), row_version: 3 };
    const now = { ...detail(partner('P-1', { email: 'new@b.c' })), row_version: 4 };
    vi.mocked(api.partnersGet).mockResolvedValueOnce(opened).mockResolvedValue(now);
    vi.mocked(api.partnersEdit)
      .mockRejectedValueOnce({
        code: 'stale', field: null,
        message: 'this partner was changed by bob at 2026-12-10 14:03 UTC since you opened it; reload',
      })
      .mockResolvedValue(partner('P-1', { email: 'new@b.c' }));
    renderAt('/partners/P-1/edit');
    expect(await screen.findByTestId('pf-email')).toHaveValue('old@b.c');
    await userEvent.type(screen.getByTestId('pf-phone'), '+49 30 1');
    await userEvent.click(screen.getByTestId('pf-save'));
    // The edit was made from version 3; the core refused it as stale.
    expect(api.partnersEdit).toHaveBeenCalledWith('P-1', expect.objectContaining({ row_version: 3, email: 'old@b.c' }));
    expect(await screen.findByTestId('pf-stale-message')).toHaveTextContent(
      'this partner was changed by bob at 2026-12-10 14:03 UTC since you opened it; reload',
    );
    expect(screen.queryByTestId('pf-error')).not.toBeInTheDocument();
    // Reload: the form shows the partner as it is now, at its new version.
    await userEvent.click(screen.getByTestId('pf-reload'));
    await waitFor(() => expect(screen.getByTestId('pf-email')).toHaveValue('new@b.c'));
    expect(screen.queryByTestId('pf-stale')).not.toBeInTheDocument();
    expect(screen.getByTestId('pf-phone')).toHaveValue('');
    await userEvent.type(screen.getByTestId('pf-phone'), '+49 30 1');
    await userEvent.click(screen.getByTestId('pf-save'));
    await waitFor(() =>
      expect(api.partnersEdit).toHaveBeenLastCalledWith('P-1', expect.objectContaining({ row_version: 4, email: 'new@b.c', phone: '+49 30 1' })),
    );
  });
});
