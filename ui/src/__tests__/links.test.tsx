import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import * as api from '../api';
import type { PartnerLinkView } from '../bindings';
import { lastDays, shareUrl } from '../pages/partners/linkUrl';
import { mockApiDefaults } from '../test/apiMock';
import { detail, partner, session } from '../test/fixtures';
import { renderAs, renderAt } from '../test/render';

vi.mock('../api');
// The whole partner page renders behind each of these: slow on a loaded machine.
vi.setConfig({ testTimeout: 20_000 });

beforeEach(() => {
  vi.resetAllMocks();
  mockApiDefaults();
});

const p1 = partner('P1', { name: 'Partner one' });
const withCodes = {
  ...detail(p1),
  tracking_codes: [
    { brand_id: 'casino', code: 'AF1', partner_id: 'P1', kind: 'btag' },
    { brand_id: 'casino', code: 'AF2', partner_id: 'P1', kind: 'btag' },
  ],
};

function link(path: string, over: Partial<PartnerLinkView> = {}): PartnerLinkView {
  return {
    path, brand_id: 'casino', code: path, url: `https://go.example.com/${path}`, landing_url: null,
    effective_landing: 'https://casino.example/?c={click_id}', clicks: 12, unique_clicks: 9, bots: 2, prefetches: 1, ...over,
  };
}

describe('the link a partner shares', () => {
  it('carries the non-empty sub-ids and the campaign, percent-encoded, in a fixed order', () => {
    expect(shareUrl('https://go.example.com/AF1', {})).toBe('https://go.example.com/AF1');
    expect(shareUrl('https://go.example.com/AF1', { campaign: 'black friday', sub2: ' x&y ', sub1: '' }))
      .toBe('https://go.example.com/AF1?sub2=x%26y&campaign=black+friday');
  });

  it('counts clicks over the last 30 UTC days, today included', () => {
    expect(lastDays(30, new Date('2026-12-07T23:30:00Z'))).toEqual({ from: '2026-11-08', to: '2026-12-07' });
    expect(lastDays(1, new Date('2026-03-01T00:10:00Z'))).toEqual({ from: '2026-03-01', to: '2026-03-01' });
  });
});

describe("a partner's links", () => {
  it('lists each link with its clicks, and builds a link with sub-ids and its QR code', async () => {
    vi.mocked(api.partnersGet).mockResolvedValue(withCodes);
    vi.mocked(api.linksOfPartner).mockResolvedValue([link('AF1')]);
    vi.mocked(api.trackingSettingsGet).mockResolvedValue({ fallback_url: null, path_scheme: 'code', public_url: 'https://go.example.com' });
    renderAt('/partners/P1');
    expect(await screen.findByTestId('link-url-AF1', {}, { timeout: 8000 })).toHaveTextContent('https://go.example.com/AF1');
    expect(screen.getByTestId('link-clicks-AF1')).toHaveTextContent('12');
    expect(screen.getByTestId('link-unique-AF1')).toHaveTextContent('9');
    expect(screen.queryByTestId('links-no-public-url')).not.toBeInTheDocument();
    const [from, to] = vi.mocked(api.linksOfPartner).mock.calls[0]!.slice(1) as [string, string];
    expect(screen.getByTestId('links-range')).toHaveTextContent(`${from} – ${to}`);

    await userEvent.click(screen.getByTestId('link-build-AF1'));
    fireEvent.change(await screen.findByTestId('link-builder-sub1'), { target: { value: 'banner-7' } });
    fireEvent.change(screen.getByTestId('link-builder-campaign'), { target: { value: 'winter' } });
    const want = 'https://go.example.com/AF1?sub1=banner-7&campaign=winter';
    expect(screen.getByTestId('link-builder-url')).toHaveValue(want);
    expect(screen.getByTestId('link-builder-qr')).toHaveAttribute('data-value', want);
    expect(within(screen.getByTestId('link-builder-qr')).getByTitle(want)).toBeInTheDocument();
  });

  it('makes a link from a code that has none, and offers only those', async () => {
    vi.mocked(api.partnersGet).mockResolvedValue(withCodes);
    vi.mocked(api.linksOfPartner).mockResolvedValue([link('AF1')]);
    vi.mocked(api.linksCreate).mockResolvedValue({ path: 'AF2', brand_id: 'casino', code: 'AF2', partner_id: 'P1', landing_url: null });
    renderAt('/partners/P1');
    await screen.findByTestId('link-url-AF1', {}, { timeout: 8000 });
    const select = screen.getByTestId('link-code');
    const options = within(select).getAllByRole('option').map((o) => o.textContent);
    expect(options).toEqual(['AF2 (casino)']);
    await userEvent.click(screen.getByTestId('link-add'));
    await waitFor(() => expect(api.linksCreate).toHaveBeenCalledWith('casino', 'AF2', null));
  });

  it("shows the core's reason next to the field when a link is refused", async () => {
    vi.mocked(api.partnersGet).mockResolvedValue(withCodes);
    vi.mocked(api.linksCreate).mockRejectedValue({
      code: 'invalid', field: 'landing_url', message: 'landing_url: must be an absolute URL starting with https:// or http://',
    });
    renderAt('/partners/P1');
    fireEvent.change(await screen.findByTestId('link-landing'), { target: { value: 'ftp://x' } });
    await userEvent.click(screen.getByTestId('link-add'));
    expect(await screen.findByText(/must be an absolute URL/)).toBeInTheDocument();
  });

  it('says where whole links come from when the public address is not set', async () => {
    vi.mocked(api.partnersGet).mockResolvedValue(withCodes);
    vi.mocked(api.linksOfPartner).mockResolvedValue([link('AF1', { url: null, effective_landing: null })]);
    renderAt('/partners/P1');
    expect(await screen.findByTestId('links-no-public-url', {}, { timeout: 8000 })).toHaveTextContent('Settings → Tracking');
    expect(screen.getByTestId('link-url-AF1')).toHaveTextContent('/AF1');
    expect(screen.getByTestId('link-no-landing-AF1')).toHaveTextContent('fallback');
    expect(screen.queryByTestId('link-copy-AF1')).not.toBeInTheDocument();
  });

  it('says how a link is made when the partner has no tracking code', async () => {
    vi.mocked(api.partnersGet).mockResolvedValue(detail(p1));
    renderAt('/partners/P1');
    expect(await screen.findByTestId('links-empty', {}, { timeout: 8000 })).toHaveTextContent('tracking code');
  });

  it('lets a viewer read links but not make or remove them', async () => {
    vi.mocked(api.partnersGet).mockResolvedValue(withCodes);
    vi.mocked(api.linksOfPartner).mockResolvedValue([link('AF1')]);
    renderAs(session('victor', ['viewer']), '/partners/P1');
    expect(await screen.findByTestId('link-url-AF1', {}, { timeout: 8000 })).toBeInTheDocument();
    expect(screen.queryByTestId('link-remove-AF1')).not.toBeInTheDocument();
    expect(screen.queryByTestId('link-add')).not.toBeInTheDocument();
  });
});

