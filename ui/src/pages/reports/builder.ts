//! The report builder's logic, kept apart from the screen so it is tested
//! alone: the query a user puts together, what REPORTS.md would refuse
//! (said before asking the core, which checks again), sorting a table by
//! its printed figures (exactly, as decimal text), a chart's series, the
//! drill-down from a row, and the views saved by name.
import type { MeasureChoice, ReportChoices, ReportQuery, TableView } from '../../bindings';
import { compareDecimals } from '../../money';

/** A report nobody has changed yet: this month, by partner, the acquisition counts. */
export function defaultQuery(today: Date = new Date()): ReportQuery {
  const first = new Date(Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), 1));
  return {
    from: isoDay(first),
    to: isoDay(today),
    by: ['partner'],
    measures: ['registrations', 'ftds', 'deposits'],
    brand: null,
    partner: null,
    tree: null,
    currency: null,
  };
}

export function isoDay(d: Date): string {
  return d.toISOString().slice(0, 10);
}

/** The same number of days just before `from..to` (for a KPI's comparison). */
export function previousRange(from: string, to: string): { from: string; to: string } {
  const f = Date.parse(`${from}T00:00:00Z`);
  const t = Date.parse(`${to}T00:00:00Z`);
  const day = 86_400_000;
  const days = Math.round((t - f) / day);
  return { from: isoDay(new Date(f - day * (days + 1))), to: isoDay(new Date(f - day)) };
}

/** Adds `name` at the end of the list, or takes it out. */
export function toggle(list: string[], name: string): string[] {
  return list.includes(name) ? list.filter((x) => x !== name) : [...list, name];
}

