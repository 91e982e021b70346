//! The one bridge to the Rust core. The commands are generated from Rust into
//! ./bindings by tauri-specta (src-tauri/src/contract.rs), so a misspelt
//! command, argument or field is a TypeScript error; this module only adds
//! what every call needs (see `bridged`). Tests mock this module, never Tauri.
import { listen } from '@tauri-apps/api/event';
import { commands, PROGRESS_EVENT, type ExportFile, type ProgressEvent, type ReportQuery } from './bindings';
import { NOT_IN_DESKTOP, toApiError } from './errors';

/** The file formats of the exports (the core refuses any other). */
export type ExportFormat = 'csv' | 'xlsx';

/** True inside the Tauri webview; false in a plain browser (`npm run dev`). */
export function inDesktop(): boolean {
  return typeof window !== 'undefined' && '__TAURI_INTERNALS__' in window;
}

/**
 * A generated command as the screens call it: outside the desktop app it
 * rejects with NOT_IN_DESKTOP instead of crashing, and whatever it rejects with
 * becomes an ApiError ({code, message, field}).
 */
function bridged<A extends unknown[], R>(command: (...args: A) => Promise<R>): (...args: A) => Promise<R> {
  return async (...args: A) => {
    if (!inDesktop()) throw NOT_IN_DESKTOP;
    try {
      return await command(...args);
    } catch (e) {
      throw toApiError(e);
    }
  };
}

export const appInfo = bridged(commands.appInfo);

export const brandsList = bridged(commands.brandsList);
export const brandsCreate = bridged(commands.brandsCreate);

export const partnersSearch = bridged(commands.partnersSearch);
export const partnersGet = bridged(commands.partnersGet);
export const partnersTree = bridged(commands.partnersTree);
export const partnersCreate = bridged(commands.partnersCreate);
export const partnersEdit = bridged(commands.partnersEdit);
export const partnersMove = bridged(commands.partnersMove);
export const partnersArchive = bridged(commands.partnersArchive);

export const trackingCodesAdd = bridged(commands.trackingCodesAdd);

export const trackingSettingsGet = bridged(commands.trackingSettingsGet);
/** Admins only: the fallback URL, the path scheme of new links, the tracking server's public URL. */
export const trackingSettingsSet = bridged(commands.trackingSettingsSet);
export const trackingLandingGet = bridged(commands.trackingLandingGet);
export const trackingLandingSet = bridged(commands.trackingLandingSet);
/** A partner's links with their clicks over UTC days from..=to. */
export const linksOfPartner = bridged(commands.linksOfPartner);
export const linksCreate = bridged(commands.linksCreate);
export const linksSetLanding = bridged(commands.linksSetLanding);
export const linksDelete = bridged(commands.linksDelete);

/** A partner's postback URLs per event; setting whether amounts go out is an admin's decision. */
export const partnerPostbacksGet = bridged(commands.partnerPostbacksGet);
export const partnerPostbackSet = bridged(commands.partnerPostbackSet);
export const partnerPostbackDelete = bridged(commands.partnerPostbackDelete);
/** Calls a partner's URL once with sample values (nothing is stored). */
export const partnerPostbackTest = bridged(commands.partnerPostbackTest);
/** A page of a partner's postbacks out, newest first. */
export const partnerPostbacksLog = bridged(commands.partnerPostbacksLog);
/** A brand's postbacks in: authentication (hmac or token) and the replay window (admins). */
export const postbackSettingsGet = bridged(commands.postbackSettingsGet);
export const postbackSettingsSet = bridged(commands.postbackSettingsSet);
/** A new secret, kept in the OS keyring: the only time it is shown. */
export const postbackSecretRotate = bridged(commands.postbackSecretRotate);
/** Fraud flags, filtered and paged on the server, newest first. */
export const fraudFlagsPage = bridged(commands.fraudFlagsPage);
/** Confirm or dismiss an open flag, with a note (compliance). */
export const fraudFlagReview = bridged(commands.fraudFlagReview);

export const plansList = bridged(commands.plansList);
export const plansGet = bridged(commands.plansGet);
/** Checks a plan as typed (one plans.json object); never rejects for a bad plan: `ok` is false and `field` names the problem. */
export const plansPreview = bridged(commands.plansPreview);
/** A changed plan becomes a new version; an unchanged one keeps its version. */
export const plansSave = bridged(commands.plansSave);

export const assignmentsOf = bridged(commands.assignmentsOf);
/** Applied now, or waiting in the approvals queue (`applied` false, `approval` says which request). */
export const assignmentsAdd = bridged(commands.assignmentsAdd);

export const customersSearch = bridged(commands.customersSearch);
export const customersGet = bridged(commands.customersGet);

