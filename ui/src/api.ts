//! The one bridge to the Rust core: every command the UI calls, typed with
//! the generated bindings. Tests mock this module, never Tauri itself.
import { invoke } from '@tauri-apps/api/core';
import { listen } from '@tauri-apps/api/event';
import type { AppInfo } from './bindings/AppInfo';
import type { ApprovalView } from './bindings/ApprovalView';
import type { AssignOutcome } from './bindings/AssignOutcome';
import type { AuditEntryView } from './bindings/AuditEntryView';
import type { AuditPage } from './bindings/AuditPage';
import type { AuditQuery } from './bindings/AuditQuery';
import type { ChainCheck } from './bindings/ChainCheck';
import type { ChangeOutcome } from './bindings/ChangeOutcome';
import type { DocumentView } from './bindings/DocumentView';
import type { GeoReportRow } from './bindings/GeoReportRow';
import type { PartnerCompliance } from './bindings/PartnerCompliance';
import type { SessionView } from './bindings/SessionView';
import type { UserInput } from './bindings/UserInput';
import type { UserView } from './bindings/UserView';
import type { AssignmentView } from './bindings/AssignmentView';
import type { BrandView } from './bindings/BrandView';
import type { CustomerDetail } from './bindings/CustomerDetail';
import type { CustomerPage } from './bindings/CustomerPage';
import type { CustomerQuery } from './bindings/CustomerQuery';
import type { DatabaseInfo } from './bindings/DatabaseInfo';
import type { LineDetail } from './bindings/LineDetail';
import type { LinePage } from './bindings/LinePage';
import type { LineQuery } from './bindings/LineQuery';
import type { PartnerDetail } from './bindings/PartnerDetail';
import type { PartnerInput } from './bindings/PartnerInput';
import type { PartnerPage } from './bindings/PartnerPage';
import type { PartnerQuery } from './bindings/PartnerQuery';
import type { PartnerRow } from './bindings/PartnerRow';
import type { PeriodView } from './bindings/PeriodView';
import type { PlanDetail } from './bindings/PlanDetail';
import type { PlanPreview } from './bindings/PlanPreview';
import type { PlanView } from './bindings/PlanView';
import type { ProgressEvent } from './bindings/ProgressEvent';
import type { RunOutcome } from './bindings/RunOutcome';
import type { SubtreeRow } from './bindings/SubtreeRow';
import type { TotalRow } from './bindings/TotalRow';
import type { TrackingCodeView } from './bindings/TrackingCodeView';
import type { ConnectionInput } from './bindings/ConnectionInput';
import type { ConnectionView } from './bindings/ConnectionView';
import type { SyncErrorView } from './bindings/SyncErrorView';
import type { PendingView } from './bindings/PendingView';
import type { RetryOutcome } from './bindings/RetryOutcome';
import type { UnmappedCountryView } from './bindings/UnmappedCountryView';
import type { SyncRunView } from './bindings/SyncRunView';
import type { AdjustmentView } from './bindings/AdjustmentView';
import type { BalanceView } from './bindings/BalanceView';
import type { ExportFile } from './bindings/ExportFile';
import type { LedgerEntryView } from './bindings/LedgerEntryView';
import type { OperatorAccount } from './bindings/OperatorAccount';
import type { PartnerPayoutView } from './bindings/PartnerPayoutView';
import type { PaymentDetailsView } from './bindings/PaymentDetailsView';
import type { PayoutRunDetail } from './bindings/PayoutRunDetail';
import type { PayoutRunView } from './bindings/PayoutRunView';
import type { SavedFiles } from './bindings/SavedFiles';
import type { Settlement } from './bindings/Settlement';
import type { StatementBatch } from './bindings/StatementBatch';
import type { AnnouncementInput } from './bindings/AnnouncementInput';
import type { AnnouncementOutcome } from './bindings/AnnouncementOutcome';
import type { CommunicationEntry } from './bindings/CommunicationEntry';
import type { OutboxMessage } from './bindings/OutboxMessage';
import type { OutboxPage } from './bindings/OutboxPage';
import type { OutboxQuery } from './bindings/OutboxQuery';
import type { OutboxRow } from './bindings/OutboxRow';
import type { SegmentInput } from './bindings/SegmentInput';
import type { SegmentPreview } from './bindings/SegmentPreview';
import type { SendOutcome } from './bindings/SendOutcome';
import type { SmtpSettingsInput } from './bindings/SmtpSettingsInput';
import type { SmtpSettingsView } from './bindings/SmtpSettingsView';
import type { SmtpTestOutcome } from './bindings/SmtpTestOutcome';
import type { TemplateInput } from './bindings/TemplateInput';
import type { TemplatePreview } from './bindings/TemplatePreview';
import type { TemplatePreviewInput } from './bindings/TemplatePreviewInput';
import type { TemplateView } from './bindings/TemplateView';
import { NOT_IN_DESKTOP, toApiError } from './errors';

