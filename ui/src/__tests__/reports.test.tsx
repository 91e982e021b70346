import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import * as api from '../api';
import type { ReportView } from '../bindings';
import { mockApiDefaults } from '../test/apiMock';
import { session } from '../test/fixtures';
import { renderAs, renderAt } from '../test/render';

vi.mock('../api');

beforeEach(() => {
  vi.resetAllMocks();
  mockApiDefaults();
  localStorage.clear();
});

const view: ReportView = {
  table: {
    columns: ['partner', 'currency', 'registrations', 'deposits'],
    units: ['text', 'text', 'count', 'amount'],
    rows: [
      ['(unattributed)', 'EUR', '4', '10.00'],
      ['P0001', 'EUR', '12', '2500.00'],
      ['P0002', 'USD', '7', '300.50'],
    ],
  },
  totals: {
    columns: ['currency', 'registrations', 'deposits'],
    units: ['text', 'count', 'amount'],
    rows: [['EUR', '16', '2510.00'], ['USD', '7', '300.50']],
  },
};

describe('reports page', () => {
  it('runs the report put together, shows totals, sorts and drills down to a partner\'s customers', async () => {
    vi.mocked(api.reportsView).mockResolvedValue(view);
    renderAt('/reports');
    expect(await screen.findByTestId('report-idle')).toBeInTheDocument();
    await userEvent.click(await screen.findByTestId('dim-brand'));
    await userEvent.click(screen.getByTestId('measure-lots'));
    await userEvent.clear(screen.getByTestId('report-from'));
    await userEvent.type(screen.getByTestId('report-from'), '2026-07-01');
    await userEvent.click(screen.getByTestId('report-run'));
    await waitFor(() => expect(api.reportsView).toHaveBeenCalledWith(expect.objectContaining({
      from: '2026-07-01', by: ['partner', 'brand'], measures: ['registrations', 'ftds', 'deposits', 'lots'],
    })));
    expect(await screen.findByTestId('report-count')).toHaveTextContent('3 rows');
    const totals = screen.getAllByTestId('report-total-row');
    expect(totals).toHaveLength(2);
    expect(within(totals[0]!).getByTestId('report-total-deposits')).toHaveTextContent('2,510.00');
    expect(within(totals[0]!).getByTestId('report-total-partner')).toHaveTextContent('Total');
    expect(screen.getByTestId('report-row-1')).toHaveTextContent('P0001');
    // Sorting by deposits, largest first.
    await userEvent.click(screen.getByTestId('report-sort-deposits'));
    await userEvent.click(screen.getByTestId('report-sort-deposits'));
    expect(screen.getByTestId('report-row-0')).toHaveTextContent('P0001');
    expect(screen.getByTestId('report-sort-deposits')).toHaveAttribute('aria-sort', 'descending');
    expect(screen.getByTestId('report-row-2')).not.toHaveAttribute('data-target');
    // A partner's row opens its customers.
    await userEvent.click(screen.getByTestId('report-row-0'));
    await waitFor(() => expect(api.customersSearch).toHaveBeenCalledWith(expect.objectContaining({ partner_id: 'P0001' })));
  });

  it('says what REPORTS.md refuses, and does not ask', async () => {
    renderAt('/reports');
    await userEvent.click(await screen.findByTestId('measure-commission'));
    expect(screen.getByTestId('report-problems')).toHaveTextContent('need a currency');
    expect(screen.getByTestId('report-run')).toBeDisabled();
    await userEvent.type(screen.getByTestId('report-currency'), 'eur');
    await waitFor(() => expect(screen.queryByTestId('report-problems')).not.toBeInTheDocument());
    await userEvent.click(screen.getByTestId('dim-day'));
    expect(screen.getByTestId('report-problems')).toHaveTextContent("'commission' cannot be grouped by 'day'");
    expect(api.reportsView).not.toHaveBeenCalled();
  });

  it('shows the core\'s error (an uncomputed period) and the empty state', async () => {
    vi.mocked(api.reportsView).mockRejectedValueOnce({ code: 'refused', message: 'period 2026-07 has not been computed: run partnerdesk commissions run --period 2026-07', field: null });
    renderAt('/reports');
    await userEvent.click(await screen.findByTestId('report-run'));
    expect(await screen.findByTestId('error-state')).toHaveTextContent('commissions run --period 2026-07');
    await userEvent.click(screen.getByTestId('report-run'));
    expect(await screen.findByTestId('report-empty')).toHaveTextContent('No figures in this range');
  });

  it('exports through the core and saves a view by name', async () => {
    vi.mocked(api.reportsExport).mockResolvedValue({ path: '/home/anna/Downloads/report.xlsx', format: 'xlsx', rows: 3 });
    vi.mocked(api.reportsView).mockResolvedValue(view);
    renderAt('/reports');
    await userEvent.click(await screen.findByTestId('report-export-xlsx'));
    await waitFor(() => expect(api.reportsExport).toHaveBeenCalledWith(expect.objectContaining({ by: ['partner'] }), 'xlsx'));
    expect(await screen.findByTestId('report-export-path')).toHaveTextContent('report.xlsx');
    await userEvent.click(screen.getByTestId('dim-country'));
    await userEvent.type(screen.getByTestId('saved-view-name'), 'By country');
    await userEvent.click(screen.getByTestId('saved-view-save'));
    expect(JSON.parse(localStorage.getItem('partnerdesk.reports.views.anna')!)[0]).toMatchObject({ name: 'By country', query: { by: ['partner', 'country'] } });
  });

  it('money measures are exported by finance, not by a viewer (who still sees them)', async () => {
    renderAs(session('val', ['viewer']), '/reports');
    await userEvent.click(await screen.findByTestId('measure-deposits'));
    expect(screen.getByTestId('report-export-csv')).toBeEnabled();
    await userEvent.click(screen.getByTestId('measure-qualified_cpas'));
    expect(screen.getByTestId('report-export-csv')).toBeDisabled();
    expect(screen.getByTestId('report-run')).toBeEnabled();
  });
});

