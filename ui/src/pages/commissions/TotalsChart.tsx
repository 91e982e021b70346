//! Totals as horizontal bars, one scale per currency. Amounts stay decimal
//! text; only `barWidth` turns them into a number, and only for the length
//! of a bar on screen — never for money arithmetic.
import { Box, Group, Stack, Text } from '@mantine/core';
import type { TotalRow } from '../../bindings';
import { absDecimal, compareDecimals, formatMoney, isNegative } from '../../money';
import { LINE_KINDS, labelOf } from '../../options';

/** A bar's length in percent of the longest one: a display proportion only. */
export function barWidth(amount: string, max: string): number {
  const m = Number(absDecimal(max));
  const a = Number(absDecimal(amount));
  if (!Number.isFinite(m) || !Number.isFinite(a) || m <= 0) return 0;
  return Math.max(0, Math.min(100, (a / m) * 100));
}

/** The largest magnitude among the amounts, compared exactly as text. */
function largest(amounts: string[]): string {
  return amounts.map(absDecimal).reduce((best, a) => (compareDecimals(a, best) > 0 ? a : best), '0');
}

export function TotalsChart({ totals }: { totals: TotalRow[] }) {
  const currencies = [...new Set(totals.map((t) => t.currency))].sort();
  return (
    <Stack gap="md" data-testid="totals-chart">
      {currencies.map((cur) => {
        const rows = totals.filter((t) => t.currency === cur);
        const max = largest(rows.map((r) => r.amount));
        return (
          <Stack key={cur} gap={4}>
            {currencies.length > 1 && <Text size="xs" fw={600} c="dimmed">{cur}</Text>}
            {rows.map((t) => {
              const negative = isNegative(t.amount);
              return (
                <Group key={`${t.brand_id}/${t.kind}`} gap="xs" wrap="nowrap" data-testid={`totals-bar-${t.brand_id}-${t.kind}`}>
                  <Text size="xs" w={170} truncate title={`${t.brand_id} · ${labelOf(LINE_KINDS, t.kind)}`}>
                    {t.brand_id} · {labelOf(LINE_KINDS, t.kind)}
                  </Text>
                  <Box style={{ flex: 1, background: 'var(--mantine-color-gray-1)', borderRadius: 3, height: 14 }}>
                    <Box style={{ width: `${barWidth(t.amount, max)}%`, height: '100%', borderRadius: 3,
                      background: negative ? 'var(--mantine-color-red-5)' : 'var(--mantine-color-indigo-5)' }} />
                  </Box>
                  <Text size="xs" w={130} ta="right" ff="monospace" c={negative ? 'red' : undefined}>
                    {formatMoney(t.amount)} {t.currency}
                  </Text>
                </Group>
              );
            })}
          </Stack>
        );
      })}
    </Stack>
  );
}
