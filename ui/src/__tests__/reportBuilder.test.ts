import { describe, expect, it } from 'vitest';
import type { ReportQuery, TableView } from '../bindings';
import {
  chartData, defaultQuery, deleteView, drillTarget, loadViews, moveEarlier, nextSort, pickColumns, previousRange, problems, saveView, sortRows, toggle,
} from '../pages/reports/builder';
import { reportChoices } from '../test/fixtures';

const q = (over: Partial<ReportQuery> = {}): ReportQuery => ({
  from: '2026-07-01', to: '2026-07-31', by: ['partner'], measures: ['registrations'], brand: null, partner: null, tree: null, currency: null, ...over,
});

const table: TableView = {
  columns: ['partner', 'currency', 'registrations', 'deposits', 'conversion'],
  units: ['text', 'text', 'count', 'amount', 'percent'],
  rows: [
    ['P0002', 'EUR', '3', '1200.50', '33.3'],
    ['(unattributed)', 'EUR', '10', '-5.00', ''],
    ['P0001', 'USD', '25', '99.99', '120.0'],
  ],
};

describe('report builder', () => {
  it('starts at this month by partner', () => {
    const d = defaultQuery(new Date(Date.UTC(2026, 6, 19)));
    expect(d.from).toBe('2026-07-01');
    expect(d.to).toBe('2026-07-19');
    expect(d.by).toEqual(['partner']);
    expect(problems(d, reportChoices)).toEqual([]);
  });

  it('keeps dimensions in the order chosen, and moves one earlier', () => {
    expect(toggle(['brand'], 'day')).toEqual(['brand', 'day']);
    expect(toggle(['brand', 'day'], 'brand')).toEqual(['day']);
    expect(moveEarlier(['brand', 'day', 'partner'], 2)).toEqual(['brand', 'partner', 'day']);
    expect(moveEarlier(['brand'], 0)).toEqual(['brand']);
  });

  it('says what REPORTS.md refuses before asking the core', () => {
    expect(problems(q({ measures: [] }), reportChoices)).toContain('Choose at least one measure.');
    expect(problems(q({ from: '2026-08-01' }), reportChoices)).toContain('The range ends before it starts.');
    expect(problems(q({ from: '2026-7-1' }), reportChoices)[0]).toMatch(/YYYY-MM-DD/);
    expect(problems(q({ by: ['day'], measures: ['commission'] }), reportChoices)[0]).toMatch(/'commission' cannot be grouped by 'day'/);
    // qualified_cpas may go by country, not by day
    expect(problems(q({ by: ['country'], measures: ['qualified_cpas'] }), reportChoices)).toEqual([]);
    expect(problems(q({ by: ['day'], measures: ['qualified_cpas'] }), reportChoices)).toHaveLength(1);
    // activity amounts with money, or cost per FTD, need a currency
    expect(problems(q({ measures: ['deposits', 'commission'] }), reportChoices)[0]).toMatch(/need a currency/);
    expect(problems(q({ measures: ['deposits', 'commission'], currency: 'EUR' }), reportChoices)).toEqual([]);
    expect(problems(q({ measures: ['cost_per_ftd'] }), reportChoices)[0]).toMatch(/cost_per_ftd/);
    // counts and money together are fine
    expect(problems(q({ measures: ['registrations', 'commission'] }), reportChoices)).toEqual([]);
  });

  it('sorts figures exactly as decimals, empty first, and text in byte order', () => {
    const byDeposits = sortRows(table, { column: 3, descending: false }).map((r) => r[0]);
    expect(byDeposits).toEqual(['(unattributed)', 'P0001', 'P0002']);
    const byCount = sortRows(table, { column: 2, descending: true }).map((r) => r[2]);
    expect(byCount).toEqual(['25', '10', '3']);
    const byPercent = sortRows(table, { column: 4, descending: false }).map((r) => r[4]);
    expect(byPercent).toEqual(['', '33.3', '120.0']);
    const byText = sortRows(table, { column: 0, descending: false }).map((r) => r[0]);
    expect(byText).toEqual(['(unattributed)', 'P0001', 'P0002']);
    expect(sortRows(table, null)).toBe(table.rows);
    expect(nextSort(null, 2)).toEqual({ column: 2, descending: false });
    expect(nextSort({ column: 2, descending: false }, 2)).toEqual({ column: 2, descending: true });
    expect(nextSort({ column: 2, descending: true }, 2)).toBeNull();
    expect(nextSort({ column: 2, descending: true }, 3)).toEqual({ column: 3, descending: false });
  });

  it('charts one unit: the first measure decides the axis', () => {
    const c = chartData(table);
    expect(c.series.map((s) => s.label)).toEqual(['registrations']);
    expect(c.points[0]).toEqual({ label: 'P0002 · EUR', m2: 3 });
    expect(chartData({ ...table, rows: [] }).none).toMatch(/no rows/);
    const amounts = chartData(pickColumns(table, ['partner', 'deposits', 'conversion']));
    expect(amounts.series.map((s) => s.label)).toEqual(['deposits']);
  });

  it('drills from a partner row to its customers, never from the unattributed row', () => {
    expect(drillTarget(table, table.rows[0]!, q())).toBe('/customers?partner=P0002');
    expect(drillTarget(table, table.rows[1]!, q())).toBeNull();
    const byCode: TableView = { columns: ['brand', 'tracking_code', 'registrations'], units: ['text', 'text', 'count'], rows: [['CAS', 'bt-1', '2']] };
    expect(drillTarget(byCode, byCode.rows[0]!, q())).toBe('/customers?brand=CAS&q=bt-1');
    expect(drillTarget(table, table.rows[0]!, q({ brand: 'CAS' }))).toBe('/customers?partner=P0002&brand=CAS');
  });

  it('saves views by name per user, replacing a name, and deletes them', () => {
    localStorage.clear();
    expect(loadViews('anna')).toEqual([]);
    saveView('anna', ' Weekly FTDs ', q({ measures: ['ftds'] }));
    saveView('anna', 'Acquisition', q());
    const views = saveView('anna', 'Weekly FTDs', q({ measures: ['ftds', 'deposits'] }));
    expect(views.map((v) => v.name)).toEqual(['Acquisition', 'Weekly FTDs']);
    expect(views[1]!.query.measures).toEqual(['ftds', 'deposits']);
    expect(loadViews('bob')).toEqual([]);
    expect(deleteView('anna', 'Acquisition').map((v) => v.name)).toEqual(['Weekly FTDs']);
    localStorage.setItem('partnerdesk.reports.views.anna', '{not json');
    expect(loadViews('anna')).toEqual([]);
  });

  it('compares a range with the same number of days before it', () => {
    expect(previousRange('2026-07-01', '2026-07-31')).toEqual({ from: '2026-05-31', to: '2026-06-30' });
    expect(previousRange('2026-08-01', '2026-08-01')).toEqual({ from: '2026-07-31', to: '2026-07-31' });
  });
});
