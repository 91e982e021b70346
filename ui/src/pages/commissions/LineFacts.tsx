//! The key facts of a line's explanation in words: amount, FX, basis, rate
//! or tier, carry-over; then whatever else the engine wrote down.
import type { ReactNode } from 'react';
import { SimpleGrid, Stack, Text, Title } from '@mantine/core';
import type { LineRow } from '../../bindings';
import { asPercent, formatMoney } from '../../money';
import { ExplanationTable, KeyValues, cellText, humanize } from './ExplanationTable';

type Expl = Record<string, unknown>;
const isObj = (v: unknown): v is Expl => typeof v === 'object' && v !== null && !Array.isArray(v);
const sentence = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
const str = (v: unknown) => (typeof v === 'string' ? v : cellText(v));

/** Keys shown as key facts; everything else follows under its own name. */
const FACT_KEYS = ['amount_in_brand_currency', 'fx', 'rate', 'basis', 'carry_in', 'effective', 'carry_out', 'negative_carryover'];

function Fact({ label, children, testId }: { label: string; children: ReactNode; testId?: string }) {
  return (
    <Stack gap={0}>
      <Text size="xs" c="dimmed">{label}</Text>
      <Text size="sm" component="div" data-testid={testId}>{children}</Text>
    </Stack>
  );
}

function rateText(rate: unknown): ReactNode {
  if (typeof rate === 'string') return `${asPercent(rate)} (${rate})`;
  if (!isObj(rate)) return cellText(rate);
  if (rate.tier_mode === 'flat') {
    const reached = rate.tier_from === null || rate.tier_from === undefined
      ? 'no tier reached'
      : `tier from ${str(rate.tier_from)}`;
    return `${asPercent(str(rate.rate))} — flat, ${reached} (${str(rate.tier_metric)} = ${str(rate.metric)})`;
  }
  if (rate.tier_mode === 'progressive' && Array.isArray(rate.slices)) {
    return <ExplanationTable name="slices" items={rate.slices} />;
  }
  return cellText(rate);
}

function fxText(line: LineRow, fx: unknown): string {
  if (isObj(fx)) {
    return `1 ${str(fx.from)} = ${str(fx.rate)} ${str(fx.to)} · pair ${str(fx.pair)}${fx.date ? ` · rate of ${str(fx.date)}` : ''}`;
  }
  return line.currency === line.brand_currency ? 'none (same currency)' : `${line.fx_rate} ${line.brand_currency}/${line.currency}`;
}

export function LineFacts({ line, explanation }: { line: LineRow; explanation: Expl }) {
  const e = explanation;
  const money = (v: unknown) => `${formatMoney(str(v))} ${line.brand_currency}`;
  const rest = Object.entries(e).filter(([k]) => !FACT_KEYS.includes(k));
  const scalars = rest.filter(([, v]) => !Array.isArray(v) && !isObj(v));
  const lists = rest.filter(([, v]) => Array.isArray(v) || isObj(v));
  return (
    <Stack gap="md" data-testid="line-facts">
      <SimpleGrid cols={2} spacing="sm">
        <Fact label="Amount" testId="line-amount">{formatMoney(line.amount)} {line.currency}</Fact>
        <Fact label="In brand currency (full precision)">{formatMoney(line.amount_brand)} {line.brand_currency}</Fact>
        <Fact label="FX" testId="line-fx">{fxText(line, e.fx)}</Fact>
        {'rate' in e && <Fact label="Rate" testId="line-rate">{rateText(e.rate)}</Fact>}
        {typeof e.basis === 'string' && <Fact label="Basis" testId="line-basis">{money(e.basis)}</Fact>}
        {'carry_in' in e && <Fact label="Carry-over in" testId="line-carry-in">{money(e.carry_in)}</Fact>}
        {'effective' in e && <Fact label="Effective (NGR + carry in)">{money(e.effective)}</Fact>}
        {'carry_out' in e && <Fact label="Carry-over out" testId="line-carry-out">{money(e.carry_out)}</Fact>}
        {'negative_carryover' in e && <Fact label="Negative carry-over">{e.negative_carryover ? 'yes' : 'no'}</Fact>}
        {scalars.map(([k, v]) => <Fact key={k} label={sentence(humanize(k))}>{cellText(v)}</Fact>)}
      </SimpleGrid>
      {isObj(e.basis) && (
        <Stack gap={4}>
          <Title order={6}>Basis ({line.brand_currency})</Title>
          <KeyValues value={e.basis} testId="line-basis" />
        </Stack>
      )}
      {lists.map(([k, v]) => (
        <Stack gap={4} key={k}>
          <Title order={6}>{sentence(humanize(k))}{Array.isArray(v) ? ` (${v.length})` : ''}</Title>
          {Array.isArray(v) ? <ExplanationTable name={k} items={v} /> : <KeyValues value={v as Expl} />}
        </Stack>
      ))}
    </Stack>
  );
}
