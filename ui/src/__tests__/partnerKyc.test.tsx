import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import * as api from '../api';
import type { DocumentView, PartnerCompliance } from '../bindings';
import { readAsBase64, parseCountries } from '../pages/partners/PartnerKyc';
import { mockApiDefaults } from '../test/apiMock';
import { approval, auditEntry, customer, detail, partner, session } from '../test/fixtures';
import { renderAs, renderAt } from '../test/render';
import { notifications } from '@mantine/notifications';

vi.mock('../api');

const doc = (id: string, over: Partial<DocumentView> = {}): DocumentView => ({
  document_id: id, partner_id: 'P-1', doc_type: 'id', file_name: 'passport.pdf', sha256: 'ab12', media_type: 'application/pdf',
  size_bytes: 4096, status: 'submitted', uploaded_by: 'mark', uploaded_at: '2026-03-01T09:00:00Z', reviewed_by: null, reviewed_at: null,
  review_note: null, ...over,
});

const picture = (over: Partial<PartnerCompliance> = {}): PartnerCompliance => ({
  partner_id: 'P-1', status: 'pending_review', documents: [doc('D-1')], allowed_countries: [],
  missing_documents: ['id', 'company_registration', 'proof_of_address'],
  traffic_sources: [{ source_id: 'T-1', partner_id: 'P-1', kind: 'website', value: 'https://casino-reviews.example', status: 'pending',
    declared_by: 'mark', declared_at: '2026-03-01', decided_by: null, decided_at: null }],
  ...over,
});

beforeEach(() => {
  // Notifications are global and show at most a few at once: start each test without the last one's.
  notifications.clean();
  notifications.cleanQueue();
  vi.resetAllMocks();
  mockApiDefaults();
  vi.mocked(api.partnersGet).mockResolvedValue(detail(partner('P-1')));
  vi.mocked(api.partnerCompliance).mockResolvedValue(picture());
});

