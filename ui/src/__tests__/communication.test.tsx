import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { notifications } from '@mantine/notifications';
import * as api from '../api';
import type { OutboxRow, TemplateView } from '../bindings';
import { mockApiDefaults } from '../test/apiMock';
import { partner, session, smtpUnset } from '../test/fixtures';
import { renderAt } from '../test/render';

vi.mock('../api');

const VARS = [
  { name: 'partner.name', description: "The partner's name", example: 'Zoë Šťastná' },
  { name: 'period', description: 'The month', example: '2026-07' },
];

function template(key: string, over: Partial<TemplateView> = {}): TemplateView {
  return {
    key, name: key === 'statement_ready' ? 'Statement ready' : key, subject: 'Your statement for {{ period }}',
    body: 'Hello {{ partner.name }}', built_in: true, auto_send: true, variables: VARS, updated_at: null, updated_by: null, ...over,
  };
}

function row(id: number, over: Partial<OutboxRow> = {}): OutboxRow {
  return {
    id, partner_id: 'P-1', partner_name: 'Zoë Šťastná', to_address: 'zoe@example.com', subject: `Message ${id}`, template_key: 'statement_ready',
    announcement_id: null, status: 'queued', attempts: 0, last_error: null, next_attempt_at: null, created_at: '2026-08-01T09:00:00Z',
    created_by: 'anna', sent_at: null, attachment_name: null, ...over,
  };
}

const counts = { queued: 1, sending: 0, sent: 5, failed: 1, cancelled: 0 };

beforeEach(() => {
  notifications.clean();
  notifications.cleanQueue();
  vi.resetAllMocks();
  mockApiDefaults();
});

