import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import * as api from '../api';
import { mockApiDefaults } from '../test/apiMock';
import { approval, auditEntry, session } from '../test/fixtures';
import { renderAs, renderAt } from '../test/render';

vi.mock('../api');

beforeEach(() => {
  vi.resetAllMocks();
  mockApiDefaults();
});

const clara = session('clara', ['compliance']);
const ada = session('ada', ['admin']);

describe('approvals queue', () => {
  it('lists pending requests with maker, count and earlier decisions; filters by state on the server', async () => {
    vi.mocked(api.approvalsList).mockImplementation(async (status) =>
      status === 'approved'
        ? [approval(2, { status: 'approved', approvals: 1, decisions: [{ approver: 'fiona', decision: 'approve', reason: 'checked', at: '2026-03-03' }] })]
        : [approval(5, { required_approvals: 2, approvals: 1, amount: '25000', currency: 'EUR',
          decisions: [{ approver: 'fiona', decision: 'approve', reason: 'contract signed', at: '2026-03-02' }] })],
    );
    renderAs(clara, '/compliance');
    const card = await screen.findByTestId('approval-5');
    expect(api.approvalsList).toHaveBeenCalledWith('pending');
    expect(card).toHaveTextContent('Deal assignment');
    expect(card).toHaveTextContent('Requested by mark');
    expect(screen.getByTestId('approval-count-5')).toHaveTextContent('approvals 1/2');
    expect(screen.getByTestId('approval-decisions-5')).toHaveTextContent('fiona at 2026-03-02: “contract signed”');
    await userEvent.click(screen.getByRole('radio', { name: 'Approved' }));
    expect(await screen.findByTestId('approval-2')).toBeInTheDocument();
    expect(api.approvalsList).toHaveBeenLastCalledWith('approved');
    expect(screen.queryByTestId('approval-approve-2')).not.toBeInTheDocument();
  });

  it('needs a reason to approve, then sends it and refreshes the queue', async () => {
    vi.mocked(api.approvalsList).mockResolvedValueOnce([approval(7)]).mockResolvedValue([]);
    vi.mocked(api.approvalsDecide).mockResolvedValue(approval(7, { status: 'approved', approvals: 1 }));
    renderAs(clara, '/compliance');
    await userEvent.click(await screen.findByTestId('approval-approve-7'));
    const dialog = await screen.findByTestId('decide-dialog');
    await userEvent.click(within(dialog).getByTestId('decide-confirm'));
    expect(await screen.findByText('Give a reason for the decision.')).toBeInTheDocument();
    expect(api.approvalsDecide).not.toHaveBeenCalled();
    await userEvent.type(within(dialog).getByTestId('decide-reason'), '  documents complete  ');
    await userEvent.click(within(dialog).getByTestId('decide-confirm'));
    await waitFor(() => expect(api.approvalsDecide).toHaveBeenCalledWith(7, true, 'documents complete'));
    expect(await screen.findByTestId('approvals-empty')).toHaveTextContent('Nothing waits for approval.');
  });

  it("rejects with a reason and shows the core's refusal in the dialog", async () => {
    vi.mocked(api.approvalsList).mockResolvedValue([approval(8)]);
    vi.mocked(api.approvalsDecide).mockRejectedValue({ code: 'conflict', message: 'request #8 was already approved by fiona', field: null });
    renderAs(clara, '/compliance');
    await userEvent.click(await screen.findByTestId('approval-reject-8'));
    await userEvent.type(await screen.findByTestId('decide-reason'), 'no contract');
    await userEvent.click(screen.getByTestId('decide-confirm'));
    expect(await screen.findByTestId('decide-error')).toHaveTextContent('request #8 was already approved by fiona');
    expect(api.approvalsDecide).toHaveBeenCalledWith(8, false, 'no contract');
  });

  it('says why the maker cannot decide their own request', async () => {
    vi.mocked(api.approvalsList).mockResolvedValue([approval(9, { maker: 'clara', can_decide: false, why_not: 'You made this request; someone else must decide it.' })]);
    renderAs(clara, '/compliance');
    expect(await screen.findByTestId('approval-why-not-9')).toHaveTextContent('You made this request');
    expect(screen.queryByTestId('approval-approve-9')).not.toBeInTheDocument();
  });

  it('lets an admin set the two-approver threshold', async () => {
    vi.mocked(api.approvalsThresholdSet).mockResolvedValue('5000.00');
    renderAs(ada, '/compliance');
    await userEvent.type(await screen.findByTestId('threshold-input'), '5000.00{Enter}');
    await waitFor(() => expect(api.approvalsThresholdSet).toHaveBeenCalledWith('5000.00'));
    expect(await screen.findByTestId('threshold-current')).toHaveTextContent('Two approvers above 5000.00');
  });
});

