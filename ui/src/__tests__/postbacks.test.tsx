import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import * as api from '../api';
import type { FraudFlagView, OutboxView } from '../bindings';
import { mockApiDefaults } from '../test/apiMock';
import { detail, partner, session } from '../test/fixtures';
import { renderAs, renderAt } from '../test/render';

vi.mock('../api');
// The whole partner page and settings render behind these: slow on a loaded machine.
vi.setConfig({ testTimeout: 20_000 });

beforeEach(() => {
  vi.resetAllMocks();
  mockApiDefaults();
});

const clara = session('clara', ['compliance']);
const victor = session('victor', ['viewer']);
const mark = session('mark', ['partner_manager']);

function flag(id: number, over: Partial<FraudFlagView> = {}): FraudFlagView {
  return {
    id, kind: 'self_referral', partner_id: 'P1', brand_id: 'casino', subject: `C${id}`,
    reason: `customer 'C${id}' has the e-mail of its partner 'P1'`, state: 'open', created_at: '2026-12-07T10:00:00Z',
    reviewed_by: null, reviewed_at: null, note: null, ...over,
  };
}

describe('compliance → fraud flags', () => {
  it('lists open flags with kind, partner, customer, reason and state, and filters on the server', async () => {
    vi.mocked(api.fraudFlagsPage).mockImplementation(async (q) =>
      q.kind === 'click_flood'
        ? { total: 1, rows: [flag(3, { kind: 'click_flood', subject: 'ab12cd', reason: '40 human clicks in an hour' })] }
        : { total: 2, rows: [flag(2), flag(1, { kind: 'no_click' })] },
    );
    renderAs(clara, '/compliance?tab=flags');
    const row = await screen.findByTestId('flag-row-2', {}, { timeout: 8000 });
    expect(row).toHaveTextContent('Self-referral');
    expect(row).toHaveTextContent('P1');
    expect(row).toHaveTextContent('C2');
    expect(row).toHaveTextContent("has the e-mail of its partner");
    expect(row).toHaveTextContent('open');
    expect(screen.getByTestId('flag-row-1')).toHaveTextContent('No click');
    expect(screen.getByTestId('flags-total')).toHaveTextContent('2 flags');
    expect(api.fraudFlagsPage).toHaveBeenCalledWith({ state: 'open', kind: null, offset: 0, limit: 100 });
    fireEvent.change(screen.getByTestId('flags-filter-kind'), { target: { value: 'click_flood' } });
    expect(await screen.findByTestId('flag-row-3')).toHaveTextContent('40 human clicks');
    expect(api.fraudFlagsPage).toHaveBeenLastCalledWith({ state: 'open', kind: 'click_flood', offset: 0, limit: 100 });
    fireEvent.change(screen.getByTestId('flags-filter-state'), { target: { value: '' } });
    await waitFor(() => expect(api.fraudFlagsPage).toHaveBeenLastCalledWith({ state: null, kind: 'click_flood', offset: 0, limit: 100 }));
  });

  it('lets compliance confirm or dismiss an open flag with a note', async () => {
    vi.mocked(api.fraudFlagsPage).mockResolvedValue({ total: 1, rows: [flag(4)] });
    vi.mocked(api.fraudFlagReview).mockImplementation(async (id, confirm, note) =>
      flag(id, { state: confirm ? 'confirmed' : 'dismissed', reviewed_by: 'clara', reviewed_at: '2026-12-07T11:00:00Z', note }));
    renderAs(clara, '/compliance?tab=flags');
    await userEvent.click(await screen.findByTestId('flag-row-4', {}, { timeout: 8000 }));
    const panel = await screen.findByTestId('flag-detail');
    await userEvent.type(within(panel).getByTestId('flag-note'), '  their own card  ');
    await userEvent.click(within(panel).getByTestId('flag-dismiss'));
    await waitFor(() => expect(api.fraudFlagReview).toHaveBeenCalledWith(4, false, 'their own card'));
    expect(await screen.findByTestId('flag-detail-review')).toHaveTextContent('dismissed by clara');
    expect(screen.queryByTestId('flag-confirm')).not.toBeInTheDocument();
  });

  it("shows the core's refusal of a review", async () => {
    vi.mocked(api.fraudFlagsPage).mockResolvedValue({ total: 1, rows: [flag(5)] });
    vi.mocked(api.fraudFlagReview).mockRejectedValue({ code: 'refused', field: null, message: 'flag 5 was reviewed already (dismissed)' });
    renderAs(clara, '/compliance?tab=flags');
    await userEvent.click(await screen.findByTestId('flag-row-5', {}, { timeout: 8000 }));
    await userEvent.click(await screen.findByTestId('flag-confirm'));
    expect(await screen.findByTestId('flag-review-error')).toHaveTextContent('reviewed already');
  });

  it('lets a viewer read flags but not review them', async () => {
    vi.mocked(api.fraudFlagsPage).mockResolvedValue({ total: 1, rows: [flag(6)] });
    renderAs(victor, '/compliance?tab=flags');
    await userEvent.click(await screen.findByTestId('flag-row-6', {}, { timeout: 8000 }));
    expect(await screen.findByTestId('flag-review-not-allowed')).toBeInTheDocument();
    expect(screen.queryByTestId('flag-confirm')).not.toBeInTheDocument();
  });

  it('says when nothing waits for review', async () => {
    renderAs(clara, '/compliance?tab=flags');
    expect(await screen.findByTestId('flags-empty', {}, { timeout: 8000 })).toHaveTextContent('nothing waits for review');
  });

  it('shows an error state when the flags cannot be loaded', async () => {
    vi.mocked(api.fraudFlagsPage).mockRejectedValue({ code: 'database_unavailable', field: null, message: 'the database is locked' });
    renderAs(clara, '/compliance?tab=flags');
    expect(await screen.findByTestId('error-state', {}, { timeout: 8000 })).toBeInTheDocument();
  });
});