describe('communication page', () => {
  it('says when e-mail is not set up and shows the outbox with counts; a status chip filters on the server', async () => {
    vi.mocked(api.mailOutboxList).mockImplementation(async (q) => ({
      rows: q.status === 'failed'
        ? [row(2, { status: 'failed', attempts: 1, last_error: 'refused by the SMTP server: 550 5.1.1 mailbox unavailable' })]
        : [row(1), row(2, { status: 'failed' })],
      total: q.status === 'failed' ? 1 : 2,
      counts,
    }));
    renderAt('/communication');
    expect(await screen.findByTestId('smtp-missing')).toHaveTextContent('Settings → E-mail');
    expect(await screen.findByTestId('outbox-row-1')).toBeInTheDocument();
    expect(screen.getByText('failed (1)')).toBeInTheDocument();
    await userEvent.click(screen.getByTestId('outbox-filter-failed'));
    await waitFor(() => expect(api.mailOutboxList).toHaveBeenLastCalledWith(expect.objectContaining({ status: 'failed', offset: 0 })));
    expect(await screen.findByText(/550 5.1.1/)).toBeInTheDocument();
    expect(screen.queryByTestId('outbox-row-1')).not.toBeInTheDocument();
  });

  it('opens a failed message with its reason and retries it', async () => {
    const failed = row(7, { status: 'failed', attempts: 5, last_error: 'the SMTP server asked to try later: 451 (gave up after 5 attempts)', attachment_name: 'statement-P-1-2026-07.pdf' });
    vi.mocked(api.mailOutboxList).mockResolvedValue({ rows: [failed], total: 1, counts });
    vi.mocked(api.mailOutboxMessage).mockResolvedValue({ row: failed, body: 'Hello Zoë' });
    vi.mocked(api.mailOutboxRetry).mockResolvedValue({ ...failed, status: 'queued', attempts: 0 });
    renderAt('/communication');
    await userEvent.click(await screen.findByTestId('outbox-row-7'));
    const dialog = await screen.findByTestId('message-dialog');
    expect(await within(dialog).findByTestId('message-error')).toHaveTextContent('gave up after 5 attempts');
    expect(within(dialog).getByTestId('message-attachment')).toHaveTextContent('statement-P-1-2026-07.pdf');
    expect(within(dialog).queryByTestId('message-cancel')).not.toBeInTheDocument();
    await userEvent.click(within(dialog).getByTestId('message-retry'));
    await waitFor(() => expect(api.mailOutboxRetry).toHaveBeenCalledWith(7));
  });

  it('"Send now" shows why sending stopped (a refused login)', async () => {
    vi.mocked(api.mailOutboxList).mockResolvedValue({ rows: [row(1)], total: 1, counts });
    const why = 'the SMTP server localhost:2525 refused the login (535 …): check the user name and password in Settings → E-mail';
    vi.mocked(api.mailSendDue).mockResolvedValue({ sent: 0, failed: 0, retry_later: 0, stopped: why });
    renderAt('/communication');
    await userEvent.click(await screen.findByTestId('outbox-send-now'));
    expect(await screen.findByTestId('outbox-stopped')).toHaveTextContent('refused the login');
  });

  it('a viewer sees the outbox but cannot send, retry or announce', async () => {
    const failed = row(3, { status: 'failed' });
    vi.mocked(api.mailOutboxList).mockResolvedValue({ rows: [failed], total: 1, counts });
    vi.mocked(api.mailOutboxMessage).mockResolvedValue({ row: failed, body: 'x' });
    renderAt('/communication', undefined, session('vera', ['viewer']));
    await userEvent.click(await screen.findByTestId('outbox-row-3'));
    await screen.findByTestId('message-dialog');
    expect(screen.queryByTestId('message-retry')).not.toBeInTheDocument();
    expect(screen.queryByTestId('outbox-send-now')).not.toBeInTheDocument();
  });

  it('edits a template with a live preview; an unknown variable is shown at the field and nothing is saved', async () => {
    vi.mocked(api.mailTemplatesList).mockResolvedValue([template('statement_ready')]);
    vi.mocked(api.mailTemplatePreview).mockImplementation(async (i) => ({ subject: i.subject.replace('{{ period }}', '2026-07'), body: i.body.replace('{{ partner.name }}', 'Zoë Šťastná'), warnings: [] }));
    vi.mocked(api.mailTemplateSave).mockRejectedValue({ code: 'invalid', field: 'body', message: "unknown variable 'partner.nmae' in the body: use one of …" });
    renderAt('/communication');
    await userEvent.click(await screen.findByTestId('tab-templates'));
    expect(await screen.findByTestId('preview-subject')).toHaveTextContent('Your statement for 2026-07');
    const body = screen.getByTestId('template-body');
    fireEvent.change(body, { target: { value: 'Hi {{ partner.nmae }}' } });
    await userEvent.click(screen.getByTestId('template-save'));
    expect(await screen.findByTestId('template-error-body')).toHaveTextContent("unknown variable 'partner.nmae'");
    // Clicking a variable inserts it into the body.
    fireEvent.change(body, { target: { value: '' } });
    await userEvent.click(screen.getByTestId('variable-period'));
    expect(screen.getByTestId('template-body')).toHaveValue('{{ period }}');
  });

  it('previews a template with a chosen partner found by name', async () => {
    vi.mocked(api.mailTemplatesList).mockResolvedValue([template('statement_ready')]);
    vi.mocked(api.partnersSearch).mockResolvedValue({ total: 1, rows: [partner('P-7', { name: 'Jana Nováková' })] });
    vi.mocked(api.mailTemplatePreview).mockImplementation(async (i) => ({
      subject: i.subject.replace('{{ period }}', '2026-07'), body: i.partner_id === 'P-7' ? 'Hello Jana Nováková' : 'Hello Zoë Šťastná', warnings: [],
    }));
    renderAt('/communication');
    await userEvent.click(await screen.findByTestId('tab-templates'));
    expect(await screen.findByTestId('preview-body')).toHaveTextContent('Hello Zoë Šťastná');
    await userEvent.type(screen.getByTestId('preview-partner'), 'Jana');
    await waitFor(() => expect(api.partnersSearch).toHaveBeenCalledWith(expect.objectContaining({ text: 'Jana' })));
    await userEvent.click(await screen.findByText('Jana Nováková'));
    expect(screen.getByTestId('preview-partner')).toHaveValue('P-7');
    await waitFor(() => expect(screen.getByTestId('preview-body')).toHaveTextContent('Hello Jana Nováková'));
    expect(api.mailTemplatePreview).toHaveBeenLastCalledWith(expect.objectContaining({ partner_id: 'P-7', template_key: 'statement_ready' }));
  }, 20_000);

  it('an announcement shows the segment count and asks before queueing', async () => {
    vi.mocked(api.mailSegmentPreview).mockResolvedValue({ partners: 12, with_email: 10, without_email: 2, sample: [] });
    vi.mocked(api.mailTemplatePreview).mockResolvedValue({ subject: 'News', body: 'Hello', warnings: [] });
    vi.mocked(api.mailAnnounce).mockResolvedValue({ announcement_id: 1, queued: 10, skipped_without_email: 2 });
    renderAt('/communication');
    await userEvent.click(await screen.findByTestId('tab-announcements'));
    expect(await screen.findByTestId('segment-count')).toHaveTextContent('12 partners, 10 with e-mail, 2 without');
    await userEvent.type(screen.getByTestId('segment-tags'), 'vip{Enter}gold,');
    await waitFor(() => expect(api.mailSegmentPreview).toHaveBeenLastCalledWith({ kinds: [], brands: [], statuses: ['active'], tags: ['vip', 'gold'] }));
    expect(screen.queryByTestId('announce-confirm-send')).not.toBeInTheDocument();
    await userEvent.type(screen.getByTestId('announce-subject'), 'News');
    await userEvent.click(screen.getByTestId('announce-send'));
    expect(api.mailAnnounce).not.toHaveBeenCalled();
    await userEvent.click(await screen.findByTestId('announce-confirm-send'));
    await waitFor(() => expect(api.mailAnnounce).toHaveBeenCalledWith(expect.objectContaining({ subject: 'News' })));
    expect(await screen.findByTestId('announce-queued')).toHaveTextContent('Queued 10 messages; 2 without an address skipped');
  }, 20_000);
});

