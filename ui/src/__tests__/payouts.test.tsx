import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { notifications } from '@mantine/notifications';
import * as api from '../api';
import type { PayoutRunDetail, PayoutRunView } from '../bindings';
import { mockApiDefaults } from '../test/apiMock';
import { approval, period, session } from '../test/fixtures';
import { renderAs, renderAt } from '../test/render';

vi.mock('../api');

function runView(id: number, over: Partial<PayoutRunView> = {}): PayoutRunView {
  return {
    run_id: id, pay_date: '2026-07-31', period: '2026-07', state: 'draft', created_at: '2026-08-01T09:00:00Z', created_by: 'alice',
    submitted_by: null, approved_by: null, exported_at: null, approval_id: null,
    totals: [{ currency: 'EUR', amount: '1234.50', payments: 2, paid: '0.00', failed: '0.00' },
      { currency: 'USD', amount: '99.99', payments: 1, paid: '0.00', failed: '0.00' }],
    held_count: 2, actions: ['submit', 'cancel'], ...over,
  };
}

function runDetail(run: PayoutRunView): PayoutRunDetail {
  return {
    run,
    items: [
      { partner_id: 'P-1', name: 'Zoë Šťastná', currency: 'EUR', amount: '1000.00', method: 'bank_transfer', holder: 'Zoë Šťastná',
        account: 'DE89370400440532013000', bic: 'COBADEFFXXX', state: 'pending', reference: null, failure_reason: null },
      { partner_id: 'P-2', name: 'Müller GmbH', currency: 'EUR', amount: '234.50', method: 'e_wallet', holder: 'skrill',
        account: 'm@example.com', bic: null, state: 'pending', reference: null, failure_reason: null },
      { partner_id: 'P-3', name: 'Sam', currency: 'USD', amount: '99.99', method: 'crypto', holder: 'USDT-TRC20',
        account: 'TXYZ', bic: null, state: 'pending', reference: null, failure_reason: null },
    ],
    held: [
      { partner_id: 'P-4', name: 'No Details', currency: 'EUR', amount: '300.00', reason: 'no payment details on file' },
      { partner_id: 'P-5', name: 'On Hold', currency: 'EUR', amount: '80.00', reason: 'compliance hold: KYC documents expired' },
    ],
  };
}

const finance = (user: string) => session(user, ['finance']);

beforeEach(() => {
  notifications.clean();
  notifications.cleanQueue();
  vi.resetAllMocks();
  mockApiDefaults();
});

