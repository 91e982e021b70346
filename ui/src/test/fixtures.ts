// Small, readable wire values for the component tests.
import type { AppInfo } from '../bindings/AppInfo';
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
