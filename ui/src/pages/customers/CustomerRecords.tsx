//! A customer's records: daily iGaming activity, trades, prop purchases.
//! Amounts are shown as the decimal text the core sent.
import { Badge, Table, Text } from '@mantine/core';
import type { ActivityView, PurchaseView, TradeView } from '../../bindings';
import { formatMoney } from '../../money';

const num = { style: { textAlign: 'right' as const, fontVariantNumeric: 'tabular-nums' } };

function Head({ cols, right = [] }: { cols: string[]; right?: string[] }) {
  return (
    <Table.Thead>
      <Table.Tr>{cols.map((c) => <Table.Th key={c} {...(right.includes(c) ? num : {})}>{c}</Table.Th>)}</Table.Tr>
    </Table.Thead>
  );
}

const ACTIVITY = ['Date', 'Deposits', 'Withdrawals', 'Bets', 'Wins', 'Bonuses', 'Chargebacks', 'Taxes'];

export function ActivityTable({ rows }: { rows: ActivityView[] }) {
  if (rows.length === 0) return <Text size="sm" c="dimmed">No iGaming activity.</Text>;
  return (
    <Table striped withTableBorder data-testid="customer-activity">
      <Head cols={ACTIVITY} right={ACTIVITY.slice(1)} />
      <Table.Tbody>
        {rows.map((a) => (
          <Table.Tr key={a.date} data-testid={`activity-row-${a.date}`}>
            <Table.Td>{a.date}</Table.Td>
            {[a.deposits, a.withdrawals, a.bets, a.wins, a.bonuses, a.chargebacks, a.taxes].map((v, i) => (
              <Table.Td key={i} {...num}>{formatMoney(v)}</Table.Td>
            ))}
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}

const TRADES = ['Trade', 'Symbol', 'Group', 'Lots', 'Opened', 'Closed', 'Commission', 'Spread revenue'];

export function TradesTable({ rows }: { rows: TradeView[] }) {
  if (rows.length === 0) return <Text size="sm" c="dimmed">No trades.</Text>;
  return (
    <Table striped withTableBorder data-testid="customer-trades">
      <Head cols={TRADES} right={['Lots', 'Commission', 'Spread revenue']} />
      <Table.Tbody>
        {rows.map((t) => (
          <Table.Tr key={t.trade_id} data-testid={`trade-row-${t.trade_id}`}>
            <Table.Td>{t.trade_id}</Table.Td>
            <Table.Td>{t.symbol}</Table.Td>
            <Table.Td>{t.instrument_group}</Table.Td>
            <Table.Td {...num}>{t.lots}</Table.Td>
            <Table.Td>{t.open_time}</Table.Td>
            <Table.Td>{t.close_time}</Table.Td>
            <Table.Td {...num}>{formatMoney(t.commission)}</Table.Td>
            <Table.Td {...num}>{formatMoney(t.spread_revenue)}</Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}

export function PurchasesTable({ rows }: { rows: PurchaseView[] }) {
  if (rows.length === 0) return <Text size="sm" c="dimmed">No purchases.</Text>;
  return (
    <Table striped withTableBorder data-testid="customer-purchases">
      <Head cols={['Order', 'Product', 'Amount', 'Coupon', 'Purchased', 'Refunded']} right={['Amount']} />
      <Table.Tbody>
        {rows.map((p) => (
          <Table.Tr key={p.order_id} data-testid={`purchase-row-${p.order_id}`} c={p.refunded_at ? 'dimmed' : undefined}>
            <Table.Td>{p.order_id}</Table.Td>
            <Table.Td>{p.product}</Table.Td>
            <Table.Td {...num} td={p.refunded_at ? 'line-through' : undefined}>{formatMoney(p.amount)}</Table.Td>
            <Table.Td>{p.coupon_code ?? '—'}</Table.Td>
            <Table.Td>{p.purchased_at}</Table.Td>
            <Table.Td>
              {p.refunded_at ? (
                <Badge color="orange" variant="light" size="sm" data-testid="purchase-refunded">refunded {p.refunded_at}</Badge>
              ) : '—'}
            </Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}