describe('payouts page', () => {
  it('is in the navigation and lists runs with state, dates, totals per currency and who acted', async () => {
    vi.mocked(api.payoutRuns).mockResolvedValue([
      runView(1, { state: 'paid', submitted_by: 'alice', approved_by: 'bob', actions: [] }),
      runView(2),
    ]);
    renderAt('/payouts');
    const rows = await screen.findAllByTestId(/^run-row-/);
    expect(rows.map((r) => r.getAttribute('data-testid'))).toEqual(['run-row-2', 'run-row-1']);
    expect(screen.getByTestId('run-state-1')).toHaveTextContent('paid');
    expect(screen.getByTestId('run-row-1')).toHaveTextContent('2026-07-31');
    expect(screen.getByTestId('run-row-1')).toHaveTextContent('bob');
    expect(screen.getByTestId('run-1-total-EUR')).toHaveTextContent('1,234.50 EUR');
    expect(screen.getByTestId('run-1-total-USD')).toHaveTextContent('99.99 USD');
    expect(screen.queryByTestId('placeholder')).not.toBeInTheDocument();
  });

  it('creates a run for a date and opens it', async () => {
    const created = runDetail(runView(7));
    vi.mocked(api.payoutRunCreate).mockResolvedValue(created);
    vi.mocked(api.payoutRunGet).mockResolvedValue(created);
    renderAt('/payouts');
    await userEvent.type(await screen.findByTestId('run-date'), '2026-07-31');
    await userEvent.click(screen.getByTestId('run-create'));
    await waitFor(() => expect(api.payoutRunCreate).toHaveBeenCalledWith('2026-07-31', null));
    expect(await screen.findByTestId('run-detail')).toHaveTextContent('Run #7');
  });

  it('shows the core refusing a run with nothing to pay', async () => {
    vi.mocked(api.payoutRunCreate).mockRejectedValue({ code: 'refused', field: null, message: 'nothing to pay on 2026-07-31: no payable balance reaches its threshold' });
    renderAt('/payouts');
    await userEvent.type(await screen.findByTestId('run-date'), '2026-07-31');
    await userEvent.click(screen.getByTestId('run-create'));
    expect(await screen.findByTestId('run-create-error')).toHaveTextContent('nothing to pay');
  });

  it("shows a run's payments, held partners with their reasons and totals per currency", async () => {
    vi.mocked(api.payoutRuns).mockResolvedValue([runView(3)]);
    vi.mocked(api.payoutRunGet).mockResolvedValue(runDetail(runView(3)));
    renderAt('/payouts/3');
    expect(await screen.findByTestId('run-detail')).toBeInTheDocument();
    expect(screen.getByTestId('item-P-1-EUR')).toHaveTextContent('Zoë Šťastná');
    expect(screen.getByTestId('item-P-1-EUR')).toHaveTextContent('1,000.00');
    expect(screen.getByTestId('item-P-1-EUR')).toHaveTextContent('Bank transfer');
    expect(screen.getByTestId('item-state-P-3-USD')).toHaveTextContent('pending');
    expect(screen.getByTestId('held-reason-P-4-EUR')).toHaveTextContent('no payment details on file');
    expect(screen.getByTestId('held-reason-P-5-EUR')).toHaveTextContent('compliance hold: KYC documents expired');
    expect(screen.getByTestId('run-total-EUR')).toHaveTextContent('1,234.50');
    expect(screen.getByTestId('run-total-USD')).toHaveTextContent('99.99');
  });

  it('offers submit and cancel on a draft to finance, nothing to a viewer', async () => {
    vi.mocked(api.payoutRunGet).mockResolvedValue(runDetail(runView(3)));
    vi.mocked(api.payoutRunSubmit).mockResolvedValue(runDetail(runView(3, { state: 'submitted', submitted_by: 'alice', actions: ['approve', 'reject', 'cancel'] })));
    const { unmount } = renderAs(finance('alice'), '/payouts/3');
    await userEvent.click(await screen.findByTestId('run-submit'));
    await waitFor(() => expect(api.payoutRunSubmit).toHaveBeenCalledWith(3));
    expect(screen.getByTestId('run-cancel')).toBeInTheDocument();
    unmount();
    renderAs(session('vera', ['viewer']), '/payouts/3');
    expect(await screen.findByTestId('run-detail')).toBeInTheDocument();
    expect(screen.queryByTestId('run-submit')).not.toBeInTheDocument();
    expect(screen.queryByTestId('run-cancel')).not.toBeInTheDocument();
    expect(screen.queryByTestId('create-run')).not.toBeInTheDocument();
    expect(screen.queryByTestId('run-export')).not.toBeInTheDocument();
  });

  it('never offers approval to the user who created a run when someone else submitted it (four eyes)', async () => {
    const submitted = runView(4, { state: 'submitted', created_by: 'carl', submitted_by: 'alice', approval_id: 11, actions: ['approve', 'reject', 'cancel'] });
    vi.mocked(api.payoutRunGet).mockResolvedValue(runDetail(submitted));
    renderAs(finance('carl'), '/payouts/4');
    expect(await screen.findByTestId('run-four-eyes')).toHaveTextContent('You created this run: another finance user');
    expect(screen.queryByTestId('run-approve')).not.toBeInTheDocument();
  });

  it('never offers approval to the submitter (four eyes), and asks another approver for a reason', async () => {
    const submitted = runView(4, { state: 'submitted', submitted_by: 'alice', approval_id: 11, actions: ['approve', 'reject', 'cancel'] });
    vi.mocked(api.payoutRunGet).mockResolvedValue(runDetail(submitted));
    vi.mocked(api.approvalsList).mockResolvedValue([approval(11, { kind: 'payout.run', kind_label: 'Payout run', object_type: 'payout_run', object_id: '4',
      amount: '12000.00', currency: 'EUR', required_approvals: 2, approvals: 0, maker: 'alice' })]);
    const { unmount } = renderAs(finance('alice'), '/payouts/4');
    expect(await screen.findByTestId('run-four-eyes')).toHaveTextContent('another finance user');
    expect(screen.queryByTestId('run-approve')).not.toBeInTheDocument();
    unmount();

    // Bob approves with a reason; above the threshold the run stays submitted: 1 of 2.
    vi.mocked(api.payoutRunApprove).mockResolvedValue(runDetail(submitted));
    renderAs(finance('bob'), '/payouts/4');
    expect(await screen.findByTestId('run-approval-count')).toHaveTextContent('0 of 2 approvals');
    await userEvent.click(screen.getByTestId('run-approve'));
    await userEvent.click(await screen.findByTestId('run-decide-confirm'));
    expect(screen.getByTestId('run-decide-reason-error')).toHaveTextContent('Give a reason');
    expect(api.payoutRunApprove).not.toHaveBeenCalled();
    await userEvent.type(screen.getByTestId('run-decide-reason'), 'checked against the ledger');
    vi.mocked(api.approvalsList).mockResolvedValue([approval(11, { kind: 'payout.run', object_id: '4', amount: '12000.00', currency: 'EUR',
      required_approvals: 2, approvals: 1, maker: 'alice', can_decide: false, why_not: 'you approved this request already',
      decisions: [{ approver: 'bob', decision: 'approve', reason: 'checked against the ledger', at: '2026-08-02T10:00:00Z' }] })]);
    await userEvent.click(screen.getByTestId('run-decide-confirm'));
    await waitFor(() => expect(api.payoutRunApprove).toHaveBeenCalledWith(4, 'checked against the ledger'));
    expect(await screen.findByTestId('run-approval-count')).toHaveTextContent('1 of 2 approvals');
    expect(screen.getByTestId('run-approval')).toHaveTextContent('waits for a second approver');
    expect(await screen.findByTestId('run-approval-why-not')).toHaveTextContent('you approved this request already');
    expect(screen.getByTestId('run-approval')).toHaveTextContent('12000.00 EUR is above the two-approver threshold');
    expect(screen.queryByTestId('run-approve')).not.toBeInTheDocument();
  });

  it('exports an approved run into the Downloads folder, changeable, and shows an unwritable folder', async () => {
    const approved = runView(5, { state: 'approved', submitted_by: 'alice', approved_by: 'bob', actions: ['export'] });
    vi.mocked(api.payoutRunGet).mockResolvedValue(runDetail(approved));
    vi.mocked(api.payoutRunExport)
      .mockRejectedValueOnce({ code: 'io', field: null, message: 'cannot write /root/x; choose a folder you can write to: Permission denied' })
      .mockResolvedValueOnce({ folder: '/tmp/pay', files: ['/tmp/pay/payments-run-5.csv', '/tmp/pay/sepa-run-5.xml'], sepa_payments: 1 });
    renderAs(finance('bob'), '/payouts/5');
    const field = await screen.findByTestId('run-export-folder');
    await waitFor(() => expect(field).toHaveValue('/home/anna/Downloads'));
    await userEvent.clear(field);
    await userEvent.type(field, '/root/x');
    await userEvent.click(screen.getByTestId('run-export-write'));
    expect(await screen.findByTestId('run-export-folder-error')).toHaveTextContent('choose a folder you can write to');
    await userEvent.clear(field);
    await userEvent.type(field, '/tmp/pay');
    await userEvent.click(screen.getByTestId('run-export-write'));
    await waitFor(() => expect(api.payoutRunExport).toHaveBeenLastCalledWith(5, '/tmp/pay', false));
    expect(await screen.findByTestId('run-export-files')).toHaveTextContent('sepa-run-5.xml');
  });

  it('settles an exported run: paid with a reference, failed with a reason', async () => {
    const exported = runView(6, { state: 'exported', actions: ['settle'] });
    vi.mocked(api.payoutRunGet).mockResolvedValue(runDetail(exported));
    vi.mocked(api.payoutRunSettle).mockResolvedValue(runDetail(exported));
    renderAs(finance('bob'), '/payouts/6');
    await userEvent.selectOptions(await screen.findByTestId('settle-outcome-P-1-EUR'), 'paid');
    await userEvent.selectOptions(screen.getByTestId('settle-outcome-P-3-USD'), 'failed');
    await userEvent.click(screen.getByTestId('settle-save'));
    expect(api.payoutRunSettle).not.toHaveBeenCalled();
    await userEvent.type(screen.getByTestId('settle-note-P-1-EUR'), 'BANK-REF-1');
    await userEvent.type(screen.getByTestId('settle-note-P-3-USD'), 'wallet closed');
    await userEvent.click(screen.getByTestId('settle-save'));
    await waitFor(() => expect(api.payoutRunSettle).toHaveBeenCalledWith(6, [
      { partner_id: 'P-1', currency: 'EUR', outcome: 'paid', note: 'BANK-REF-1' },
      { partner_id: 'P-3', currency: 'USD', outcome: 'failed', note: 'wallet closed' },
    ]));
  });

  it('writes statements for a run with a progress bar, and shows an unwritable folder', async () => {
    const exported = runView(8, { state: 'exported', actions: ['settle'] });
    vi.mocked(api.payoutRunGet).mockResolvedValue(runDetail(exported));
    let emit: (e: { task: string; done: number; total: number; message: string }) => void = () => {};
    vi.mocked(api.onProgress).mockImplementation(async (h) => { emit = h; return () => {}; });
    let finish: (v: { folder: string; files: string[] }) => void = () => {};
    vi.mocked(api.statementsForRun)
      .mockRejectedValueOnce({ code: 'refused', field: null, message: 'cannot write statements into /proc/x: Permission denied; choose a folder you may write to' })
      .mockImplementationOnce(() => new Promise((r) => { finish = r; }));
    renderAs(finance('bob'), '/payouts/8');
    const field = await screen.findByTestId('statements-folder');
    await waitFor(() => expect((field as HTMLInputElement).value).toMatch(/^\/home\/anna\/Downloads\/partnerdesk-statements-run-8-/));
    await userEvent.click(screen.getByTestId('statements-write'));
    expect(await screen.findByTestId('statements-folder-error')).toHaveTextContent('cannot write statements into');
    await userEvent.click(screen.getByTestId('statements-write'));
    expect(await screen.findByTestId('statements-progress-unknown')).toBeInTheDocument();
    emit({ task: 'statements', done: 3, total: 10, message: '' });
    expect(await screen.findByTestId('statements-progress')).toHaveTextContent('3 of 10 statements written');
    finish({ folder: '/home/anna/Downloads/s', files: ['a.pdf', 'b.pdf'] });
    expect(await screen.findByTestId('statements-result')).toHaveTextContent('Wrote 2 statements');
  });

  it('exports balances and a run as XLSX', async () => {
    vi.mocked(api.payoutRunGet).mockResolvedValue(runDetail(runView(9)));
    vi.mocked(api.exportRun).mockResolvedValue({ path: '/home/anna/Downloads/payout-run-9.xlsx', format: 'xlsx', rows: 3 });
    renderAs(finance('bob'), '/payouts/9');
    await userEvent.click(await screen.findByTestId('run-table-export-xlsx'));
    await waitFor(() => expect(api.exportRun).toHaveBeenCalledWith(9, 'xlsx'));
    expect(await screen.findByTestId('run-table-export-path')).toHaveTextContent('payout-run-9.xlsx');
  });

  it("exports a period's lines as XLSX from Commissions (not offered to a viewer)", async () => {
    vi.mocked(api.periodsList).mockResolvedValue([period('2026-07', { state: 'closed' })]);
    vi.mocked(api.exportLines).mockResolvedValue({ path: '/home/anna/Downloads/commission-lines-2026-07.xlsx', format: 'xlsx', rows: 40 });
    const { unmount } = renderAs(finance('bob'), '/commissions?period=2026-07');
    await userEvent.click(await screen.findByTestId('lines-export-xlsx'));
    await waitFor(() => expect(api.exportLines).toHaveBeenCalledWith('2026-07', 'xlsx'));
    expect(await screen.findByTestId('lines-export-path')).toHaveTextContent('commission-lines-2026-07.xlsx');
    unmount();
    renderAs(session('vera', ['viewer']), '/commissions?period=2026-07');
    expect(await screen.findByTestId('period-select')).toBeInTheDocument();
    expect(screen.queryByTestId('lines-export-xlsx')).not.toBeInTheDocument();
  });

  it('lists balances and sets a minimum payout per currency', async () => {
    vi.mocked(api.ledgerBalances).mockResolvedValue([
      { partner_id: 'P-1', name: 'Zoë', currency: 'EUR', balance: '1234567.89', unclaimed: '0.00', entries: 4 },
    ]);
    vi.mocked(api.payoutThresholdSet).mockResolvedValue(null);
    renderAs(finance('bob'), '/payouts');
    await userEvent.click(await screen.findByTestId('tab-balances'));
    expect(await screen.findByTestId('balance-P-1-EUR')).toHaveTextContent('1,234,567.89');
    await userEvent.click(screen.getByTestId('tab-payout-settings'));
    await userEvent.type(await screen.findByTestId('threshold-currency'), 'EUR');
    await userEvent.type(screen.getByTestId('threshold-amount'), '50.00');
    await userEvent.click(screen.getByTestId('threshold-save'));
    await waitFor(() => expect(api.payoutThresholdSet).toHaveBeenCalledWith('EUR', '50.00'));
  });
});