describe('audit log', () => {
  it('shows entries newest first, filters on the server and opens before/after', async () => {
    vi.mocked(api.auditEntries).mockResolvedValue({ total: 2, entries: [auditEntry(12), auditEntry(11, { action: 'plan.save', object_type: 'plan' })] });
    renderAs(clara, '/compliance?tab=audit');
    expect(await screen.findByTestId('audit-total')).toHaveTextContent('2 entries');
    expect(api.auditEntries).toHaveBeenCalledWith({ actor: null, object_type: null, object_id: null, action: null, from: null, to: null, offset: 0, limit: 100 });
    await userEvent.click(screen.getByTestId('audit-row-12'));
    expect(screen.getByTestId('audit-before')).toHaveTextContent('"name": "Old"');
    expect(screen.getByTestId('audit-after')).toHaveTextContent('"name": "New"');
    await userEvent.type(screen.getByTestId('audit-filter-actor'), 'mark');
    fireEvent.change(screen.getByTestId('audit-filter-from'), { target: { value: '2026-03-01' } });
    await waitFor(() =>
      expect(api.auditEntries).toHaveBeenLastCalledWith(expect.objectContaining({ actor: 'mark', from: '2026-03-01', offset: 0 })),
    );
  });

  it('shows an intact chain in green', async () => {
    vi.mocked(api.auditVerify).mockResolvedValue({
      ok: true, entries: 120, head_seq: 120, head_hash: 'abc', broken_seq: null, broken_id: null, message: 'All 120 entries are intact.',
    });
    renderAs(clara, '/compliance?tab=audit');
    await userEvent.click(await screen.findByTestId('audit-verify'));
    const result = await screen.findByTestId('audit-verify-result');
    expect(result).toHaveTextContent('The chain is intact');
    expect(result).toHaveTextContent('All 120 entries are intact.');
    expect(result).toHaveAttribute('data-ok', 'true');
    expect(api.auditVerify).toHaveBeenCalledWith(null);
  });

  it('shows a broken chain in red, naming the first broken entry, checked against a kept head', async () => {
    vi.mocked(api.auditVerify).mockResolvedValue({
      ok: false, entries: 120, head_seq: 120, head_hash: 'abc', broken_seq: 57, broken_id: 57,
      message: 'Entry #57 does not match its hash: it was changed after it was written.',
    });
    renderAs(clara, '/compliance?tab=audit');
    await userEvent.type(await screen.findByTestId('audit-verify-head'), '130:ffee');
    await userEvent.click(screen.getByTestId('audit-verify'));
    const result = await screen.findByTestId('audit-verify-result');
    expect(result).toHaveTextContent('The chain is broken');
    expect(result).toHaveTextContent('Entry #57 does not match its hash');
    expect(result).toHaveTextContent('first broken entry #57');
    expect(result).toHaveAttribute('data-ok', 'false');
    expect(api.auditVerify).toHaveBeenCalledWith('130:ffee');
  });

  it('shows the head hash for safekeeping and exports the filtered log', async () => {
    vi.mocked(api.auditHead).mockResolvedValue('120:9f86d081884c7d65');
    vi.mocked(api.auditExport).mockResolvedValue('/home/clara/Downloads/partnerdesk-audit-1.csv');
    renderAs(clara, '/compliance?tab=audit');
    await userEvent.click(await screen.findByTestId('audit-head'));
    expect(await screen.findByTestId('audit-head-value')).toHaveTextContent('120:9f86d081884c7d65');
    expect(screen.getByTestId('audit-head-copy')).toBeInTheDocument();
    // How to keep the head outside the database is said where the head is shown.
    expect(screen.getByTestId('audit-head-guidance')).toHaveTextContent('partnerdesk audit head');
    await userEvent.click(screen.getByTestId('audit-export'));
    expect(await screen.findByTestId('audit-export-path')).toHaveTextContent('partnerdesk-audit-1.csv');
  });
});

