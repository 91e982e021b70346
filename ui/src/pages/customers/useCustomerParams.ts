//! The customer list's search and filters live in the address
//! (#/customers?q=…&brand=…), so going back from a customer restores the list.
import { useSearchParams } from 'react-router-dom';
import type { CustomerQuery } from '../../bindings';

export type CustomerFilter = Omit<CustomerQuery, 'offset' | 'limit'>;
export type CustomerChange = Partial<Record<'q' | 'brand' | 'status' | 'partner', string | null>>;

export function useCustomerParams() {
  const [params, setParams] = useSearchParams();
  const filter: CustomerFilter = {
    text: params.get('q') || null,
    brand_id: params.get('brand') || null,
    partner_id: params.get('partner') || null,
    status: params.get('status') || null,
  };
  const update = (change: CustomerChange) =>
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
  return { filter, update };
}
