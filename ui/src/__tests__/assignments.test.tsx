import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import * as api from '../api';
import { firstDayOf, lastDayOf } from '../periods';
import { mockApiDefaults } from '../test/apiMock';
import { approval, detail, partner, plan } from '../test/fixtures';
import { renderAt } from '../test/render';

vi.mock('../api');

beforeEach(() => {
  vi.resetAllMocks();
  mockApiDefaults();
  vi.mocked(api.partnersGet).mockResolvedValue(detail(partner('P-1')));
  vi.mocked(api.brandsList).mockResolvedValue([
    { brand_id: 'b1', name: 'Lucky', vertical: 'igaming', currency: 'EUR' },
    { brand_id: 'fx1', name: 'FX One', vertical: 'forex', currency: 'USD' },
  ]);
  vi.mocked(api.plansList).mockResolvedValue([plan('casino', { name: 'Casino 2026' }), plan('ib-std', { name: 'IB standard' })]);
});

describe('months of a deal', () => {
  it('turns months into the first and the last day', () => {
    expect(firstDayOf('2026-03')).toBe('2026-03-01');
    expect(lastDayOf('2026-03')).toBe('2026-03-31');
    expect(lastDayOf('2026-04')).toBe('2026-04-30');
    expect(lastDayOf('2024-02')).toBe('2024-02-29');
    expect(lastDayOf('2026-02')).toBe('2026-02-28');
    expect(lastDayOf('2026-12')).toBe('2026-12-31');
    expect(firstDayOf('March')).toBe('March'); // left for the core to name
  });
});

describe('partner deals', () => {
  it("lists the partner's assignments", async () => {
    vi.mocked(api.assignmentsOf).mockResolvedValue([
      { partner_id: 'P-1', brand_id: 'b1', plan_id: 'casino', valid_from: '2026-01-01', valid_to: '2026-03-31' },
      { partner_id: 'P-1', brand_id: 'b1', plan_id: 'ib-std', valid_from: '2026-04-01', valid_to: null },
    ]);
    renderAt('/partners/P-1');
    const row = await screen.findByTestId('assignment-row-b1-2026-04-01');
    expect(row).toHaveTextContent('IB standard');
    expect(row).toHaveTextContent('open-ended');
    expect(within(row).getByRole('link')).toHaveAttribute('href', '/deals/ib-std');
    expect(screen.getByTestId('assignment-row-b1-2026-01-01')).toHaveTextContent('2026-03-31');
    expect(api.assignmentsOf).toHaveBeenCalledWith('P-1');
  });

  it('assigns a plan from the first day of a month to the last day of another', async () => {
    vi.mocked(api.assignmentsAdd).mockImplementation(async (a) => ({ assignment: a, applied: true, approval: null }));
    renderAt('/partners/P-1');
    await screen.findByTestId('partner-deals');
    await waitFor(() => expect(screen.getByTestId('assign-plan')).toHaveValue('casino'));
    await userEvent.selectOptions(screen.getByTestId('assign-brand'), 'fx1');
    await userEvent.selectOptions(screen.getByTestId('assign-plan'), 'ib-std');
    fireEvent.change(screen.getByTestId('assign-from'), { target: { value: '2026-03' } });
    fireEvent.change(screen.getByTestId('assign-until'), { target: { value: '2026-06' } });
    await userEvent.click(screen.getByTestId('assign-save'));
    await waitFor(() =>
      expect(api.assignmentsAdd).toHaveBeenCalledWith({
        partner_id: 'P-1', brand_id: 'fx1', plan_id: 'ib-std', valid_from: '2026-03-01', valid_to: '2026-06-30',
      }),
    );
  });

  it('says when an assignment waits for approval, with the request number', async () => {
    vi.mocked(api.assignmentsAdd).mockImplementation(async (a) => ({ assignment: a, applied: false, approval: approval(17) }));
    renderAt('/partners/P-1');
    await waitFor(() => expect(screen.getByTestId('assign-plan')).toHaveValue('casino'));
    fireEvent.change(screen.getByTestId('assign-from'), { target: { value: '2026-03' } });
    await userEvent.click(screen.getByTestId('assign-save'));
    expect(await screen.findByTestId('assign-waiting')).toHaveTextContent('waits for approval (request #17)');
  });

  it('sends an open-ended deal and shows the core error under the field it names', async () => {
    vi.mocked(api.assignmentsAdd).mockRejectedValue({
      code: 'invalid', field: 'valid_from', message: "valid_from: overlaps the assignment of plan 'casino' from 2026-01-01",
    });
    renderAt('/partners/P-1');
    await waitFor(() => expect(screen.getByTestId('assign-plan')).toHaveValue('casino'));
    fireEvent.change(screen.getByTestId('assign-from'), { target: { value: '2026-02' } });
    await userEvent.click(screen.getByTestId('assign-save'));
    expect(await screen.findByTestId('assign-error-valid_from')).toHaveTextContent('overlaps');
    expect(api.assignmentsAdd).toHaveBeenCalledWith(
      expect.objectContaining({ brand_id: 'b1', plan_id: 'casino', valid_from: '2026-02-01', valid_to: null }),
    );
    expect(screen.queryByTestId('assign-error')).not.toBeInTheDocument();
  });
});
