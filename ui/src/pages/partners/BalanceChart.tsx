//! A partner's balance over time, one line per currency, as plain SVG.
//! Amounts stay decimal text; `toY` turns them into numbers only to place a
//! point on screen — never for money arithmetic.
import { Group, Stack, Text } from '@mantine/core';
import type { LedgerEntryView } from '../../bindings';
import { formatMoney } from '../../money';

const W = 640;
const H = 180;
const PAD = 28;
const COLORS = ['var(--mantine-color-indigo-6)', 'var(--mantine-color-teal-6)', 'var(--mantine-color-orange-6)', 'var(--mantine-color-grape-6)'];

/** Days since the epoch of a YYYY-MM-DD date (x position only). */
function day(date: string): number {
  const t = Date.parse(`${date}T00:00:00Z`);
  return Number.isFinite(t) ? t / 86_400_000 : 0;
}

/** A display position: the balance as a number, for sizing the chart only. */
export function toY(amount: string): number {
  const n = Number(amount);
  return Number.isFinite(n) ? n : 0;
}

/** The balance at the end of each day an entry was posted, per currency (the last entry of a day carries its balance). */
export function balancePoints(entries: LedgerEntryView[]): Map<string, { date: string; balance: string }[]> {
  const out = new Map<string, { date: string; balance: string }[]>();
  for (const e of entries) {
    const list = out.get(e.currency) ?? [];
    const last = list[list.length - 1];
    if (last && last.date === e.effective_date) last.balance = e.balance;
    else list.push({ date: e.effective_date, balance: e.balance });
    out.set(e.currency, list);
  }
  return out;
}

export function BalanceChart({ entries }: { entries: LedgerEntryView[] }) {
  const series = balancePoints(entries);
  if (series.size === 0) return null;
  const all = [...series.values()].flat();
  const xs = all.map((p) => day(p.date));
  const ys = all.map((p) => toY(p.balance));
  const [x0, x1] = [Math.min(...xs), Math.max(...xs)];
  const [y0, y1] = [Math.min(0, ...ys), Math.max(0, ...ys)];
  const sx = (x: number) => PAD + (x1 === x0 ? (W - 2 * PAD) / 2 : ((x - x0) / (x1 - x0)) * (W - 2 * PAD));
  const sy = (y: number) => H - PAD - (y1 === y0 ? 0 : ((y - y0) / (y1 - y0)) * (H - 2 * PAD));
  const currencies = [...series.keys()].sort();
  return (
    <Stack gap={4} data-testid="balance-chart">
      <svg viewBox={`0 0 ${W} ${H}`} width="100%" style={{ maxWidth: W }} role="img" aria-label="Balance over time">
        <line x1={PAD} x2={W - PAD} y1={sy(0)} y2={sy(0)} stroke="var(--mantine-color-gray-4)" strokeDasharray="4 3" />
        <text x={2} y={sy(0) - 3} fontSize={10} fill="var(--mantine-color-gray-6)">0</text>
        <text x={PAD} y={H - 6} fontSize={10} fill="var(--mantine-color-gray-6)">{all.reduce((a, p) => (p.date < a ? p.date : a), all[0]!.date)}</text>
        <text x={W - PAD} y={H - 6} fontSize={10} textAnchor="end" fill="var(--mantine-color-gray-6)">{all.reduce((a, p) => (p.date > a ? p.date : a), all[0]!.date)}</text>
        {currencies.map((c, i) => {
          const pts = series.get(c)!;
          // A step line: the balance holds until the next day with entries.
          const path = pts.map((p, k) => {
            const x = sx(day(p.date));
            const y = sy(toY(p.balance));
            if (k === 0) return `M${x},${y}`;
            return `H${x}V${y}`;
          }).join('');
          return (
            <g key={c} data-testid={`balance-line-${c}`}>
              <path d={path} fill="none" stroke={COLORS[i % COLORS.length]} strokeWidth={2} />
              {pts.map((p) => (
                <circle key={p.date} cx={sx(day(p.date))} cy={sy(toY(p.balance))} r={3} fill={COLORS[i % COLORS.length]}>
                  <title>{`${p.date}: ${formatMoney(p.balance)} ${c}`}</title>
                </circle>
              ))}
            </g>
          );
        })}
      </svg>
      {currencies.length > 1 && (
        <Group gap="md">
          {currencies.map((c, i) => <Text key={c} size="xs" c={COLORS[i % COLORS.length]}>■ {c}</Text>)}
        </Group>
      )}
    </Stack>
  );
}
