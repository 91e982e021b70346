// A restricted user sees only what they may do: actions the core would refuse
// are not offered at all (hidden, not disabled).
import { screen } from '@testing-library/react';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import * as api from '../api';
import { mockApiDefaults } from '../test/apiMock';
import { approval, customer, detail, partner, period, plan, session } from '../test/fixtures';
import { renderAs } from '../test/render';

vi.mock('../api');

const viewer = session('victor', ['viewer']);
const finance = session('fiona', ['finance']);
const manager = session('mark', ['partner_manager']);
const compliance = session('clara', ['compliance']);

beforeEach(() => {
  vi.resetAllMocks();
  mockApiDefaults();
  vi.mocked(api.partnersSearch).mockResolvedValue({ total: 1, rows: [partner('P-1')] });
  vi.mocked(api.partnersGet).mockResolvedValue(detail(partner('P-1')));
  vi.mocked(api.brandsList).mockResolvedValue([{ brand_id: 'b1', name: 'Brand one', vertical: 'igaming', currency: 'EUR' }]);
  vi.mocked(api.plansList).mockResolvedValue([plan('casino')]);
  vi.mocked(api.plansGet).mockResolvedValue({ plan: plan('casino'), versions: [{ version: 1, created_at: '2026-01-01T00:00:00Z', description: '25% of NGR', json: plan('casino').json }] });
  vi.mocked(api.periodsList).mockResolvedValue([period('2026-03')]);
  vi.mocked(api.customersGet).mockResolvedValue({ customer: customer('C-1', { unexpected_country: true }), activity: [], trades: [], purchases: [] });
  vi.mocked(api.partnerCompliance).mockResolvedValue({
    partner_id: 'P-1', status: 'active', allowed_countries: ['DE'], missing_documents: [],
    documents: [{
      document_id: 'D-1', partner_id: 'P-1', doc_type: 'id', file_name: 'passport.pdf', sha256: 'ab', media_type: 'application/pdf',
      size_bytes: 2048, status: 'submitted', uploaded_by: 'mark', uploaded_at: '2026-03-01', reviewed_by: null, reviewed_at: null, review_note: null,
    }],
    traffic_sources: [],
  });
});

const absent = (...ids: string[]) => ids.forEach((id) => expect(screen.queryByTestId(id)).not.toBeInTheDocument());

describe('a viewer', () => {
  it('sees no New partner button', async () => {
    renderAs(viewer, '/partners');
    expect(await screen.findByTestId('partner-row-P-1')).toBeInTheDocument();
    absent('partner-new');
  });

  it('sees a partner without Edit, Move, Archive, Add sub-partner, tracking code, Assign or KYC actions', async () => {
    renderAs(viewer, '/partners/P-1');
    expect(await screen.findByTestId('partner-title')).toBeInTheDocument();
    expect(await screen.findByTestId('doc-row-D-1')).toBeInTheDocument();
    absent('partner-edit', 'partner-move', 'partner-archive', 'partner-add-child', 'tc-add', 'assign-save', 'doc-upload',
      'doc-review-D-1', 'traffic-declare', 'countries-edit');
    expect(screen.getByTestId('countries-current')).toHaveTextContent('DE');
  });

  it('cannot run, close or export a period, nor create plans or brands', async () => {
    renderAs(viewer, '/commissions');
    expect(await screen.findByTestId('period-state')).toBeInTheDocument();
    absent('commissions-run', 'period-input', 'commissions-close', 'period-export');
  });

  it('has no New plan, Edit plan or brand form', async () => {
    renderAs(viewer, '/deals');
    expect(await screen.findByTestId('plan-row-casino')).toBeInTheDocument();
    absent('plan-new');
  });

  it('has no Edit plan button and no brand form in Settings', async () => {
    const { unmount } = renderAs(viewer, '/deals/casino');
    expect(await screen.findByTestId('plan-title')).toBeInTheDocument();
    absent('plan-edit');
    unmount();
    renderAs(viewer, '/settings');
    expect(await screen.findByTestId('brand-row-b1')).toBeInTheDocument();
    absent('brand-save');
  });

  it('sees Compliance with only the approvals queue: no Audit log, Users or Geo report, and cannot decide', async () => {
    vi.mocked(api.approvalsList).mockResolvedValue([approval(3, { can_decide: false, why_not: 'Your roles may not decide requests.' })]);
    renderAs(viewer, '/compliance?tab=audit');
    expect(await screen.findByTestId('compliance-tab-approvals')).toBeInTheDocument();
    absent('compliance-tab-audit', 'compliance-tab-users', 'compliance-tab-geo', 'audit-verify', 'threshold-input');
    expect(await screen.findByTestId('approval-3')).toBeInTheDocument();
    absent('approval-approve-3', 'approval-reject-3');
    expect(screen.getByTestId('approval-why-not-3')).toHaveTextContent('Your roles may not decide requests.');
    expect(api.auditEntries).not.toHaveBeenCalled();
  });

  it('is told, not shown a form, at the address of a form it may not use', async () => {
    renderAs(viewer, '/new-partner');
    expect(await screen.findByTestId('not-allowed')).toHaveTextContent('may not create partners');
    absent('pf-save');
  });

  it('cannot exclude a customer', async () => {
    renderAs(viewer, '/customers/C-1');
    expect(await screen.findByTestId('customer-flag-unexpected')).toBeInTheDocument();
    expect(screen.getByTestId('customer-review-country')).toBeInTheDocument();
    absent('customer-status-open');
  });

  it('sees in the frame who is signed in, with a sign-out button', async () => {
    renderAs(viewer, '/');
    expect(await screen.findByTestId('header-user')).toHaveTextContent('Victor');
    expect(screen.getByTestId('header-roles')).toHaveTextContent('viewer');
    expect(screen.getByTestId('signout')).toBeInTheDocument();
  });
});

