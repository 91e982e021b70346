// Defaults for the mocked api module: an empty, healthy core. Each test file
// calls vi.mock('../api') itself (it is hoisted per file), then this.
import { vi } from 'vitest';
import * as api from '../api';
import { appInfo, emptyDashboard, reportChoices, singleUser, smtpUnset } from './fixtures';

export function mockApiDefaults() {
  vi.mocked(api.inDesktop).mockReturnValue(true);
  vi.mocked(api.appInfo).mockResolvedValue(appInfo);
  vi.mocked(api.sessionGet).mockResolvedValue(singleUser);
  vi.mocked(api.approvalsList).mockResolvedValue([]);
  vi.mocked(api.approvalsThresholdGet).mockResolvedValue('10000');
  vi.mocked(api.auditEntries).mockResolvedValue({ total: 0, entries: [] });
  vi.mocked(api.geoReport).mockResolvedValue([]);
  vi.mocked(api.usersList).mockResolvedValue([]);
  vi.mocked(api.partnerCompliance).mockImplementation(async (id) => ({
    partner_id: id, status: 'active', documents: [], traffic_sources: [], allowed_countries: [], missing_documents: [],
  }));
  vi.mocked(api.partnerTimeline).mockResolvedValue([]);
  vi.mocked(api.brandsList).mockResolvedValue([]);
  vi.mocked(api.connectionsList).mockResolvedValue([]);
  vi.mocked(api.partnersSearch).mockResolvedValue({ total: 0, rows: [] });
  vi.mocked(api.partnersTree).mockResolvedValue([]);
  vi.mocked(api.onProgress).mockResolvedValue(() => {});
  vi.mocked(api.plansList).mockResolvedValue([]);
  vi.mocked(api.plansPreview).mockResolvedValue({ ok: false, description: '', field: 'plan_id', error: 'plan_id: is required (a string)' });
  vi.mocked(api.assignmentsOf).mockResolvedValue([]);
  vi.mocked(api.customersSearch).mockResolvedValue({ total: 0, rows: [] });
  vi.mocked(api.periodsList).mockResolvedValue([]);
  vi.mocked(api.commissionsTotals).mockResolvedValue([]);
  vi.mocked(api.commissionsLines).mockResolvedValue({ total: 0, rows: [] });
  vi.mocked(api.ledgerEntries).mockResolvedValue([]);
  vi.mocked(api.ledgerBalances).mockResolvedValue([]);
  vi.mocked(api.paymentDetailsGet).mockResolvedValue(null);
  vi.mocked(api.paymentDetailsPending).mockResolvedValue(null);
  vi.mocked(api.partnerPayoutGet).mockImplementation(async (id) => ({ partner_id: id, threshold: null, hold_reason: null }));
  vi.mocked(api.payoutRuns).mockResolvedValue([]);
  vi.mocked(api.payoutThresholds).mockResolvedValue([]);
  vi.mocked(api.operatorAccountGet).mockResolvedValue(null);
  vi.mocked(api.mailSmtpGet).mockResolvedValue(smtpUnset);
  vi.mocked(api.mailTemplatesList).mockResolvedValue([]);
  vi.mocked(api.mailOutboxList).mockResolvedValue({ rows: [], total: 0, counts: { queued: 0, sending: 0, sent: 0, failed: 0, cancelled: 0 } });
  vi.mocked(api.mailCommunicationLog).mockResolvedValue([]);
  vi.mocked(api.mailSegmentPreview).mockResolvedValue({ partners: 0, with_email: 0, without_email: 0, sample: [] });
  vi.mocked(api.mailSendDue).mockResolvedValue({ sent: 0, failed: 0, retry_later: 0, stopped: null });
  vi.mocked(api.reportsChoices).mockResolvedValue(reportChoices);
  vi.mocked(api.reportsView).mockResolvedValue({ table: { columns: [], units: [], rows: [] }, totals: { columns: [], units: [], rows: [] } });
  vi.mocked(api.reportsDashboard).mockImplementation(async (q) => emptyDashboard(q));
  vi.mocked(api.trackingSettingsGet).mockResolvedValue({ fallback_url: null, path_scheme: 'code', public_url: null });
  vi.mocked(api.trackingLandingGet).mockResolvedValue(null);
  vi.mocked(api.linksOfPartner).mockResolvedValue([]);
  vi.mocked(api.partnerPostbacksGet).mockResolvedValue([]);
  vi.mocked(api.partnerPostbacksLog).mockResolvedValue({ total: 0, rows: [] });
  vi.mocked(api.postbackSettingsGet).mockImplementation(async (brand) => ({ brand_id: brand, auth: 'hmac', window_secs: 300, secret_set: false }));
  vi.mocked(api.fraudFlagsPage).mockResolvedValue({ total: 0, rows: [] });
  vi.mocked(api.foldersDefault).mockImplementation(async (name) => (name ? `/home/anna/Downloads/${name}` : '/home/anna/Downloads'));
}