describe('partner compliance', () => {
  it('shows documents, what is missing, traffic sources and the timeline oldest first', async () => {
    vi.mocked(api.partnerTimeline).mockResolvedValue([
      auditEntry(1, { action: 'partner.create', actor: 'mark', before: null, after: '{"name":"P"}' }),
      auditEntry(4, { action: 'kyc.document.upload', actor: 'mark' }),
    ]);
    renderAt('/partners/P-1');
    expect(await screen.findByTestId('doc-row-D-1')).toHaveTextContent('passport.pdf');
    expect(screen.getByTestId('doc-missing')).toHaveTextContent('ID document, Company registration, Proof of address');
    expect(screen.getByTestId('traffic-row-T-1')).toHaveTextContent('https://casino-reviews.example');
    expect(screen.getByTestId('countries-current')).toHaveTextContent('Any country');
    const rows = await screen.findAllByTestId(/^timeline-row-/);
    expect(rows.map((r) => r.getAttribute('data-testid'))).toEqual(['timeline-row-1', 'timeline-row-4']);
    await userEvent.click(rows[0]!);
    expect(screen.getByTestId('audit-before')).toHaveTextContent('—');
  });

  it('uploads a picked file as base64 with its type', async () => {
    vi.mocked(api.documentsUpload).mockResolvedValue(doc('D-2', { doc_type: 'proof_of_address', file_name: 'bill.pdf' }));
    renderAt('/partners/P-1');
    await userEvent.selectOptions(await screen.findByTestId('doc-type'), 'proof_of_address');
    const input = document.querySelector('input[type="file"]') as HTMLInputElement;
    await userEvent.upload(input, new File(['%PDF-1.4 hello'], 'bill.pdf', { type: 'application/pdf' }));
    await userEvent.click(screen.getByTestId('doc-upload'));
    await waitFor(() => expect(api.documentsUpload).toHaveBeenCalledWith('P-1', 'proof_of_address', 'bill.pdf', btoa('%PDF-1.4 hello')));
  });

  it('refuses a file over 10 MB before sending it, and shows the core refusing a file that lies about its type', async () => {
    vi.mocked(api.documentsUpload).mockRejectedValue({ code: 'invalid', field: 'content', message: 'notes.pdf is not a PDF, JPEG or PNG (by its content)' });
    renderAt('/partners/P-1');
    const input = (await screen.findByTestId('partner-documents')).querySelector('input[type="file"]') as HTMLInputElement;
    const big = new File(['x'], 'scan.png', { type: 'image/png' });
    Object.defineProperty(big, 'size', { value: 11 * 1024 * 1024 });
    await userEvent.upload(input, big);
    await userEvent.click(screen.getByTestId('doc-upload'));
    expect(await screen.findByTestId('doc-error')).toHaveTextContent('documents may be at most 10 MB');
    expect(api.documentsUpload).not.toHaveBeenCalled();
    await userEvent.upload(input, new File(['just text'], 'notes.pdf', { type: 'application/pdf' }));
    await userEvent.click(screen.getByTestId('doc-upload'));
    expect(await screen.findByTestId('doc-error')).toHaveTextContent('is not a PDF, JPEG or PNG');
  });

  it('reviews a document with a required note; the outcome may wait for approval', async () => {
    vi.mocked(api.documentsReview).mockResolvedValue({
      state: 'awaiting_approval', message: 'waits', approval: approval(21, { summary: 'Approve ID document of P-1' }),
    });
    renderAs(session('clara', ['compliance']), '/partners/P-1');
    await userEvent.click(await screen.findByTestId('doc-review-D-1'));
    const dialog = await screen.findByTestId('doc-review-dialog');
    await userEvent.click(within(dialog).getByTestId('doc-review-approve'));
    expect(await within(dialog).findByText('Write a note for the review.')).toBeInTheDocument();
    expect(api.documentsReview).not.toHaveBeenCalled();
    await userEvent.type(within(dialog).getByTestId('doc-review-note'), 'matches the register');
    await userEvent.click(within(dialog).getByTestId('doc-review-approve'));
    await waitFor(() => expect(api.documentsReview).toHaveBeenCalledWith('D-1', true, 'matches the register'));
    expect(await screen.findByText('Approve ID document of P-1: waits for approval (request #21)')).toBeInTheDocument();
  });

  it('declares a traffic source', async () => {
    vi.mocked(api.trafficSourcesDeclare).mockResolvedValue({ state: 'awaiting_approval', message: 'waits', approval: approval(22) });
    renderAt('/partners/P-1');
    await userEvent.selectOptions(await screen.findByTestId('traffic-kind'), 'social');
    await userEvent.type(screen.getByTestId('traffic-value'), '@casino_tips');
    await userEvent.click(screen.getByTestId('traffic-declare'));
    await waitFor(() => expect(api.trafficSourcesDeclare).toHaveBeenCalledWith('P-1', 'social', '@casino_tips'));
  });

  it('sets allowed countries from a comma list', async () => {
    vi.mocked(api.allowedCountriesSet).mockResolvedValue(['DE', 'AT']);
    renderAt('/partners/P-1');
    await userEvent.click(await screen.findByTestId('countries-edit'));
    await userEvent.type(screen.getByTestId('countries-input'), 'de, at de{Enter}');
    await waitFor(() => expect(api.allowedCountriesSet).toHaveBeenCalledWith('P-1', ['DE', 'AT']));
  });

  it('lists the requests about this partner that wait for approval', async () => {
    vi.mocked(api.approvalsList).mockResolvedValue([
      approval(31, { kind: 'partner.activate', kind_label: 'Partner activation', object_type: 'partner', object_id: 'P-1', summary: 'activate P-1' }),
      approval(32, { object_type: 'assignment', object_id: 'P-1/b1' }),
      approval(33, { kind_label: 'KYC review', object_type: 'document', object_id: 'D-1' }),
      approval(34, { object_type: 'partner', object_id: 'P-10' }),
    ]);
    renderAt('/partners/P-1');
    expect(await screen.findByTestId('partner-pending-31')).toHaveTextContent('activate P-1');
    expect(screen.getByTestId('partner-pending-32')).toBeInTheDocument();
    expect(screen.getByTestId('partner-pending-33')).toBeInTheDocument();
    expect(screen.getByTestId('doc-waiting-D-1')).toHaveTextContent('review waits for approval (request #33)');
    expect(screen.queryByTestId('doc-review-D-1')).not.toBeInTheDocument();
    expect(screen.queryByTestId('partner-pending-34')).not.toBeInTheDocument();
    expect(api.approvalsList).toHaveBeenCalledWith('pending');
  });

  it('says when activating a partner waits for approval', async () => {
    vi.mocked(api.partnersGet).mockResolvedValue(detail(partner('P-1', { status: 'pending_review' })));
    vi.mocked(api.partnersEdit).mockResolvedValue(partner('P-1', { status: 'pending_review' }));
    renderAt('/partners/P-1/edit');
    await userEvent.selectOptions(await screen.findByTestId('pf-status'), 'active');
    await userEvent.click(screen.getByTestId('pf-save'));
    await waitFor(() => expect(api.partnersEdit).toHaveBeenCalled());
    expect(await screen.findByText(/Activating P-1 waits for approval/)).toBeInTheDocument();
  });

  it('parses country lists and reads files as base64', async () => {
    expect(parseCountries(' de;FR,, at  fr ')).toEqual(['DE', 'FR', 'AT']);
    expect(parseCountries('')).toEqual([]);
    expect(await readAsBase64(new Blob([new Uint8Array([0x89, 0x50, 0x4e, 0x47])]))).toBe('iVBORw==');
  });
});

describe('customer status', () => {
  it('excludes a customer with a required reason', async () => {
    vi.mocked(api.customersGet).mockResolvedValue({ customer: customer('C-1', { unexpected_country: true, country: 'BR' }), activity: [], trades: [], purchases: [] });
    vi.mocked(api.customersSetStatus).mockResolvedValue(null);
    renderAs(session('clara', ['compliance']), '/customers/C-1');
    await userEvent.click(await screen.findByTestId('customer-status-open'));
    await userEvent.click(await screen.findByTestId('customer-status-confirm'));
    expect(await screen.findByText('Give a reason.')).toBeInTheDocument();
    await userEvent.type(screen.getByTestId('customer-status-reason'), 'traffic from BR is not allowed');
    await userEvent.click(screen.getByTestId('customer-status-confirm'));
    await waitFor(() => expect(api.customersSetStatus).toHaveBeenCalledWith('C-1', 'excluded', 'traffic from BR is not allowed'));
  });

  it('offers Restore for an excluded customer', async () => {
    vi.mocked(api.customersGet).mockResolvedValue({ customer: customer('C-1', { status: 'excluded' }), activity: [], trades: [], purchases: [] });
    renderAt('/customers/C-1');
    expect(await screen.findByTestId('customer-status-open')).toHaveTextContent('Restore');
  });
});
