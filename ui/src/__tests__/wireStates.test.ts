// The core's states arrive as string-literal unions (generated from the
// domain's enums into ./bindings): comparing with a word the core does not
// have is a type error, not a condition that is silently never true.
import { describe, expect, it } from 'vitest';
import type {
  AdjustmentState,
  ApprovalStatus,
  ApprovalView,
  ConnectionView,
  CustomerRow,
  DocumentStatus,
  DocumentView,
  OutboxRow,
  PartnerRow,
  PaymentDetailsView,
  PayoutRunView,
  PeriodView,
  Role,
  SessionView,
  SyncRunView,
  TrafficSourceView,
} from '../bindings';
import { PARTNER_STATUSES } from '../options';

describe('states on the bridge', () => {
  it('are unions of the core words', () => {
    const statuses: ApprovalStatus[] = ['pending', 'approved', 'rejected'];
    const documents: DocumentStatus[] = ['submitted', 'approved', 'rejected'];
    const adjustments: AdjustmentState[] = ['pending', 'approved', 'rejected'];
    expect(statuses.length + documents.length + adjustments.length).toBe(9);
    expect(PARTNER_STATUSES.map((o) => o.value)).toEqual(['applied', 'pending_review', 'active', 'suspended', 'terminated']);
  });

  it('make a misspelt state a type error', () => {
    // Checked by tsc (`npx tsc --noEmit`): each line below must stay an
    // error, or tsc fails on the unused @ts-expect-error. Never run.
    const neverRun = (p: PartnerRow, a: ApprovalView, r: PayoutRunView, v: PeriodView, c: CustomerRow, m: OutboxRow, s: SyncRunView) => {
      // @ts-expect-error: a partner is 'active', never 'actve'
      void (p.status === 'actve');
      // @ts-expect-error: partner kinds are affiliate, ib, referral, media_buyer, influencer, strategic
      void (p.kind === 'streamer');
      // @ts-expect-error: requests are pending, approved or rejected
      void (a.status === 'aproved');
      // @ts-expect-error: decisions are approve or reject
      void (a.decisions[0]?.decision === 'approved');
      // @ts-expect-error: runs are draft, submitted, approved, exported, paid, failed or cancelled
      void (r.state === 'canceled');
      // @ts-expect-error: periods are computed or closed
      void (v.state === 'open');
      // @ts-expect-error: customers are active or excluded
      void (c.status === 'blocked');
      // @ts-expect-error: messages are queued, sending, sent, failed or cancelled
      void (m.status === 'delivered');
      // @ts-expect-error: sync runs are running, ok, ok_with_errors, failed, cancelled or interrupted
      void (s.status === 'error');
      // @ts-expect-error: a state is one of the words, not any text
      const made: PartnerRow['status'] = 'archived';
      void made;
      // The closed vocabularies that are not states are unions too.
      const more = (u: SessionView, d: DocumentView, t: TrafficSourceView, n: ConnectionView, pd: PaymentDetailsView) => {
        // @ts-expect-error: roles are admin, partner_manager, compliance, finance, viewer
        void u.roles.includes('partner_manger');
        // @ts-expect-error: a role is one of the words
        const role: Role = 'superuser';
        void role;
        // @ts-expect-error: request kinds are written with a dot: 'user.change'
        void (a.kind === 'user_change');
        // @ts-expect-error: document types are id, company_registration, proof_of_address
        void (d.doc_type === 'passport');
        // @ts-expect-error: traffic sources are website, social, paid, email, other
        void (t.kind === 'tiktok');
        // @ts-expect-error: connections are mt5, gaming, woocommerce, csv
        void (n.kind === 'mt4');
        // @ts-expect-error: payment methods are bank_transfer, e_wallet, crypto
        void (pd.method === 'paypal');
        void (u.roles.includes('partner_manager') && a.kind === 'payout.run' && d.doc_type === 'id' && n.kind === 'csv');
      };
      void more;
      // The right words type-check.
      void (p.status === 'active' && a.status === 'approved' && r.state === 'cancelled' && v.state === 'closed');
    };
    expect(typeof neverRun).toBe('function');
  });
});
