import { act, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import * as api from '../api';
import type { ProgressEvent, RunOutcome } from '../bindings';
import { barWidth } from '../pages/commissions/TotalsChart';
import { mockApiDefaults } from '../test/apiMock';
import { approval, line, period } from '../test/fixtures';
import { renderAt } from '../test/render';

vi.mock('../api');

beforeEach(() => {
  vi.resetAllMocks();
  mockApiDefaults();
});

const explanation = {
  basis: { ggr: '1200', ngr: '1000', ftds: 3 },
  carry_in: '-200',
  effective: '800',
  carry_out: '0',
  negative_carryover: true,
  rate: { tier_mode: 'flat', tier_metric: 'ftds', metric: '3', tier_from: '0', rate: '0.25' },
  amount_in_brand_currency: '200',
  fx: { from: 'EUR', to: 'USD', rate: '1.1', pair: 'EUR/USD', date: '2026-03-31' },
};

function withComputedMarch() {
  vi.mocked(api.periodsList).mockResolvedValue([period('2026-03'), period('2026-02', { state: 'closed', closed_by: 'anna', closed_at: '2026-03-05' })]);
  vi.mocked(api.commissionsTotals).mockResolvedValue([
    { brand_id: 'b1', kind: 'revshare', currency: 'EUR', amount: '1500.00', lines: 2 },
    { brand_id: 'b1', kind: 'cpa', currency: 'EUR', amount: '-300.00', lines: 1 },
  ]);
  vi.mocked(api.commissionsLines).mockResolvedValue({
    total: 2,
    rows: [line('P-1', 'b1', 'revshare', { amount: '220.00', currency: 'USD', amount_brand: '200', fx_rate: '1.1' }), line('P-2', 'b1', 'cpa')],
  });
}

describe('commissions page', () => {
  it('says how to get commissions when no period has been computed', async () => {
    renderAt('/commissions');
    expect(await screen.findByTestId('commissions-empty')).toHaveTextContent('No commissions yet — import data with partnerdesk import DIR and run a period');
    expect(screen.getByTestId('commissions-run')).toBeDisabled();
    expect(screen.getByTestId('commissions-close')).toBeDisabled();
  });

  it('shows the newest period with its totals (table and bars) and its lines', async () => {
    withComputedMarch();
    renderAt('/commissions');
    const table = await screen.findByTestId('totals-table');
    expect(within(table).getByTestId('total-row-b1-revshare-EUR')).toHaveTextContent('1,500.00');
    expect(screen.getByTestId('totals-bar-b1-cpa')).toHaveTextContent('-300.00 EUR');
    expect(await screen.findByTestId('line-row-P-1-b1-revshare')).toHaveTextContent('220.00 USD');
    expect(screen.getByTestId('period-state')).toHaveTextContent('computed');
    expect(screen.getByTestId('period-input')).toHaveValue('2026-03');
    expect(api.commissionsTotals).toHaveBeenCalledWith('2026-03');
    expect(api.commissionsLines).toHaveBeenCalledWith(expect.objectContaining({ period: '2026-03', offset: 0, limit: 100, by_amount: false }));
  });

  it('filters and sorts lines on the server', async () => {
    withComputedMarch();
    renderAt('/commissions');
    await screen.findByTestId('line-row-P-1-b1-revshare');
    await userEvent.selectOptions(screen.getByTestId('line-filter-kind'), 'cpa');
    await userEvent.selectOptions(screen.getByTestId('line-sort'), 'amount');
    await waitFor(() =>
      expect(api.commissionsLines).toHaveBeenLastCalledWith(expect.objectContaining({ kind: 'cpa', by_amount: true, offset: 0 })),
    );
  });

  it('opens a line in a drawer with its key facts, raw explanation and customers', async () => {
    withComputedMarch();
    vi.mocked(api.commissionsLineDetail).mockResolvedValue({
      line: line('P-1', 'b1', 'revshare', { amount: '220.00', currency: 'USD', amount_brand: '200', fx_rate: '1.1' }),
      explanation: JSON.stringify(explanation, null, 2),
      customers: ['C-1', 'C-2'],
    });
    renderAt('/commissions');
    await userEvent.click(await screen.findByTestId('line-row-P-1-b1-revshare'));
    const drawer = await screen.findByTestId('line-detail');
    expect(api.commissionsLineDetail).toHaveBeenCalledWith('2026-03', 'P-1', 'b1', 'revshare');
    expect(await within(drawer).findByTestId('line-rate')).toHaveTextContent('25%');
    expect(within(drawer).getByTestId('line-fx')).toHaveTextContent('1 EUR = 1.1 USD · pair EUR/USD · rate of 2026-03-31');
    expect(within(drawer).getByTestId('line-carry-in')).toHaveTextContent('-200 EUR');
    expect(within(drawer).getByTestId('line-basis')).toHaveTextContent('1000');
    expect(within(drawer).getByTestId('line-customer-C-2')).toHaveAttribute('href', '/customers/C-2');
    await userEvent.click(within(drawer).getByTestId('line-explanation-toggle'));
    expect(within(drawer).getByTestId('line-explanation-json')).toHaveTextContent('"carry_in": "-200"');
  });

  it('shows a progress bar from the progress events while a run works, then what it did', async () => {
    let emit: (e: ProgressEvent) => void = () => {};
    vi.mocked(api.onProgress).mockImplementation(async (handler) => {
      emit = handler;
      return () => {};
    });
    let finish: (r: RunOutcome) => void = () => {};
    vi.mocked(api.commissionsRun).mockImplementation(() => new Promise((resolve) => (finish = resolve)));
    renderAt('/commissions');
    await screen.findByTestId('commissions-empty');
    await userEvent.type(screen.getByTestId('period-input'), '2026-03');
    await userEvent.click(screen.getByTestId('commissions-run'));
    expect(api.commissionsRun).toHaveBeenCalledWith('2026-03');
    expect(await screen.findByTestId('run-progress')).toHaveTextContent('Starting the run');
    act(() => emit({ task: 'commissions', done: 1, total: 3, message: 'computing 2026-02' }));
    expect(screen.getByTestId('run-progress')).toHaveTextContent('computing 2026-02 (1 of 3 periods)');
    act(() => emit({ task: 'import', done: 9, total: 10, message: 'not ours' }));
    expect(screen.getByTestId('run-progress')).toHaveTextContent('computing 2026-02');

    withComputedMarch();
    await act(async () => finish({ up_to_date: false, periods: ['2026-01', '2026-02', '2026-03'], changed: ['2026-03'], adjustments: 2, pending_adjustments: 0 }));
    expect(await screen.findByTestId('run-result')).toHaveTextContent('3 periods computed (2026-01 to 2026-03); lines changed in 2026-03; 2 adjustments booked');
    expect(screen.queryByTestId('run-progress')).not.toBeInTheDocument();
    expect(await screen.findByTestId('totals-table')).toBeInTheDocument();
  });

  it('says when a run found everything up to date', async () => {
    withComputedMarch();
    vi.mocked(api.commissionsRun).mockResolvedValue({ up_to_date: true, periods: [], changed: [], adjustments: 0, pending_adjustments: 0 });
    renderAt('/commissions');
    await userEvent.click(await screen.findByTestId('commissions-run'));
    expect(await screen.findByTestId('run-result')).toHaveTextContent('Up to date');
  });

  it('says when closing a period waits for approval', async () => {
    withComputedMarch();
    vi.mocked(api.commissionsClose).mockResolvedValue({ state: 'awaiting_approval', approval: approval(4, { kind: 'period.close' }), message: 'waits' });
    renderAt('/commissions?period=2026-03');
    await waitFor(() => expect(screen.getByTestId('commissions-close')).toBeEnabled());
    await userEvent.click(screen.getByTestId('commissions-close'));
    await userEvent.click(await screen.findByTestId('period-close-confirm'));
    expect(await screen.findByTestId('run-result')).toHaveTextContent('Closing 2026-03 waits for approval (request #4)');
  });

  it('closes a period after confirming, and not a closed one', async () => {
    withComputedMarch();
    vi.mocked(api.commissionsClose).mockResolvedValue({ state: 'done', approval: null, message: 'Period 2026-03 closed' });
    renderAt('/commissions?period=2026-02');
    expect(await screen.findByTestId('period-state')).toHaveTextContent('closed');
    expect(screen.getByTestId('commissions-close')).toBeDisabled();
    await userEvent.selectOptions(screen.getByTestId('period-select'), '2026-03');
    await waitFor(() => expect(screen.getByTestId('commissions-close')).toBeEnabled());
    await userEvent.click(screen.getByTestId('commissions-close'));
    expect(api.commissionsClose).not.toHaveBeenCalled();
    await userEvent.click(await screen.findByTestId('period-close-confirm'));
    await waitFor(() => expect(api.commissionsClose).toHaveBeenCalledWith('2026-03'));
  });

  it('flags a period whose data changed since it was computed', async () => {
    withComputedMarch();
    vi.mocked(api.periodsList).mockResolvedValue([period('2026-03', { up_to_date: false })]);
    renderAt('/commissions');
    expect(await screen.findByTestId('period-stale')).toHaveTextContent('out of date — run again');
  });

  it('exports the CSV and says where it was written', async () => {
    withComputedMarch();
    vi.mocked(api.commissionsExportFile).mockResolvedValue('/home/anna/Downloads/commissions-2026-03.csv');
    renderAt('/commissions');
    await userEvent.click(await screen.findByTestId('period-export'));
    expect(await screen.findByTestId('export-path')).toHaveTextContent('/home/anna/Downloads/commissions-2026-03.csv');
    expect(api.commissionsExportFile).toHaveBeenCalledWith('2026-03');
  });
});

describe('totals chart', () => {
  it('sizes bars by magnitude relative to the largest, for display only', () => {
    expect(barWidth('50.00', '200.00')).toBe(25);
    expect(barWidth('-200.00', '200.00')).toBe(100);
    expect(barWidth('1', '0')).toBe(0);
  });
});
