import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import * as api from '../api';
import { mockApiDefaults } from '../test/apiMock';
import { customer } from '../test/fixtures';
import { renderAt } from '../test/render';

vi.mock('../api');

beforeEach(() => {
  vi.resetAllMocks();
  mockApiDefaults();
});

describe('customer list', () => {
  it('renders rows with attribution and the flags that mean "earns nobody"', async () => {
    vi.mocked(api.customersSearch).mockResolvedValue({
      total: 4,
      rows: [
        customer('C-1'),
        customer('C-2', { status: 'excluded' }),
        customer('C-3', { geo_blocked: true, country: 'US' }),
        customer('C-4', { partner_id: null, tracking_code: 'nobody' }),
      ],
    });
    renderAt('/customers');
    const first = await screen.findByTestId('customer-row-C-1');
    expect(within(first).getByTestId('customer-partner')).toHaveAttribute('href', '/partners/P-1');
    expect(within(first).queryByTestId('customer-flag-excluded')).not.toBeInTheDocument();
    expect(within(screen.getByTestId('customer-row-C-2')).getByTestId('customer-flag-excluded')).toBeInTheDocument();
    expect(within(screen.getByTestId('customer-row-C-3')).getByTestId('customer-flag-geo-blocked')).toBeInTheDocument();
    expect(within(screen.getByTestId('customer-row-C-4')).getByTestId('customer-unattributed')).toHaveTextContent('unattributed');
    expect(screen.getByTestId('customer-total')).toHaveTextContent('4 customers');
    expect(api.customersSearch).toHaveBeenCalledWith(expect.objectContaining({ offset: 0, limit: 100, text: null }));
  });

  it('searches and filters on the server', async () => {
    vi.mocked(api.brandsList).mockResolvedValue([{ brand_id: 'b1', name: 'Lucky', vertical: 'igaming', currency: 'EUR' }]);
    renderAt('/customers');
    await screen.findByTestId('customer-empty');
    await userEvent.selectOptions(screen.getByTestId('customer-filter-status'), 'excluded');
    await userEvent.type(screen.getByTestId('customer-search'), 'btag');
    await waitFor(() =>
      expect(api.customersSearch).toHaveBeenLastCalledWith(expect.objectContaining({ text: 'btag', status: 'excluded', offset: 0 })),
    );
  });

  it('opens a customer with its activity, trades and purchases, refunds marked', async () => {
    vi.mocked(api.customersGet).mockResolvedValue({
      customer: customer('C-9', { partner_id: null }),
      activity: [],
      trades: [],
      purchases: [
        { order_id: 'O-1', product: '100k challenge', amount: '549.00', coupon_code: 'SAVE10', purchased_at: '2026-02-01T10:00:00Z', refunded_at: null },
        { order_id: 'O-2', product: '50k challenge', amount: '299.00', coupon_code: null, purchased_at: '2026-02-03T10:00:00Z', refunded_at: '2026-03-02T09:00:00Z' },
      ],
    });
    renderAt('/customers/C-9');
    expect(await screen.findByTestId('customer-title')).toHaveTextContent('C-9');
    expect(screen.getByTestId('customer-earns-nobody')).toHaveTextContent('earns nobody');
    // Opens on the tab that has records.
    expect(screen.getByTestId('purchase-row-O-1')).toHaveTextContent('549.00');
    expect(within(screen.getByTestId('purchase-row-O-2')).getByTestId('purchase-refunded')).toHaveTextContent('refunded');
    expect(within(screen.getByTestId('purchase-row-O-1')).queryByTestId('purchase-refunded')).not.toBeInTheDocument();
    await userEvent.click(screen.getByTestId('customer-tab-activity'));
    expect(screen.getByText('No iGaming activity.')).toBeInTheDocument();
  });
});