function outbox(id: number, over: Partial<OutboxView> = {}): OutboxView {
  return {
    id, partner_id: 'P1', event: 'ftd', url: 'https://t.example/f', state: 'sent', attempts: 1,
    next_at: '2026-12-07T10:00:00Z', last_error: null, created_at: '2026-12-07T09:59:00Z', ...over,
  };
}

describe("a partner's postbacks", () => {
  const p1 = detail(partner('P1', { name: 'Partner one' }));

  it('lists URLs per event, saves one, and sends a test', async () => {
    vi.mocked(api.partnersGet).mockResolvedValue(p1);
    vi.mocked(api.partnerPostbacksGet).mockResolvedValue([
      { partner_id: 'P1', event: 'ftd', url: 'https://t.example/f?c={customer_id}&a={amount}', send_amount: true },
    ]);
    vi.mocked(api.partnerPostbackSet).mockImplementation(async (partnerId, event, url, sendAmount) => ({ partner_id: partnerId, event, url, send_amount: sendAmount }));
    vi.mocked(api.partnerPostbackTest).mockResolvedValue({ url: 'https://t.example/f?c=partnerdesk-test&a=10.00', status_code: 200, error: null });
    renderAt('/partners/P1');
    const ftd = await screen.findByTestId('postback-url-ftd', {}, { timeout: 8000 });
    expect(ftd).toHaveValue('https://t.example/f?c={customer_id}&a={amount}');
    expect(screen.getByTestId('postback-amounts-ftd')).toBeChecked();
    expect(screen.getByTestId('postback-url-registration')).toHaveValue('');
    expect(screen.queryByTestId('postback-test-registration')).not.toBeInTheDocument();
    expect(screen.getByTestId('partner-postbacks')).toHaveTextContent('{click_id}');

    fireEvent.change(screen.getByTestId('postback-url-registration'), { target: { value: 'https://t.example/r?cid={click_id}' } });
    await userEvent.click(screen.getByTestId('postback-save-registration'));
    await waitFor(() => expect(api.partnerPostbackSet).toHaveBeenCalledWith('P1', 'registration', 'https://t.example/r?cid={click_id}', false));

    await userEvent.click(screen.getByTestId('postback-test-ftd'));
    expect(await screen.findByTestId('postback-test-result')).toHaveTextContent('Answered 200');
    expect(api.partnerPostbackTest).toHaveBeenCalledWith('P1', 'ftd');
  });

  it("shows the core's reason next to a refused URL", async () => {
    vi.mocked(api.partnersGet).mockResolvedValue(p1);
    vi.mocked(api.partnerPostbackSet).mockRejectedValue({ code: 'invalid', field: 'url', message: 'url: {landing} is not a macro' });
    renderAt('/partners/P1');
    fireEvent.change(await screen.findByTestId('postback-url-ftd', {}, { timeout: 8000 }), { target: { value: 'https://t.example/?x={landing}' } });
    await userEvent.click(screen.getByTestId('postback-save-ftd'));
    expect(await screen.findByText(/is not a macro/)).toBeInTheDocument();
  });

  it('lets a manager edit URLs but only an admin allow amounts; a viewer reads', async () => {
    vi.mocked(api.partnersGet).mockResolvedValue(p1);
    vi.mocked(api.partnerPostbacksGet).mockResolvedValue([{ partner_id: 'P1', event: 'ftd', url: 'https://t.example/f', send_amount: false }]);
    const { unmount } = renderAs(mark, '/partners/P1');
    expect(await screen.findByTestId('postback-url-ftd', {}, { timeout: 8000 })).toBeEnabled();
    expect(screen.getByTestId('postback-amounts-ftd')).toBeDisabled();
    unmount();
    renderAs(victor, '/partners/P1');
    expect(await screen.findByTestId('postback-url-ftd', {}, { timeout: 8000 })).toBeDisabled();
    expect(screen.queryByTestId('postback-save-ftd')).not.toBeInTheDocument();
    expect(screen.queryByTestId('postback-test-ftd')).not.toBeInTheDocument();
  });

  it('shows the postback log page by page, with state, attempts and the last error', async () => {
    vi.mocked(api.partnersGet).mockResolvedValue(p1);
    const first = Array.from({ length: 100 }, (_, i) => outbox(200 - i));
    first[0] = outbox(200, { state: 'pending', attempts: 2, last_error: "the partner's tracker answered 500" });
    vi.mocked(api.partnerPostbacksLog).mockImplementation(async (_, offset) =>
      offset === 0 ? { total: 101, rows: first } : { total: 101, rows: [outbox(1, { state: 'failed', attempts: 5 })] });
    renderAt('/partners/P1');
    const row = await screen.findByTestId('postback-log-row-200', {}, { timeout: 8000 });
    expect(row).toHaveTextContent('pending');
    expect(row).toHaveTextContent('2');
    expect(row).toHaveTextContent('answered 500');
    expect(screen.getByTestId('postback-log-count')).toHaveTextContent('100 of 101');
    await userEvent.click(screen.getByTestId('postback-log-more'));
    expect(await screen.findByTestId('postback-log-state-1')).toHaveTextContent('failed');
    expect(api.partnerPostbacksLog).toHaveBeenLastCalledWith('P1', 100, 100);
    expect(screen.queryByTestId('postback-log-more')).not.toBeInTheDocument();
  });

  it('says when there are no URLs and no postbacks yet', async () => {
    vi.mocked(api.partnersGet).mockResolvedValue(p1);
    renderAt('/partners/P1');
    expect(await screen.findByTestId('postbacks-none', {}, { timeout: 8000 })).toBeInTheDocument();
    expect(await screen.findByTestId('postback-log-empty')).toBeInTheDocument();
  });
});