describe('dashboard', () => {
  it('shows KPIs against the range before, top partners, and asks again for a brand', async () => {
    vi.mocked(api.brandsList).mockResolvedValue([{ brand_id: 'CAS', name: 'Casino', vertical: 'igaming', currency: 'EUR' }]);
    vi.mocked(api.reportsDashboard).mockImplementation(async (q) => ({
      from: q.from, to: q.to, previous_from: '2026-06-01', previous_to: '2026-06-30', currency: q.currency,
      kpis: [
        { measure: 'clicks', current: '4321', previous: '0' },
        { measure: 'registrations', current: '120', previous: '100' },
        { measure: 'deposits', current: '12345.60', previous: '20000.00' },
        { measure: 'commission', current: '', previous: '' },
      ],
      money_note: 'period 2026-07 has not been computed',
      trend: { columns: ['day', 'currency', 'registrations', 'ftds', 'deposits'], units: ['text', 'text', 'count', 'count', 'amount'], rows: [['2026-07-01', 'EUR', '5', '1', '100.00']] },
      top_partners: { columns: ['partner', 'currency', 'ftds'], units: ['text', 'text', 'count'], rows: [['P0001', 'EUR', '9'], ['(unattributed)', 'EUR', '2']] },
      top_countries: { columns: ['country', 'ftds'], units: ['text', 'count'], rows: [['DE', '7']] },
    }));
    renderAt('/');
    expect(await screen.findByTestId('kpi-registrations-current')).toHaveTextContent('120');
    expect(screen.getByTestId('kpi-clicks')).toHaveTextContent('Clicks');
    expect(screen.getByTestId('kpi-clicks-current')).toHaveTextContent('4321');
    expect(screen.getByTestId('kpi-deposits-current')).toHaveTextContent('12,345.60');
    expect(screen.getByTestId('kpi-commission-current')).toHaveTextContent('—');
    expect(screen.getByTestId('dashboard-money-note')).toHaveTextContent('not been computed');
    expect(within(screen.getByTestId('dashboard-top-partners')).getByRole('link', { name: 'P0001' })).toHaveAttribute('href', '/partners/P0001');
    expect(screen.getByTestId('dashboard-trends')).toBeInTheDocument();
    await screen.findByRole('option', { name: 'Casino (CAS)' });
    await userEvent.selectOptions(screen.getByTestId('dashboard-brand'), 'CAS');
    await waitFor(() => expect(api.reportsDashboard).toHaveBeenLastCalledWith(expect.objectContaining({ brand: 'CAS', currency: 'EUR' })));
  });

  it('says when there is no activity yet', async () => {
    renderAt('/');
    expect(await screen.findByTestId('dashboard-empty')).toHaveTextContent('import a folder or sync');
  });
});