describe('settings → e-mail', () => {
  it('saves the SMTP settings without ever showing the password, and shows a refused login on test', async () => {
    vi.mocked(api.mailSmtpGet).mockResolvedValue({ ...smtpUnset, host: 'smtp.example.com', from_address: 'p@example.com', configured: true, has_password: true });
    vi.mocked(api.mailSmtpSet).mockImplementation(async (i) => ({ ...smtpUnset, host: i.host, from_address: i.from_address, configured: true, has_password: true }));
    vi.mocked(api.mailSmtpTest).mockResolvedValue({ ok: false, message: 'the SMTP server smtp.example.com:587 refused the login (535): check the user name and password in Settings → E-mail' });
    renderAt('/settings');
    const pw = await screen.findByTestId('smtp-password');
    expect(pw).toHaveValue('');
    expect(pw).toHaveAttribute('placeholder', expect.stringContaining('OS keyring'));
    await userEvent.click(screen.getByTestId('smtp-save'));
    await waitFor(() => expect(api.mailSmtpSet).toHaveBeenCalledWith(expect.objectContaining({ host: 'smtp.example.com', password: null })));
    await userEvent.type(screen.getByTestId('smtp-password'), 'n3w');
    await userEvent.click(screen.getByTestId('smtp-save'));
    await waitFor(() => expect(api.mailSmtpSet).toHaveBeenLastCalledWith(expect.objectContaining({ password: 'n3w' })));
    await waitFor(() => expect(screen.getByTestId('smtp-password')).toHaveValue(''));
    await userEvent.click(screen.getByTestId('smtp-test'));
    expect(await screen.findByTestId('smtp-test-result')).toHaveTextContent('refused the login');
  });
});

