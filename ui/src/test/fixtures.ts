// Small, readable wire values for the component tests.
import type { AppInfo } from '../bindings/AppInfo';
import type { CustomerRow } from '../bindings/CustomerRow';
import type { LineRow } from '../bindings/LineRow';
import type { PeriodView } from '../bindings/PeriodView';
import type { PlanView } from '../bindings/PlanView';
import type { PartnerDetail } from '../bindings/PartnerDetail';
import type { PartnerRow } from '../bindings/PartnerRow';

export function partner(id: string, over: Partial<PartnerRow> = {}): PartnerRow {
  return {
    partner_id: id, name: `Partner ${id}`, kind: 'affiliate', status: 'active', parent_id: null, email: null,
    country: 'DE', currency: 'EUR', tags: [], children: 0, archived: false, ...over,
  };
}

export function detail(row: PartnerRow, ancestors: PartnerRow[] = []): PartnerDetail {
  return {
    partner: row, notes: '', contact_name: null, phone: null, created_at: '2024-01-01T00:00:00Z',
    updated_at: '2024-01-01T00:00:00Z', ancestors, tracking_codes: [],
  };
}

export const appInfo: AppInfo = {
  version: '0.1.0', user: 'anna',
  database: { backend: 'sqlite', location: '/home/anna/.local/share/partnerdesk/partnerdesk.db', ok: true, error: null },
  partners: 3,
};

export function plan(id: string, over: Partial<PlanView> = {}): PlanView {
  return {
    plan_id: id, version: 1, name: `Plan ${id}`, json: JSON.stringify({ plan_id: id, name: `Plan ${id}`, components: [] }, null, 2),
    description: '25% of NGR', components: ['revshare'], assignments: 0, ...over,
  };
}

export function customer(id: string, over: Partial<CustomerRow> = {}): CustomerRow {
  return {
    customer_id: id, brand_id: 'b1', tracking_code: 'btag-1', partner_id: 'P-1', country: 'DE',
    registered_at: '2026-01-05T10:00:00Z', status: 'active', geo_blocked: false, unexpected_country: false, ...over,
  };
}

export function period(p: string, over: Partial<PeriodView> = {}): PeriodView {
  return { period: p, state: 'computed', computed_at: '2026-04-01T08:00:00Z', up_to_date: true, closed_at: null, closed_by: null, ...over };
}

export function line(partnerId: string, brandId: string, kind: string, over: Partial<LineRow> = {}): LineRow {
  return {
    period: '2026-03', partner_id: partnerId, partner_name: `Partner ${partnerId}`, brand_id: brandId, kind, amount: '100.00',
    currency: 'EUR', amount_brand: '100', brand_currency: 'EUR', fx_rate: '1', origin_period: null, ...over,
  };
}