/** True inside the Tauri webview; false in a plain browser (`npm run dev`). */
export function inDesktop(): boolean {
  return typeof window !== 'undefined' && '__TAURI_INTERNALS__' in window;
}

async function call<T>(command: string, args?: Record<string, unknown>): Promise<T> {
  if (!inDesktop()) throw NOT_IN_DESKTOP;
  try {
    return await invoke<T>(command, args);
  } catch (e) {
    throw toApiError(e);
  }
}

export const appInfo = () => call<AppInfo>('app_info');

export const brandsList = () => call<BrandView[]>('brands_list');
export const brandsCreate = (input: BrandView) => call<BrandView>('brands_create', { input });

export const partnersSearch = (query: PartnerQuery) => call<PartnerPage>('partners_search', { query });
export const partnersGet = (partnerId: string) => call<PartnerDetail>('partners_get', { partnerId });
export const partnersTree = (partnerId: string, maxDepth: number) =>
  call<SubtreeRow[]>('partners_tree', { partnerId, maxDepth });
export const partnersCreate = (input: PartnerInput) => call<PartnerRow>('partners_create', { input });
export const partnersEdit = (partnerId: string, input: PartnerInput) =>
  call<PartnerRow>('partners_edit', { partnerId, input });
export const partnersMove = (partnerId: string, newParentId: string | null) =>
  call<PartnerRow>('partners_move', { partnerId, newParentId });
export const partnersArchive = (partnerId: string, archived: boolean) =>
  call<PartnerRow>('partners_archive', { partnerId, archived });

export const trackingCodesAdd = (input: TrackingCodeView) => call<TrackingCodeView>('tracking_codes_add', { input });

export const plansList = () => call<PlanView[]>('plans_list');
export const plansGet = (planId: string) => call<PlanDetail>('plans_get', { planId });
/** Checks a plan as typed (one plans.json object); never rejects for a bad plan: `ok` is false and `field` names the problem. */
export const plansPreview = (json: string) => call<PlanPreview>('plans_preview', { json });
/** A changed plan becomes a new version; an unchanged one keeps its version. */
export const plansSave = (json: string) => call<PlanView>('plans_save', { json });

export const assignmentsOf = (partnerId: string) => call<AssignmentView[]>('assignments_of', { partnerId });
/** Applied now, or waiting in the approvals queue (`applied` false, `approval` says which request). */
export const assignmentsAdd = (input: AssignmentView) => call<AssignOutcome>('assignments_add', { input });

export const customersSearch = (query: CustomerQuery) => call<CustomerPage>('customers_search', { query });
export const customersGet = (customerId: string) => call<CustomerDetail>('customers_get', { customerId });

/** Newest first. */
export const periodsList = () => call<PeriodView[]>('periods_list');
/** Long: reports `progress` events with task "commissions" (done/total count periods). */
export const commissionsRun = (period: string) => call<RunOutcome>('commissions_run', { period });
/** Closed now (`done`), or waiting in the approvals queue (`awaiting_approval`). */
export const commissionsClose = (period: string) => call<ChangeOutcome>('commissions_close', { period });
export const commissionsLines = (query: LineQuery) => call<LinePage>('commissions_lines', { query });
export const commissionsTotals = (period: string) => call<TotalRow[]>('commissions_totals', { period });
export const commissionsLineDetail = (period: string, partnerId: string, brandId: string, kind: string) =>
  call<LineDetail>('commissions_line_detail', { period, partnerId, brandId, kind });