/** Newest first. */
export const periodsList = bridged(commands.periodsList);
/** Long: reports `progress` events with task "commissions" (done/total count periods). */
export const commissionsRun = bridged(commands.commissionsRun);
/** Closed now (`done`), or waiting in the approvals queue (`awaiting_approval`). */
export const commissionsClose = bridged(commands.commissionsClose);
export const commissionsLines = bridged(commands.commissionsLines);
export const commissionsTotals = bridged(commands.commissionsTotals);
export const commissionsLineDetail = bridged(commands.commissionsLineDetail);
/** Writes the canonical CSV into the user's Downloads folder; resolves to its path. */
export const commissionsExportFile = bridged(commands.commissionsExportFile);

/** `url` is a PostgreSQL URL (password allowed) or "default" for the embedded database. */
export const settingsSetDatabase = bridged(commands.settingsSetDatabase);

// Compliance: session, users, approvals, audit log, KYC, traffic and geo rules.

/** Who is signed in and what they may do; rejects with code `sign_in_required` when users exist and nobody is signed in. */
export const sessionGet = bridged(commands.sessionGet);
export const sessionSignIn = bridged(commands.sessionSignIn);
export const sessionSignOut = bridged(commands.sessionSignOut);

export const usersList = bridged(commands.usersList);
export const usersSave = bridged(commands.usersSave);

/** `status`: pending, approved, rejected, all (null: pending). */
export const approvalsList = bridged(commands.approvalsList);
export const approvalsDecide = bridged(commands.approvalsDecide);
/** The amount above which two approvers are needed (decimal text). */
export const approvalsThresholdGet = bridged(commands.approvalsThresholdGet);
export const approvalsThresholdSet = bridged(commands.approvalsThresholdSet);

/** Newest first, one page. */
export const auditEntries = bridged(commands.auditEntries);
/** `head`: a head hash kept earlier ("SEQ:HASH"), to check nothing was cut off the end. */
export const auditVerify = bridged(commands.auditVerify);
/** "SEQ:HASH" of the newest entry. */
export const auditHead = bridged(commands.auditHead);
/** Writes the filtered log as CSV into Downloads; resolves to its path. */
export const auditExport = bridged(commands.auditExport);

/** The partner's audit entries, oldest first. */
export const partnerTimeline = bridged(commands.partnerTimeline);
export const partnerCompliance = bridged(commands.partnerCompliance);
/** `docType`: id, company_registration, proof_of_address; the core checks the content (PDF, JPEG, PNG; at most 10 MB). */
export const documentsUpload = bridged(commands.documentsUpload);
export const documentsReview = bridged(commands.documentsReview);
/** `kind`: website, social, paid, email, other. */
export const trafficSourcesDeclare = bridged(commands.trafficSourcesDeclare);
/** ISO country codes; empty: any country is expected. Resolves to the list as stored. */
export const allowedCountriesSet = bridged(commands.allowedCountriesSet);
export const geoReport = bridged(commands.geoReport);
/** `status`: active or excluded; the reason goes into the audit log. */
export const customersSetStatus = bridged(commands.customersSetStatus);

export const connectionsList = bridged(commands.connectionsList);
/** Secrets in `input.secrets` go to the OS keyring, never the database. */
export const connectionsAdd = bridged(commands.connectionsAdd);
export const connectionsEdit = bridged(commands.connectionsEdit);
export const connectionsDelete = bridged(commands.connectionsDelete);
export const connectionsTest = bridged(commands.connectionsTest);
/** Resolves when the run ends; progress arrives as `progress` events with task `sync`. */
export const syncRun = bridged(commands.syncRun);
export const syncCancel = bridged(commands.syncCancel);
export const syncRuns = bridged(commands.syncRuns);
export const syncRunErrors = bridged(commands.syncRunErrors);
/** Records a sync could not take, waiting with their reason until a run (or a retry) stores them. */
export const syncPending = bridged(commands.syncPending);
/** Tries the waiting records again now, without reading the platform. */
export const syncRetry = bridged(commands.syncRetry);
/** Country texts that named no country (those customers are kept with an unknown country). */
export const syncUnmappedCountries = bridged(commands.syncUnmappedCountries);

// Ledger, payouts, statements and exports (src-tauri/src/payout_commands.rs).

/** `name` inside the user's Downloads folder (empty: Downloads itself): the default where files go. */
export const foldersDefault = bridged(commands.foldersDefault);

/** A partner's entries oldest first, each with the running balance of its currency. */
export const ledgerEntries = bridged(commands.ledgerEntries);
/** Every non-empty balance at a date (YYYY-MM-DD; null: everything posted). */
export const ledgerBalances = bridged(commands.ledgerBalances);
/** Asks for a manual adjustment (signed decimal text in the partner's currency): it waits in the approvals queue. */
export const ledgerAdjust = bridged(commands.ledgerAdjust);

export const paymentDetailsGet = bridged(commands.paymentDetailsGet);
/** `method`: bank_transfer (holder, IBAN, BIC), e_wallet (wallet type, account) or crypto (network, address); the core checks IBAN and BIC. */
export const paymentDetailsSet = bridged(commands.paymentDetailsSet);
/** The change of a partner's payment details waiting for a second finance user, if any (with users every change waits). */
export const paymentDetailsPending = bridged(commands.paymentDetailsPending);

