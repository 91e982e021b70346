//! The Commissions page's period, line filters and sort live in the address
//! (#/commissions?period=2026-03&kind=cpa…), so going back restores them.
import { useSearchParams } from 'react-router-dom';
import type { LineQuery } from '../../bindings';

export type LineFilter = Omit<LineQuery, 'offset' | 'limit'>;
export type CommissionChange = Partial<Record<'period' | 'partner' | 'brand' | 'kind' | 'sort' | 'desc', string | null>>;

export function useCommissionParams(fallbackPeriod: string | null) {
  const [params, setParams] = useSearchParams();
  const period = params.get('period') || fallbackPeriod;
  const filter: LineFilter = {
    period: period ?? '',
    partner_id: params.get('partner') || null,
    brand_id: params.get('brand') || null,
    kind: params.get('kind') || null,
    by_amount: params.get('sort') === 'amount',
    desc: params.get('desc') === '1',
  };
  const update = (change: CommissionChange) =>
    setParams(
      (prev) => {
        const next = new URLSearchParams(prev);
        for (const [k, v] of Object.entries(change)) {
          if (v) next.set(k, v);
          else next.delete(k);
        }
        return next;
      },
      { replace: true },
    );
  return { period, filter, update };
}