/** Writes the canonical CSV into the user's Downloads folder; resolves to its path. */
export const commissionsExportFile = (period: string) => call<string>('commissions_export_file', { period });

/** `url` is a PostgreSQL URL (password allowed) or "default" for the embedded database. */
export const settingsSetDatabase = (url: string) => call<DatabaseInfo>('settings_set_database', { url });

// Compliance: session, users, approvals, audit log, KYC, traffic and geo rules.

/** Who is signed in and what they may do; rejects with code `sign_in_required` when users exist and nobody is signed in. */
export const sessionGet = () => call<SessionView>('session_get');
export const sessionSignIn = (user: string, password: string) => call<SessionView>('session_sign_in', { user, password });
export const sessionSignOut = () => call<null>('session_sign_out');

export const usersList = () => call<UserView[]>('users_list');
export const usersSave = (input: UserInput) => call<ChangeOutcome>('users_save', { input });

/** `status`: pending, approved, rejected, all (null: pending). */
export const approvalsList = (status: string | null) => call<ApprovalView[]>('approvals_list', { status });
export const approvalsDecide = (approvalId: number, approve: boolean, reason: string) =>
  call<ApprovalView>('approvals_decide', { approvalId, approve, reason });
/** The amount above which two approvers are needed (decimal text). */
export const approvalsThresholdGet = () => call<string>('approvals_threshold_get');
export const approvalsThresholdSet = (amount: string) => call<string>('approvals_threshold_set', { amount });

/** Newest first, one page. */
export const auditEntries = (query: AuditQuery) => call<AuditPage>('audit_entries', { query });
/** `head`: a head hash kept earlier ("SEQ:HASH"), to check nothing was cut off the end. */
export const auditVerify = (head: string | null) => call<ChainCheck>('audit_verify', { head });
/** "SEQ:HASH" of the newest entry. */
export const auditHead = () => call<string>('audit_head');
/** Writes the filtered log as CSV into Downloads; resolves to its path. */
export const auditExport = (query: AuditQuery) => call<string>('audit_export', { query });

/** The partner's audit entries, oldest first. */
export const partnerTimeline = (partnerId: string) => call<AuditEntryView[]>('partner_timeline', { partnerId });
export const partnerCompliance = (partnerId: string) => call<PartnerCompliance>('partner_compliance', { partnerId });
/** `docType`: id, company_registration, proof_of_address; the core checks the content (PDF, JPEG, PNG; at most 10 MB). */
export const documentsUpload = (partnerId: string, docType: string, fileName: string, contentBase64: string) =>
  call<DocumentView>('documents_upload', { partnerId, docType, fileName, contentBase64 });
export const documentsReview = (documentId: string, approve: boolean, note: string) =>
  call<ChangeOutcome>('documents_review', { documentId, approve, note });
/** `kind`: website, social, paid, email, other. */
export const trafficSourcesDeclare = (partnerId: string, kind: string, value: string) =>
  call<ChangeOutcome>('traffic_sources_declare', { partnerId, kind, value });
/** ISO country codes; empty: any country is expected. Resolves to the list as stored. */
export const allowedCountriesSet = (partnerId: string, countries: string[]) =>
  call<string[]>('allowed_countries_set', { partnerId, countries });
export const geoReport = () => call<GeoReportRow[]>('geo_report');
/** `status`: active or excluded; the reason goes into the audit log. */
export const customersSetStatus = (customerId: string, status: string, reason: string) =>
  call<null>('customers_set_status', { customerId, status, reason });