describe('tracking settings', () => {
  it('saves the public address, fallback and scheme, and shows a refused field', async () => {
    vi.mocked(api.trackingSettingsSet).mockRejectedValueOnce({
      code: 'invalid', field: 'public_url', message: 'public_url: go.example.com must be an absolute URL starting with https:// or http://',
    });
    vi.mocked(api.trackingSettingsSet).mockImplementation(async (s) => s);
    renderAt('/settings');
    const url = await screen.findByTestId('tracking-public-url');
    fireEvent.change(url, { target: { value: 'go.example.com' } });
    await userEvent.click(screen.getByTestId('tracking-save'));
    expect(await screen.findByText(/must be an absolute URL/)).toBeInTheDocument();
    fireEvent.change(url, { target: { value: 'https://go.example.com' } });
    await userEvent.selectOptions(screen.getByTestId('tracking-scheme'), 'brand/code');
    await userEvent.click(screen.getByTestId('tracking-save'));
    await waitFor(() => expect(api.trackingSettingsSet).toHaveBeenLastCalledWith({
      fallback_url: null, path_scheme: 'brand/code', public_url: 'https://go.example.com',
    }));
  });

  it("edits a brand's landing template", async () => {
    vi.mocked(api.brandsList).mockResolvedValue([{ brand_id: 'casino', name: 'Casino', vertical: 'igaming', currency: 'EUR' }]);
    vi.mocked(api.trackingLandingGet).mockResolvedValue('https://casino.example/?c={click_id}');
    vi.mocked(api.trackingLandingSet).mockResolvedValue(null);
    renderAt('/settings');
    const input = await screen.findByTestId('landing-casino');
    await waitFor(() => expect(input).toHaveValue('https://casino.example/?c={click_id}'));
    fireEvent.change(input, { target: { value: 'https://casino.example/?b={code}' } });
    await userEvent.click(screen.getByTestId('landing-save-casino'));
    await waitFor(() => expect(api.trackingLandingSet).toHaveBeenCalledWith('casino', 'https://casino.example/?b={code}'));
  });

  it('is read-only for a viewer', async () => {
    renderAs(session('victor', ['viewer']), '/settings');
    expect(await screen.findByTestId('tracking-public-url')).toBeDisabled();
    expect(screen.queryByTestId('tracking-save')).not.toBeInTheDocument();
  });
});