describe('geo report', () => {
  it('lists partners sending blocked or unexpected traffic with a link to the partner', async () => {
    vi.mocked(api.geoReport).mockResolvedValue([{ partner_id: 'P-1', partner_name: 'Partner P-1', brand_id: 'b1', country: 'US', blocked: 3, unexpected: 0 }]);
    renderAs(clara, '/compliance?tab=geo');
    const row = await screen.findByTestId('geo-row-P-1-b1-US');
    expect(row).toHaveTextContent('3');
    expect(within(row).getByRole('link', { name: 'Partner P-1' })).toHaveAttribute('href', '/partners/P-1');
  });
});

describe('users', () => {
  it('adds a user with roles and says when the change waits for approval', async () => {
    vi.mocked(api.usersList).mockResolvedValue([{ user_id: 'ada', display_name: 'Ada', roles: ['admin'], disabled: false, created_at: '2026-01-01', row_version: 1 }]);
    vi.mocked(api.usersSave).mockResolvedValue({
      state: 'awaiting_approval', message: 'request #12 waits for approval: add user fiona',
      approval: approval(12, { kind: 'user.change', summary: 'Add user fiona (finance)' }),
    });
    renderAs(ada, '/compliance?tab=users');
    expect(await screen.findByTestId('user-row-ada')).toHaveTextContent('admin');
    await userEvent.click(screen.getByTestId('user-add'));
    await userEvent.type(await screen.findByTestId('user-id'), 'fiona');
    await userEvent.type(screen.getByTestId('user-display-name'), 'Fiona');
    await userEvent.click(screen.getByTestId('user-role-viewer'));
    await userEvent.click(screen.getByTestId('user-role-finance'));
    await userEvent.type(screen.getByTestId('user-password'), 'long enough secret');
    await userEvent.click(screen.getByTestId('user-save'));
    await waitFor(() =>
      expect(api.usersSave).toHaveBeenCalledWith({ user_id: 'fiona', display_name: 'Fiona', roles: ['finance'], disabled: false, password: 'long enough secret', row_version: null }),
    );
    expect(await screen.findByTestId('user-outcome')).toHaveTextContent('Add user fiona (finance): waits for approval (request #12)');
  });

  it('shows compliance the users without add or edit', async () => {
    vi.mocked(api.usersList).mockResolvedValue([{ user_id: 'ada', display_name: 'Ada', roles: ['admin'], disabled: true, created_at: '2026-01-01', row_version: 1 }]);
    renderAs(clara, '/compliance?tab=users');
    expect(await screen.findByTestId('user-row-ada')).toHaveTextContent('disabled');
    expect(screen.queryByTestId('user-add')).not.toBeInTheDocument();
    expect(screen.queryByTestId('user-edit-ada')).not.toBeInTheDocument();
  });
});

describe('single-user mode', () => {
  it('shows every Compliance tab', async () => {
    renderAt('/compliance');
    for (const t of ['approvals', 'geo', 'audit', 'users']) expect(await screen.findByTestId(`compliance-tab-${t}`)).toBeInTheDocument();
  });
});