export const connectionsList = () => call<ConnectionView[]>('connections_list');
/** Secrets in `input.secrets` go to the OS keyring, never the database. */
export const connectionsAdd = (input: ConnectionInput) => call<ConnectionView>('connections_add', { input });
export const connectionsEdit = (input: ConnectionInput) => call<ConnectionView>('connections_edit', { input });
export const connectionsDelete = (name: string) => call<null>('connections_delete', { name });
export const connectionsTest = (name: string) => call<string>('connections_test', { name });
/** Resolves when the run ends; progress arrives as `progress` events with task `sync`. */
export const syncRun = (name: string) => call<SyncRunView>('sync_run', { name });
export const syncCancel = (name: string) => call<boolean>('sync_cancel', { name });
export const syncRuns = (name: string, limit: number) => call<SyncRunView[]>('sync_runs', { name, limit });
export const syncRunErrors = (runId: number, limit: number) => call<SyncErrorView[]>('sync_run_errors', { runId, limit });
/** Records a sync could not take, waiting with their reason until a run (or a retry) stores them. */
export const syncPending = (name: string, limit: number) => call<PendingView[]>('sync_pending', { name, limit });
/** Tries the waiting records again now, without reading the platform. */
export const syncRetry = (name: string) => call<RetryOutcome>('sync_retry', { name });
/** Country texts that named no country (those customers are kept with an unknown country). */
export const syncUnmappedCountries = (name: string) => call<UnmappedCountryView[]>('sync_unmapped_countries', { name });

// Ledger, payouts, statements and exports (src-tauri/src/payout_commands.rs).

/** `name` inside the user's Downloads folder (empty: Downloads itself): the default where files go. */
export const foldersDefault = (name: string) => call<string>('folders_default', { name });

/** A partner's entries oldest first, each with the running balance of its currency. */
export const ledgerEntries = (partnerId: string) => call<LedgerEntryView[]>('ledger_entries', { partnerId });
/** Every non-empty balance at a date (YYYY-MM-DD; null: everything posted). */
export const ledgerBalances = (at: string | null) => call<BalanceView[]>('ledger_balances', { at });
/** Asks for a manual adjustment (signed decimal text in the partner's currency): it waits in the approvals queue. */
export const ledgerAdjust = (partnerId: string, amount: string, reason: string) =>
  call<AdjustmentView>('ledger_adjust', { partnerId, amount, reason });

export const paymentDetailsGet = (partnerId: string) => call<PaymentDetailsView | null>('payment_details_get', { partnerId });
/** `method`: bank_transfer (holder, IBAN, BIC), e_wallet (wallet type, account) or crypto (network, address); the core checks IBAN and BIC. */
export const paymentDetailsSet = (partnerId: string, method: string, holder: string, account: string, bic: string | null) =>
  call<PaymentDetailsView>('payment_details_set', { partnerId, method, holder, account, bic });

/** The partner's own minimum payout and compliance hold. */
export const partnerPayoutGet = (partnerId: string) => call<PartnerPayoutView>('partner_payout_get', { partnerId });
/** Empty or null clears each; a hold keeps the partner out of payout runs with its reason shown. */
export const partnerPayoutSet = (partnerId: string, threshold: string | null, holdReason: string | null) =>
  call<null>('partner_payout_set', { partnerId, threshold, holdReason });
/** [currency, minimum payout] pairs. */
export const payoutThresholds = () => call<[string, string][]>('payout_thresholds');
/** `amount` null or empty removes the currency's threshold. */
export const payoutThresholdSet = (currency: string, amount: string | null) =>
  call<null>('payout_threshold_set', { currency, amount });
export const operatorAccountGet = () => call<OperatorAccount | null>('operator_account_get');
export const operatorAccountSet = (name: string, iban: string, bic: string | null) =>
  call<OperatorAccount>('operator_account_set', { name, iban, bic });

export const payoutRuns = () => call<PayoutRunView[]>('payout_runs');
export const payoutRunGet = (runId: number) => call<PayoutRunDetail>('payout_run_get', { runId });
/** One of the two: a pay date (YYYY-MM-DD) or a closed period (YYYY-MM). */
export const payoutRunCreate = (payDate: string | null, period: string | null) =>
  call<PayoutRunDetail>('payout_run_create', { payDate, period });