/** Moves the item at `index` one place earlier (dimension order decides grouping and sorting). */
export function moveEarlier(list: string[], index: number): string[] {
  if (index <= 0 || index >= list.length) return list;
  const out = [...list];
  [out[index - 1], out[index]] = [out[index]!, out[index - 1]!];
  return out;
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;

/**
 * What REPORTS.md refuses in this query, in its words; empty when it may be
 * asked. The core checks again: this only spares a round trip and says
 * which control to change.
 */
export function problems(q: ReportQuery, choices: ReportChoices | undefined): string[] {
  const out: string[] = [];
  if (!DAY.test(q.from) || !DAY.test(q.to)) out.push('Give the range as two days (YYYY-MM-DD).');
  else if (q.to < q.from) out.push('The range ends before it starts.');
  if (q.measures.length === 0) out.push('Choose at least one measure.');
  if (!choices) return out;
  const info = (m: string): MeasureChoice | undefined => choices.measures.find((c) => c.name === m);
  for (const m of q.measures) {
    const refused = info(m)?.refused_dims.find((d) => q.by.includes(d));
    if (refused) out.push(`'${m}' cannot be grouped by '${refused}': take one of them out.`);
  }
  if (!q.currency) {
    if (q.measures.includes('cost_per_ftd')) out.push("'cost_per_ftd' needs a currency to convert to.");
    const activity = q.measures.find((m) => {
      const c = info(m);
      return c && !c.money && c.unit === 'amount';
    });
    const money = q.measures.find((m) => m !== 'cost_per_ftd' && info(m)?.money);
    if (activity && money) out.push(`'${activity}' (brand currency) and '${money}' (partner currency) together need a currency to convert to.`);
  }
  return out;
}

export type SortState = { column: number; descending: boolean } | null;

const NUMERIC = new Set(['count', 'amount', 'lots', 'percent']);

/**
 * The rows sorted by one column: figures by exact decimal order (empty
 * first), text in plain byte order as the CSV is. Without a sort, the
 * core's order (the dimensions').
 */
export function sortRows(t: TableView, sort: SortState): string[][] {
  if (!sort) return t.rows;
  const numeric = NUMERIC.has(t.units[sort.column] ?? 'text');
  const cmp = (a: string, b: string): number => {
    if (numeric) {
      if (a === '' || b === '') return a === b ? 0 : a === '' ? -1 : 1;
      return compareDecimals(a, b);
    }
    return a < b ? -1 : a > b ? 1 : 0;
  };
  const sign = sort.descending ? -1 : 1;
  return [...t.rows].sort((x, y) => sign * cmp(x[sort.column] ?? '', y[sort.column] ?? ''));
}

/** The next sort when a column's header is clicked: ascending, descending, off. */
export function nextSort(sort: SortState, column: number): SortState {
  if (!sort || sort.column !== column) return { column, descending: false };
  return sort.descending ? null : { column, descending: true };
}

/** The dimension columns of a table (text columns before the measures, `currency` apart). */
export function dimensionColumns(t: TableView): number[] {
  return t.columns.map((_, i) => i).filter((i) => t.units[i] === 'text' && t.columns[i] !== 'currency');
}

export type ChartData = {
  /** The row label's key in each point. */
  key: string;
  points: Record<string, string | number>[];
  series: { name: string; label: string }[];
  /** Why there is no chart. */
  none?: string;
};

/**
 * A chart of the table: one point per row labelled by its dimensions, one
 * series per measure of one unit (the first measure's, so a count and an
 * amount do not share an axis). Only the bar lengths are numbers: the table
 * keeps the exact figures.
 */
export function chartData(t: TableView, limit = 50): ChartData {
  const dims = dimensionColumns(t);
  const currency = t.columns.indexOf('currency');
  const measures = t.columns.map((_, i) => i).filter((i) => NUMERIC.has(t.units[i] ?? ''));
  if (t.rows.length === 0) return { key: 'label', points: [], series: [], none: 'Nothing to draw: the report has no rows.' };
  if (measures.length === 0) return { key: 'label', points: [], series: [], none: 'Nothing to draw.' };
  const unit = t.units[measures[0]!];
  const shown = measures.filter((i) => t.units[i] === unit);
  const series = shown.map((i) => ({ name: `m${i}`, label: t.columns[i]! }));
  const points = t.rows.slice(0, limit).map((r) => {
    const parts = dims.map((i) => r[i] ?? '');
    if (currency >= 0) parts.push(r[currency] ?? '');
    const p: Record<string, string | number> = { label: parts.join(' · ') || 'all' };
    for (const i of shown) p[`m${i}`] = Number(r[i] || '0');
    return p;
  });
  return { key: 'label', points, series };
}

export const UNATTRIBUTED = '(unattributed)';

/**
 * Where a row leads: a partner's (or tree's) row to its customers, a
 * customer's tracking code to the customers with it; null when the row
 * has nothing behind it to open.
 */
export function drillTarget(t: TableView, row: string[], q: ReportQuery): string | null {
  const at = (name: string) => {
    const i = t.columns.indexOf(name);
    return i >= 0 ? (row[i] ?? '') : null;
  };
  const partner = at('partner') ?? at('tree');
  const params = new URLSearchParams();
  if (partner && partner !== UNATTRIBUTED) params.set('partner', partner);
  const brand = at('brand') ?? q.brand;
  if (brand && brand !== UNATTRIBUTED) params.set('brand', brand);
  const code = at('tracking_code');
  if (code) params.set('q', code);
  if (!params.has('partner') && !params.has('q')) return null;
  return `/customers?${params.toString()}`;
}

// Saved views: a name and the query, kept per user on this computer.

export type SavedView = { name: string; query: ReportQuery };

const VIEWS_KEY = (user: string) => `partnerdesk.reports.views.${user}`;

export function loadViews(user: string, storage: Storage = localStorage): SavedView[] {
  try {
    const raw = storage.getItem(VIEWS_KEY(user));
    const parsed: unknown = raw ? JSON.parse(raw) : [];
    return Array.isArray(parsed) ? (parsed as SavedView[]).filter((v) => v && typeof v.name === 'string' && v.query) : [];
  } catch {
    return [];
  }
}

/** Saves (or replaces, by name) a view; names are trimmed and sorted. */
export function saveView(user: string, name: string, query: ReportQuery, storage: Storage = localStorage): SavedView[] {
  const n = name.trim();
  if (!n) return loadViews(user, storage);
  const views = loadViews(user, storage).filter((v) => v.name !== n);
  views.push({ name: n, query });
  views.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  storage.setItem(VIEWS_KEY(user), JSON.stringify(views));
  return views;
}

export function deleteView(user: string, name: string, storage: Storage = localStorage): SavedView[] {
  const views = loadViews(user, storage).filter((v) => v.name !== name);
  storage.setItem(VIEWS_KEY(user), JSON.stringify(views));
  return views;
}

/** How a column's figure is shown (grouped thousands for amounts; the exact text otherwise). */
export function shown(unit: string, text: string): string {
  if (unit === 'amount' || unit === 'lots') {
    const m = /^(-?)(\d+)(\.\d+)?$/.exec(text);
    if (!m) return text;
    return m[1] + m[2]!.replace(/\B(?=(\d{3})+(?!\d))/g, ',') + (m[3] ?? '');
  }
  return text;
}

/** The named columns of a table (those it has), in the order named. */
export function pickColumns(t: TableView, names: string[]): TableView {
  const idx = names.map((n) => t.columns.indexOf(n)).filter((i) => i >= 0);
  return {
    columns: idx.map((i) => t.columns[i]!),
    units: idx.map((i) => t.units[i]!),
    rows: t.rows.map((r) => idx.map((i) => r[i] ?? '')),
  };
}
