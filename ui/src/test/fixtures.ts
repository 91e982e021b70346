// Small, readable wire values for the component tests.
import type { AppInfo, ApprovalView, Dashboard, DashboardQuery, ReportChoices, AuditEntryView, CustomerRow, LineRow, PartnerDetail, PartnerRow, PeriodView, PlanView, Role, SessionView, SmtpSettingsView } from '../bindings';

export function partner(id: string, over: Partial<PartnerRow> = {}): PartnerRow {
  return {
    partner_id: id, name: `Partner ${id}`, kind: 'affiliate', status: 'active', parent_id: null, email: null,
    country: 'DE', currency: 'EUR', tags: [], children: 0, archived: false, ...over,
  };
}

export function detail(row: PartnerRow, ancestors: PartnerRow[] = []): PartnerDetail {
  return {
    partner: row, notes: '', contact_name: null, phone: null, created_at: '2024-01-01T00:00:00Z',
    updated_at: '2024-01-01T00:00:00Z', row_version: 1, ancestors, tracking_codes: [],
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

/** The use cases of crates/app/src/access.rs and the roles that may call them (a copy for tests). */
export const USE_CASES: Record<string, Role[]> = {
  read: ['admin', 'partner_manager', 'compliance', 'finance', 'viewer'],
  'brand.create': ['admin'],
  'partner.create': ['admin', 'partner_manager'],
  'partner.edit': ['admin', 'partner_manager'],
  'partner.move': ['admin', 'partner_manager'],
  'partner.archive': ['admin', 'partner_manager'],
  'partner.tracking_code.add': ['admin', 'partner_manager'],
  'plan.save': ['admin', 'partner_manager'],
  'plan.assign': ['admin', 'partner_manager'],
  'import.folder': ['admin'],
  'demo.fill': ['admin'],
  'commissions.run': ['admin', 'finance'],
  'commissions.close': ['admin', 'finance'],
  'commissions.export': ['admin', 'finance', 'compliance'],
  'approvals.list': ['admin', 'partner_manager', 'compliance', 'finance', 'viewer'],
  'approvals.decide': ['admin', 'compliance', 'finance'],
  'approvals.settings': ['admin'],
  'users.list': ['admin', 'compliance'],
  'users.manage': ['admin'],
  'audit.read': ['admin', 'compliance'],
  'audit.verify': ['admin', 'compliance'],
  'kyc.document.upload': ['admin', 'partner_manager', 'compliance'],
  'kyc.document.review': ['admin', 'compliance'],
  'traffic_source.declare': ['admin', 'partner_manager'],
  'geo.allowed_countries.set': ['admin', 'compliance'],
  'geo.report': ['admin', 'compliance', 'partner_manager'],
  'customer.status.set': ['admin', 'compliance'],
  'partner.activation.approve': ['admin', 'compliance'],
  'plan.assign.approve': ['admin', 'compliance'],
  'traffic_source.review': ['admin', 'compliance'],
  'ledger.adjust': ['admin', 'finance'],
  'ledger.adjust.approve': ['admin', 'finance'],
  'payment_details.set': ['admin', 'finance'],
  'payment_details.approve': ['admin', 'finance'],
  'payout.settings': ['admin', 'finance'],
  'payout.hold': ['admin', 'finance', 'compliance'],
  'payout.create': ['admin', 'finance'],
  'payout.approve': ['admin', 'finance'],
  'payout.export': ['admin', 'finance'],
  'payout.settle': ['admin', 'finance'],
  'statements.write': ['admin', 'finance', 'partner_manager'],
  'exports.write': ['admin', 'finance', 'compliance'],
  'connection.manage': ['admin'],
  'sync.run': ['admin', 'partner_manager'],
  'mail.settings': ['admin'],
  'mail.templates': ['admin', 'partner_manager'],
  'mail.announce': ['admin', 'partner_manager'],
  'mail.send': ['admin', 'partner_manager', 'finance'],
  'link.edit': ['admin', 'partner_manager'],
  'tracking.settings': ['admin'],
  'fraud.flag.review': ['admin', 'compliance'],
};

/** A signed-in user's session, `allowed` computed from the roles as the core does. */
export function session(user: string, roles: Role[], over: Partial<SessionView> = {}): SessionView {
  const allowed = Object.entries(USE_CASES).filter(([, rs]) => rs.some((r) => roles.includes(r))).map(([name]) => name);
  return { user, display_name: user[0]!.toUpperCase() + user.slice(1), roles, single_user: false, allowed, ...over };
}

/** No users: the local user with every role. */
export const singleUser: SessionView = session('anna', ['admin', 'partner_manager', 'compliance', 'finance', 'viewer'], {
  display_name: 'anna', single_user: true,
});

export function approval(id: number, over: Partial<ApprovalView> = {}): ApprovalView {
  return {
    approval_id: id, kind: 'plan.assign', kind_label: 'Deal assignment', object_type: 'partner', object_id: 'P-1',
    summary: 'Assign plan casino to P-1 for b1 from 2026-03-01', amount: null, currency: null, required_approvals: 1, approvals: 0,
    status: 'pending', maker: 'mark', created_at: '2026-03-02T09:00:00Z', decided_at: null, decisions: [], can_decide: true, why_not: null,
    ...over,
  };
}

export function auditEntry(seq: number, over: Partial<AuditEntryView> = {}): AuditEntryView {
  return {
    seq, at: `2026-03-0${(seq % 9) + 1}T10:00:00Z`, actor: 'anna', action: 'partner.edit', object_type: 'partner', object_id: 'P-1',
    before: '{"name":"Old"}', after: '{"name":"New"}', hash: `h${seq}`, ...over,
  };
}

/** E-mail not set up yet. */
export const smtpUnset: SmtpSettingsView = {
  host: '', port: 587, security: 'starttls', username: '', from_address: '', from_name: '', reply_to: null, extra_ca_pem_path: null,
  has_password: false, configured: false, warning: null,
};

/** The report builder's choices (a subset of REPORTS.md's, enough for the screens). */
export const reportChoices: ReportChoices = {
  dimensions: ['day', 'period', 'brand', 'vertical', 'partner', 'tree', 'partner_kind', 'country', 'tracking_code'],
  measures: [
    { name: 'registrations', unit: 'count', money: false, refused_dims: [] },
    { name: 'ftds', unit: 'count', money: false, refused_dims: [] },
    { name: 'deposits', unit: 'amount', money: false, refused_dims: [] },
    { name: 'lots', unit: 'lots', money: false, refused_dims: [] },
    { name: 'conversion', unit: 'percent', money: false, refused_dims: [] },
    { name: 'commission', unit: 'amount', money: true, refused_dims: ['day', 'country', 'tracking_code'] },
    { name: 'qualified_cpas', unit: 'count', money: true, refused_dims: ['day'] },
    { name: 'cost_per_ftd', unit: 'amount', money: true, refused_dims: ['day', 'country', 'tracking_code'] },
  ],
};

const noTable = { columns: [], units: [], rows: [] };

/** A dashboard with nothing in its range. */
export function emptyDashboard(q: DashboardQuery): Dashboard {
  return {
    from: q.from, to: q.to, previous_from: q.from, previous_to: q.to, currency: q.currency,
    kpis: [{ measure: 'registrations', current: '0', previous: '0' }],
    money_note: null, trend: { columns: ['day', 'registrations'], units: ['text', 'count'], rows: [] },
    top_partners: noTable, top_countries: noTable,
  };
}
