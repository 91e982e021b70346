//! Periods are calendar months written YYYY-MM; deals start on a month's
//! first day and end on a month's last day. Calendar arithmetic only: no
//! time zones are involved.

export const PERIOD_SHAPE = /^\d{4}-(0[1-9]|1[0-2])$/;

export function isPeriod(text: string): boolean {
  return PERIOD_SHAPE.test(text.trim());
}

/** "2026-03" (or "2026-03-17") → "2026-03"; anything else is returned trimmed, for the core to name. */
export function monthOf(text: string): string {
  const t = text.trim();
  return /^\d{4}-\d{2}-\d{2}$/.test(t) ? t.slice(0, 7) : t;
}

/** "2026-03" → "2026-03-01". Text that is not a month is passed on as typed, so the core's error names it. */
export function firstDayOf(month: string): string {
  const m = monthOf(month);
  return isPeriod(m) ? `${m}-01` : month.trim();
}

/** "2026-02" → "2026-02-28", "2024-02" → "2024-02-29". */
export function lastDayOf(month: string): string {
  const m = monthOf(month);
  if (!isPeriod(m)) return month.trim();
  const [year, mon] = m.split('-').map((x) => Number.parseInt(x, 10)) as [number, number];
  const days = new Date(Date.UTC(year, mon, 0)).getUTCDate();
  return `${m}-${String(days).padStart(2, '0')}`;
}