describe('finance', () => {
  it('runs, closes and exports periods', async () => {
    renderAs(finance, '/commissions');
    expect(await screen.findByTestId('commissions-run')).toBeInTheDocument();
    expect(screen.getByTestId('commissions-close')).toBeInTheDocument();
    expect(screen.getByTestId('period-export')).toBeInTheDocument();
  });

  it('does not create partners or assign plans', async () => {
    renderAs(finance, '/partners');
    expect(await screen.findByTestId('partner-row-P-1')).toBeInTheDocument();
    absent('partner-new');
  });

  it('sees no Assign form on a partner', async () => {
    renderAs(finance, '/partners/P-1');
    expect(await screen.findByTestId('partner-deals')).toBeInTheDocument();
    absent('assign-save', 'partner-edit');
  });

  it('decides approvals but has no Audit log tab', async () => {
    vi.mocked(api.approvalsList).mockResolvedValue([approval(3)]);
    renderAs(finance, '/compliance');
    expect(await screen.findByTestId('approval-approve-3')).toBeInTheDocument();
    absent('compliance-tab-audit', 'compliance-tab-users');
  });
});

describe('the other roles', () => {
  it('a partner manager creates partners, assigns plans and declares traffic, but does not run periods or review documents', async () => {
    renderAs(manager, '/partners/P-1');
    expect(await screen.findByTestId('partner-edit')).toBeInTheDocument();
    expect(await screen.findByTestId('assign-save')).toBeInTheDocument();
    expect(await screen.findByTestId('traffic-declare')).toBeInTheDocument();
    expect(screen.getByTestId('doc-upload')).toBeInTheDocument();
    absent('doc-review-D-1', 'countries-edit');
  });

  it('compliance reviews documents, sets allowed countries, reads the audit log, and does not edit partners', async () => {
    renderAs(compliance, '/partners/P-1');
    expect(await screen.findByTestId('doc-review-D-1')).toBeInTheDocument();
    expect(screen.getByTestId('countries-edit')).toBeInTheDocument();
    absent('partner-edit', 'assign-save', 'traffic-declare');
  });

  it('an admin sees every tab of Compliance and the threshold setting', async () => {
    renderAs(session('ada', ['admin']), '/compliance');
    for (const t of ['approvals', 'geo', 'audit', 'users']) expect(await screen.findByTestId(`compliance-tab-${t}`)).toBeInTheDocument();
    expect(await screen.findByTestId('threshold-input')).toBeInTheDocument();
    expect(screen.getByTestId('threshold-current')).toHaveTextContent('Two approvers above 10000');
  });
});