/** The partner's own minimum payout and compliance hold. */
export const partnerPayoutGet = bridged(commands.partnerPayoutGet);
/** Empty or null clears each; a hold keeps the partner out of payout runs with its reason shown. */
export const partnerPayoutSet = bridged(commands.partnerPayoutSet);
/** [currency, minimum payout] pairs. */
export const payoutThresholds = bridged(commands.payoutThresholds);
/** `amount` null or empty removes the currency's threshold. */
export const payoutThresholdSet = bridged(commands.payoutThresholdSet);
export const operatorAccountGet = bridged(commands.operatorAccountGet);
export const operatorAccountSet = bridged(commands.operatorAccountSet);

export const payoutRuns = bridged(commands.payoutRuns);
export const payoutRunGet = bridged(commands.payoutRunGet);
/** One of the two: a pay date (YYYY-MM-DD) or a closed period (YYYY-MM). */
export const payoutRunCreate = bridged(commands.payoutRunCreate);
export const payoutRunSubmit = bridged(commands.payoutRunSubmit);
/** Needs a reason; the submitter is refused; above the threshold the run stays submitted until the second approval. */
export const payoutRunApprove = bridged(commands.payoutRunApprove);
export const payoutRunReject = bridged(commands.payoutRunReject);
export const payoutRunCancel = bridged(commands.payoutRunCancel);
/** Exports an approved run into `folder` (`again`: an exported run's files once more): payments CSV and SEPA XML. */
export const payoutRunExport = bridged(commands.payoutRunExport);
export const payoutRunSettle = bridged(commands.payoutRunSettle);

/** Long: reports `progress` events with task `statements`. */
export const statementsForRun = bridged(commands.statementsForRun);
export const statementsForPeriod = bridged(commands.statementsForPeriod);

/** CSV or XLSX into Downloads; resolves to the file written. */
export const exportLines: (period: string, format: ExportFormat) => Promise<ExportFile> = bridged(commands.exportLines);
export const exportBalances: (at: string | null, format: ExportFormat) => Promise<ExportFile> = bridged(commands.exportBalances);
export const exportRun: (runId: number, format: ExportFormat) => Promise<ExportFile> = bridged(commands.exportRun);

/** Listens to the core's `progress` events; resolves to the unlisten function. */
export async function onProgress(handler: (event: ProgressEvent) => void): Promise<() => void> {
  if (!inDesktop()) return () => {};
  return listen<ProgressEvent>(PROGRESS_EVENT, (e) => handler(e.payload));
}

// E-mail to partners (src-tauri/src/mail_commands.rs).

export const mailSmtpGet = bridged(commands.mailSmtpGet);
/** `input.password`: null keeps the saved one, "" removes it; it goes to the OS keyring, never the database. */
export const mailSmtpSet = bridged(commands.mailSmtpSet);
/** Connects, secures and logs in; with `sendTo`, also sends a test message. Never rejects for a refused login: `ok` is false. */
export const mailSmtpTest = bridged(commands.mailSmtpTest);
export const mailTemplatesList = bridged(commands.mailTemplatesList);
export const mailTemplateSave = bridged(commands.mailTemplateSave);
export const mailTemplateReset = bridged(commands.mailTemplateReset);
/** Rejects with `field` subject or body naming an unknown variable or a syntax error. */
export const mailTemplatePreview = bridged(commands.mailTemplatePreview);
export const mailSegmentPreview = bridged(commands.mailSegmentPreview);
export const mailAnnounce = bridged(commands.mailAnnounce);
export const mailOutboxList = bridged(commands.mailOutboxList);
export const mailOutboxMessage = bridged(commands.mailOutboxMessage);
export const mailOutboxRetry = bridged(commands.mailOutboxRetry);
export const mailOutboxCancel = bridged(commands.mailOutboxCancel);
/** Sends what is due; progress events with task `mail.send`. `stopped` says why a batch stopped early (messages stay queued). */
export const mailSendDue = bridged(commands.mailSendDue);
/** Every message for a partner, newest first. */
export const mailCommunicationLog = bridged(commands.mailCommunicationLog);

/** The dashboard: KPIs against the range before, trends by day, top partners and countries. */
export const reportsDashboard = bridged(commands.reportsDashboard);
/** The dimensions and measures of REPORTS.md, with which measures are money. */
export const reportsChoices = bridged(commands.reportsChoices);
/** A report and its totals row(s). */
export const reportsView = bridged(commands.reportsView);
/** A report written into Downloads as CSV or XLSX (the bytes `partnerdesk report` prints). */
export const reportsExport: (query: ReportQuery, format: ExportFormat) => Promise<ExportFile> = bridged(commands.reportsExport);