describe('partner balance', () => {
  const entry = (id: number, over: Partial<import('../bindings').LedgerEntryView> = {}): import('../bindings').LedgerEntryView => ({
    entry_id: id, partner_id: 'P-1', currency: 'EUR', kind: 'commission', amount: '100.00', balance: '100.00', effective_date: '2026-07-31',
    period: '2026-07', brand_id: 'CAS', line_kind: 'revshare', reverses: null, run_id: null, claimed_by_run: null, reason: '',
    posted_at: '2026-08-01T00:00:00Z', posted_by: 'alice', ...over,
  });

  beforeEach(async () => {
    const { detail, partner } = await import('../test/fixtures');
    vi.mocked(api.partnersGet).mockResolvedValue(detail(partner('P-1')));
  });

  it('shows the balance per currency, the chart and the entries', async () => {
    vi.mocked(api.ledgerEntries).mockResolvedValue([
      entry(1),
      entry(2, { amount: '50.25', balance: '150.25', effective_date: '2026-08-31', period: '2026-08' }),
      entry(3, { kind: 'payout', amount: '-150.25', balance: '0.00', effective_date: '2026-09-05', run_id: 4, reason: 'payout run 4' }),
      entry(4, { currency: 'USD', amount: '20.00', balance: '20.00' }),
    ]);
    vi.mocked(api.paymentDetailsGet).mockResolvedValue({ partner_id: 'P-1', method: 'bank_transfer', holder: 'Zoë', account: 'DE89370400440532013000',
      bic: null, updated_at: '', updated_by: 'bob' });
    renderAt('/partners/P-1');
    expect(await screen.findByTestId('balance-EUR')).toHaveTextContent('0.00 EUR');
    expect(screen.getByTestId('balance-USD')).toHaveTextContent('20.00 USD');
    expect(screen.getByTestId('balance-line-EUR')).toBeInTheDocument();
    expect(screen.getByTestId('balance-line-USD')).toBeInTheDocument();
    expect(within(screen.getByTestId('ledger-entries')).getByTestId('entry-3')).toHaveTextContent('run #4');
    expect(screen.getByTestId('payment-details-current')).toHaveTextContent('Bank transfer: Zoë · DE89370400440532013000');
  });

  it('requests a manual adjustment and says it waits for approval', async () => {
    vi.mocked(api.ledgerAdjust).mockResolvedValue({ adjustment_id: 12, partner_id: 'P-1', currency: 'EUR', amount: '-10.50', reverses: null,
      reason: 'duplicate bonus', state: 'pending', requested_by: 'anna', requested_at: '', decided_by: null, decided_at: null, entry_id: null });
    renderAt('/partners/P-1');
    await userEvent.type(await screen.findByTestId('adjust-amount'), '-10.50');
    await userEvent.type(screen.getByTestId('adjust-reason'), 'duplicate bonus');
    await userEvent.click(screen.getByTestId('adjust-submit'));
    await waitFor(() => expect(api.ledgerAdjust).toHaveBeenCalledWith('P-1', '-10.50', 'duplicate bonus'));
    expect(await screen.findByTestId('adjust-outcome')).toHaveTextContent('#12 of -10.50 EUR waits for approval');
  });

  it('puts a partner on hold with a reason and its own minimum; a viewer only sees them', async () => {
    vi.mocked(api.partnerPayoutSet).mockResolvedValue(null);
    const { unmount } = renderAs(finance('bob'), '/partners/P-1');
    expect(await screen.findByTestId('partner-hold')).toHaveTextContent('Not on hold');
    await userEvent.click(screen.getByTestId('partner-payout-edit'));
    await userEvent.type(screen.getByTestId('partner-threshold-input'), '250.00');
    await userEvent.type(screen.getByTestId('partner-hold-input'), 'KYC documents expired');
    vi.mocked(api.partnerPayoutGet).mockResolvedValue({ partner_id: 'P-1', threshold: '250.00', hold_reason: 'KYC documents expired' });
    await userEvent.click(screen.getByTestId('partner-payout-save'));
    await waitFor(() => expect(api.partnerPayoutSet).toHaveBeenCalledWith('P-1', '250.00', 'KYC documents expired'));
    expect(await screen.findByTestId('partner-hold')).toHaveTextContent('On hold: KYC documents expired');
    expect(screen.getByTestId('partner-threshold')).toHaveTextContent('250.00 EUR');
    unmount();
    renderAs(session('vera', ['viewer']), '/partners/P-1');
    expect(await screen.findByTestId('partner-hold')).toHaveTextContent('On hold');
    expect(screen.queryByTestId('partner-payout-edit')).not.toBeInTheDocument();
  });

  it('shows a change of payment details that waits for approval next to the details in force', async () => {
    vi.mocked(api.paymentDetailsGet).mockResolvedValue({ partner_id: 'P-1', method: 'bank_transfer', holder: 'Zoë', account: 'DE89370400440532013000',
      bic: null, updated_at: '', updated_by: 'bob' });
    vi.mocked(api.paymentDetailsPending).mockResolvedValue({ approval_id: 9, requested_by: 'fred', requested_at: '2026-08-02T10:00:00Z',
      summary: 'payment details of P-1: bank transfer, Zoë, IBAN ••••3000 → bank transfer, Zoë, IBAN ••••2606', method: 'bank_transfer',
      holder: 'Zoë', account: 'FR1420041010050500013M02606', bic: null });
    renderAs(finance('bob'), '/partners/P-1');
    const box = await screen.findByTestId('payment-details-pending');
    expect(box).toHaveTextContent('request #9');
    expect(box).toHaveTextContent('Bank transfer: Zoë · FR1420041010050500013M02606');
    expect(box).toHaveTextContent('Asked for by fred at 2026-08-02T10:00:00Z');
    expect(screen.getByTestId('payment-details-current')).toHaveTextContent('DE89370400440532013000');
    expect(screen.getByTestId('payment-details-edit')).toBeDisabled();
  });

  it('says that new payment details wait for another finance user', async () => {
    vi.mocked(api.paymentDetailsSet).mockResolvedValue({ state: 'awaiting_approval', approval: null,
      message: 'queued for approval as request #9; the new details take effect when another finance user approves' });
    renderAs(finance('bob'), '/partners/P-1');
    await userEvent.click(await screen.findByTestId('payment-details-edit'));
    await userEvent.type(screen.getByTestId('details-holder'), 'Zoë');
    await userEvent.type(screen.getByTestId('details-account'), 'DE89370400440532013000');
    await userEvent.click(screen.getByTestId('details-save'));
    await waitFor(() => expect(api.paymentDetailsSet).toHaveBeenCalledWith('P-1', 'bank_transfer', 'Zoë', 'DE89370400440532013000', null));
    expect(await screen.findByText(/queued for approval as request #9/)).toBeInTheDocument();
  });

  it('shows an invalid IBAN under the account field; viewers cannot edit or adjust', async () => {
    vi.mocked(api.paymentDetailsSet).mockRejectedValue({ code: 'invalid', field: 'iban', message: "'DE00' is not a valid IBAN: the check digits do not match" });
    const { unmount } = renderAt('/partners/P-1');
    await userEvent.click(await screen.findByTestId('payment-details-edit'));
    await userEvent.type(screen.getByTestId('details-holder'), 'Zoë');
    await userEvent.type(screen.getByTestId('details-account'), 'DE00');
    await userEvent.click(screen.getByTestId('details-save'));
    expect(await screen.findByText(/is not a valid IBAN/)).toBeInTheDocument();
    unmount();
    renderAs(session('vera', ['viewer']), '/partners/P-1');
    expect(await screen.findByTestId('payment-details-current')).toHaveTextContent('None');
    expect(screen.queryByTestId('payment-details-edit')).not.toBeInTheDocument();
    expect(screen.queryByTestId('adjust-form')).not.toBeInTheDocument();
  });
});