export const payoutRunSubmit = (runId: number) => call<PayoutRunDetail>('payout_run_submit', { runId });
/** Needs a reason; the submitter is refused; above the threshold the run stays submitted until the second approval. */
export const payoutRunApprove = (runId: number, reason: string) => call<PayoutRunDetail>('payout_run_approve', { runId, reason });
export const payoutRunReject = (runId: number, reason: string) => call<PayoutRunDetail>('payout_run_reject', { runId, reason });
export const payoutRunCancel = (runId: number) => call<PayoutRunDetail>('payout_run_cancel', { runId });
/** Exports an approved run into `folder` (`again`: an exported run's files once more): payments CSV and SEPA XML. */
export const payoutRunExport = (runId: number, folder: string, again: boolean) =>
  call<SavedFiles>('payout_run_export', { runId, folder, again });
export const payoutRunSettle = (runId: number, settlements: Settlement[]) =>
  call<PayoutRunDetail>('payout_run_settle', { runId, settlements });

/** Long: reports `progress` events with task `statements`. */
export const statementsForRun = (runId: number, folder: string) => call<StatementBatch>('statements_for_run', { runId, folder });
export const statementsForPeriod = (period: string, folder: string) =>
  call<StatementBatch>('statements_for_period', { period, folder });

/** CSV or XLSX into Downloads; resolves to the file written. */
export const exportLines = (period: string, format: 'csv' | 'xlsx') => call<ExportFile>('export_lines', { period, format });
export const exportBalances = (at: string | null, format: 'csv' | 'xlsx') => call<ExportFile>('export_balances', { at, format });
export const exportRun = (runId: number, format: 'csv' | 'xlsx') => call<ExportFile>('export_run', { runId, format });

/** Listens to the core's `progress` events; resolves to the unlisten function. */
export async function onProgress(handler: (event: ProgressEvent) => void): Promise<() => void> {
  if (!inDesktop()) return () => {};
  return listen<ProgressEvent>('progress', (e) => handler(e.payload));
}

// E-mail to partners (src-tauri/src/mail_commands.rs).

export const mailSmtpGet = () => call<SmtpSettingsView>('mail_smtp_get');
/** `input.password`: null keeps the saved one, "" removes it; it goes to the OS keyring, never the database. */
export const mailSmtpSet = (input: SmtpSettingsInput) => call<SmtpSettingsView>('mail_smtp_set', { input });
/** Connects, secures and logs in; with `sendTo`, also sends a test message. Never rejects for a refused login: `ok` is false. */
export const mailSmtpTest = (sendTo: string | null) => call<SmtpTestOutcome>('mail_smtp_test', { sendTo });
export const mailTemplatesList = () => call<TemplateView[]>('mail_templates_list');
export const mailTemplateSave = (input: TemplateInput) => call<TemplateView>('mail_template_save', { input });
export const mailTemplateReset = (key: string) => call<TemplateView>('mail_template_reset', { key });
/** Rejects with `field` subject or body naming an unknown variable or a syntax error. */
export const mailTemplatePreview = (input: TemplatePreviewInput) => call<TemplatePreview>('mail_template_preview', { input });
export const mailSegmentPreview = (segment: SegmentInput) => call<SegmentPreview>('mail_segment_preview', { segment });
export const mailAnnounce = (input: AnnouncementInput) => call<AnnouncementOutcome>('mail_announce', { input });
export const mailOutboxList = (query: OutboxQuery) => call<OutboxPage>('mail_outbox_list', { query });
export const mailOutboxMessage = (id: number) => call<OutboxMessage>('mail_outbox_message', { id });
export const mailOutboxRetry = (id: number) => call<OutboxRow>('mail_outbox_retry', { id });
export const mailOutboxCancel = (id: number) => call<OutboxRow>('mail_outbox_cancel', { id });
/** Sends what is due; progress events with task `mail.send`. `stopped` says why a batch stopped early (messages stay queued). */
export const mailSendDue = (limit: number) => call<SendOutcome>('mail_send_due', { limit });
/** Every message for a partner, newest first. */
export const mailCommunicationLog = (partnerId: string) => call<CommunicationEntry[]>('mail_communication_log', { partnerId });