describe('settings → tracking → postbacks in', () => {
  const casino = { brand_id: 'casino', name: 'Casino', vertical: 'igaming', currency: 'EUR' };

  it('shows and saves a brand\'s authentication and window, and shows a new secret once', async () => {
    vi.mocked(api.brandsList).mockResolvedValue([casino]);
    vi.mocked(api.postbackSettingsSet).mockImplementation(async (brand, auth, windowSecs) => ({ brand_id: brand, auth, window_secs: windowSecs, secret_set: false }));
    vi.mocked(api.postbackSecretRotate).mockResolvedValue('ab'.repeat(32));
    renderAt('/settings');
    const auth = await screen.findByTestId('postbacks-in-casino-auth', {}, { timeout: 8000 });
    expect(auth).toHaveValue('hmac');
    expect(screen.getByTestId('postbacks-in-casino-window')).toHaveValue('300');
    expect(screen.getByTestId('postbacks-in-casino-secret-state')).toHaveTextContent('No secret');
    fireEvent.change(auth, { target: { value: 'token' } });
    await userEvent.click(screen.getByTestId('postbacks-in-casino-save'));
    await waitFor(() => expect(api.postbackSettingsSet).toHaveBeenCalledWith('casino', 'token', 300));

    await userEvent.click(screen.getByTestId('postbacks-in-casino-rotate'));
    expect(await screen.findByTestId('postbacks-in-casino-secret-value')).toHaveTextContent('ab'.repeat(32));
    expect(screen.getByTestId('postbacks-in-casino-secret')).toHaveTextContent('never shown again');
    await userEvent.click(screen.getByTestId('postbacks-in-casino-secret-hide'));
    expect(screen.queryByTestId('postbacks-in-casino-secret-value')).not.toBeInTheDocument();
  });

  it("shows the keyring's refusal when the secret cannot be kept", async () => {
    vi.mocked(api.brandsList).mockResolvedValue([casino]);
    vi.mocked(api.postbackSecretRotate).mockRejectedValue({ code: 'refused', field: null, message: 'the OS keyring refused to store the password: locked' });
    renderAt('/settings');
    await userEvent.click(await screen.findByTestId('postbacks-in-casino-rotate', {}, { timeout: 8000 }));
    expect(await screen.findByTestId('postbacks-in-casino-rotate-error')).toHaveTextContent('keyring refused');
  });

  it('lets others read the settings but not change them', async () => {
    vi.mocked(api.brandsList).mockResolvedValue([casino]);
    vi.mocked(api.postbackSettingsGet).mockResolvedValue({ brand_id: 'casino', auth: 'token', window_secs: 600, secret_set: true });
    renderAs(mark, '/settings');
    expect(await screen.findByTestId('postbacks-in-casino-secret-state', {}, { timeout: 8000 })).toHaveTextContent('Secret set');
    expect(screen.getByTestId('postbacks-in-casino-auth')).toBeDisabled();
    expect(screen.queryByTestId('postbacks-in-casino-rotate')).not.toBeInTheDocument();
  });
});
