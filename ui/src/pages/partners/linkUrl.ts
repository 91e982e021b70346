//! A tracking link as a partner shares it: the link's address with the
//! optional sub-ids and campaign the tracking server passes to the landing
//! (crates/server reads `sub1`…`sub5` and `campaign` from the query string).

export const SUB_KEYS = ['sub1', 'sub2', 'sub3', 'sub4', 'sub5'] as const;
export type SubKey = (typeof SUB_KEYS)[number];
export type LinkParams = Partial<Record<SubKey | 'campaign', string>>;

/** The link with the non-empty parameters appended, percent-encoded, in a fixed order. */
export function shareUrl(base: string, params: LinkParams): string {
  const query = new URLSearchParams();
  for (const key of [...SUB_KEYS, 'campaign'] as const) {
    const v = params[key]?.trim();
    if (v) query.append(key, v);
  }
  const q = query.toString();
  if (!q) return base;
  return `${base}${base.includes('?') ? '&' : '?'}${q}`;
}

/** The UTC days `[from, to]` of the last `days` days up to today, as YYYY-MM-DD. */
export function lastDays(days: number, today: Date = new Date()): { from: string; to: string } {
  const day = (d: Date) => d.toISOString().slice(0, 10);
  const from = new Date(Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate() - (days - 1)));
  return { from: day(from), to: day(today) };
}