describe('settings → e-mail, clear-text password', () => {
  it('warns loudly when the saved settings send the password in clear text', async () => {
    const warning = 'security is none and a user name is set: the SMTP password goes to mail.example.com in clear text';
    vi.mocked(api.mailSmtpGet).mockResolvedValue({ ...smtpUnset, host: 'mail.example.com', security: 'none', username: 'anna', from_address: 'p@example.com', configured: true, warning });
    renderAt('/settings');
    expect(await screen.findByTestId('smtp-warning')).toHaveTextContent('clear text');
  });
});

describe('partner communication log', () => {
  it('lists the messages to a partner', async () => {
    vi.mocked(api.partnersGet).mockResolvedValue(undefined as never);
    vi.mocked(api.mailCommunicationLog).mockResolvedValue([
      { id: 4, at: '2026-08-01T09:00:00Z', channel: 'email', subject: 'Your statement for 2026-07', status: 'sent', template_key: 'statement_ready',
        outbox_id: 9, by_user: 'anna', to_address: 'zoe@example.com', sent_at: '2026-08-01T09:01:00Z', last_error: null, attachment_name: 'statement.pdf' },
    ]);
    const { PartnerCommunication } = await import('../pages/partners/PartnerCommunication');
    renderAt('/x', <PartnerCommunication partnerId="P-1" />);
    expect(await screen.findByTestId('communication-4')).toHaveTextContent('Your statement for 2026-07');
    expect(screen.getByTestId('communication-4')).toHaveTextContent('sent');
    vi.mocked(api.mailOutboxMessage).mockResolvedValue({ row: row(9, { status: 'sent', attachment_name: 'statement.pdf' }), body: 'Hello Zoë, your statement is attached.' });
    await userEvent.click(screen.getByTestId('communication-4'));
    // The row opens its outbox message (by the entry's outbox id).
    expect(await screen.findByTestId('log-message')).toHaveTextContent('Hello Zoë, your statement is attached.');
    expect(api.mailOutboxMessage).toHaveBeenCalledWith(9);
    expect(screen.getByTestId('log-message-to')).toHaveTextContent('attachment statement.pdf');
  });
});

describe('background sender', () => {
  it('sends when the app opens and right after something is queued; a refused login is shown once, not at every try', async () => {
    const refused = 'the SMTP server smtp.example.com:587 refused the login (535): check the user name and password in Settings → E-mail';
    vi.mocked(api.mailSmtpGet).mockResolvedValue({ ...smtpUnset, host: 'smtp.example.com', from_address: 'p@example.com', configured: true, has_password: true });
    vi.mocked(api.mailSendDue).mockResolvedValue({ sent: 0, failed: 0, retry_later: 0, stopped: refused });
    vi.mocked(api.mailSegmentPreview).mockResolvedValue({ partners: 3, with_email: 3, without_email: 0, sample: [] });
    vi.mocked(api.mailTemplatePreview).mockResolvedValue({ subject: 'News', body: 'Hello', warnings: [] });
    vi.mocked(api.mailAnnounce).mockResolvedValue({ announcement_id: 1, queued: 3, skipped_without_email: 0 });
    renderAt('/communication');
    await waitFor(() => expect(api.mailSendDue).toHaveBeenCalledTimes(1));
    expect(await screen.findByText(refused)).toBeInTheDocument();
    await userEvent.click(await screen.findByTestId('tab-announcements'));
    await screen.findByTestId('segment-count');
    await userEvent.type(screen.getByTestId('announce-subject'), 'News');
    await userEvent.click(screen.getByTestId('announce-send'));
    await userEvent.click(await screen.findByTestId('announce-confirm-send'));
    await waitFor(() => expect(api.mailSendDue).toHaveBeenCalledTimes(2));
    await waitFor(() => expect(api.mailAnnounce).toHaveBeenCalled());
    // The same stop again: still one notice.
    expect(screen.getAllByText(refused)).toHaveLength(1);
  });
});
