//! Who may do what. Every use case of this crate declares a [`UseCase`] here
//! and calls [`Context::authorize`](crate::Context::authorize) before it does
//! anything, so the desktop app, the CLI and any future server obey the same
//! rules. The role matrix test (`tests/app/roles.rs`) calls each use case as
//! each role.

/// Roles are the domain's words (a TypeScript union on the bridge); what
/// each may do is this table.
pub use partnerdesk_domain::role::{Role, Roles};

/// A use case and the roles that may call it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UseCase {
    /// Stable name, as written to the audit log when a call is refused.
    pub name: &'static str,
    pub roles: &'static [Role],
}

use Role::{Admin, Compliance, Finance, PartnerManager, Viewer};

const EVERYONE: &[Role] = &[Admin, PartnerManager, Compliance, Finance, Viewer];
const MANAGERS: &[Role] = &[Admin, PartnerManager];
const FINANCE: &[Role] = &[Admin, Finance];
const COMPLIANCE: &[Role] = &[Admin, Compliance];
const ADMIN: &[Role] = &[Admin];

const fn uc(name: &'static str, roles: &'static [Role]) -> UseCase {
    UseCase { name, roles }
}

// Reading: everyone signed in may look.
pub const READ: UseCase = uc("read", EVERYONE);

// Brands and settings.
pub const BRAND_CREATE: UseCase = uc("brand.create", ADMIN);
/// Pointing the app at another database (the desktop's Settings): once the
/// open database has users, only an admin signed in to it.
pub const DATABASE_SWITCH: UseCase = uc("database.switch", ADMIN);

// Partners (capability 1).
pub const PARTNER_CREATE: UseCase = uc("partner.create", MANAGERS);
pub const PARTNER_EDIT: UseCase = uc("partner.edit", MANAGERS);
pub const PARTNER_MOVE: UseCase = uc("partner.move", MANAGERS);
pub const PARTNER_ARCHIVE: UseCase = uc("partner.archive", MANAGERS);
pub const TRACKING_CODE_ADD: UseCase = uc("partner.tracking_code.add", MANAGERS);

// Deals (capability 2).
pub const PLAN_SAVE: UseCase = uc("plan.save", MANAGERS);
pub const PLAN_ASSIGN: UseCase = uc("plan.assign", MANAGERS);

// Data in bulk: the whole-folder import (migration from another system) and demo data.
pub const IMPORT_FOLDER: UseCase = uc("import.folder", ADMIN);
pub const DEMO_FILL: UseCase = uc("demo.fill", ADMIN);

// Commissions (capability 5).
pub const COMMISSIONS_RUN: UseCase = uc("commissions.run", FINANCE);
pub const COMMISSIONS_CLOSE: UseCase = uc("commissions.close", FINANCE);
pub const COMMISSIONS_EXPORT: UseCase = uc("commissions.export", &[Admin, Finance, Compliance]);

// Compliance (capability 8).
pub const APPROVALS_LIST: UseCase = uc("approvals.list", EVERYONE);
pub const APPROVALS_DECIDE: UseCase = uc("approvals.decide", &[Admin, Compliance, Finance]);
pub const APPROVALS_SETTINGS: UseCase = uc("approvals.settings", ADMIN);
pub const USERS_LIST: UseCase = uc("users.list", &[Admin, Compliance]);
pub const USERS_MANAGE: UseCase = uc("users.manage", ADMIN);
pub const AUDIT_READ: UseCase = uc("audit.read", COMPLIANCE);
pub const AUDIT_VERIFY: UseCase = uc("audit.verify", COMPLIANCE);
pub const DOCUMENT_UPLOAD: UseCase =
    uc("kyc.document.upload", &[Admin, PartnerManager, Compliance]);
pub const DOCUMENT_REVIEW: UseCase = uc("kyc.document.review", COMPLIANCE);
pub const TRAFFIC_DECLARE: UseCase = uc("traffic_source.declare", MANAGERS);
pub const GEO_RULES_SET: UseCase = uc("geo.allowed_countries.set", COMPLIANCE);
pub const GEO_REPORT: UseCase = uc("geo.report", &[Admin, Compliance, PartnerManager]);
pub const CUSTOMER_STATUS_SET: UseCase = uc("customer.status.set", COMPLIANCE);

// Deciding a request in the approvals queue takes the role of the use case
// that would make the change directly (`approvals::policy` names it per
// kind: closing a period is `COMMISSIONS_CLOSE`, a payout run
// `PAYOUT_APPROVE`, ...). These three changes have no direct door: a
// partner manager asks for them and compliance approves.
pub const PARTNER_ACTIVATION_APPROVE: UseCase = uc("partner.activation.approve", COMPLIANCE);
pub const PLAN_ASSIGN_APPROVE: UseCase = uc("plan.assign.approve", COMPLIANCE);
pub const TRAFFIC_SOURCE_REVIEW: UseCase = uc("traffic_source.review", COMPLIANCE);

// Sync, payouts, statements and communication add their use cases below,
// with the roles they need.

// Ledger and payouts (capabilities 6 and 7). Reading balances and runs is `READ`.
pub const LEDGER_ADJUST: UseCase = uc("ledger.adjust", FINANCE);
pub const LEDGER_ADJUST_APPROVE: UseCase = uc("ledger.adjust.approve", FINANCE);
pub const PAYMENT_DETAILS_SET: UseCase = uc("payment_details.set", FINANCE);
/// Approving a change of payment details asked for with `PAYMENT_DETAILS_SET`
/// (decided in the approvals queue only): where money goes is a money
/// matter, decided by finance like a payout run.
pub const PAYMENT_DETAILS_APPROVE: UseCase = uc("payment_details.approve", FINANCE);
pub const PAYOUT_SETTINGS: UseCase = uc("payout.settings", FINANCE);
pub const PAYOUT_HOLD: UseCase = uc("payout.hold", &[Admin, Finance, Compliance]);
pub const PAYOUT_CREATE: UseCase = uc("payout.create", FINANCE);
pub const PAYOUT_APPROVE: UseCase = uc("payout.approve", FINANCE);
pub const PAYOUT_EXPORT: UseCase = uc("payout.export", FINANCE);
pub const PAYOUT_SETTLE: UseCase = uc("payout.settle", FINANCE);
pub const STATEMENTS_WRITE: UseCase = uc("statements.write", &[Admin, Finance, PartnerManager]);
/// CSV/XLSX exports of balances and payout runs (lines: `COMMISSIONS_EXPORT`).
pub const EXPORTS_WRITE: UseCase = uc("exports.write", &[Admin, Finance, Compliance]);

// Platform sync (capability 4). Listing connections and runs is `READ`.
pub const CONNECTION_MANAGE: UseCase = uc("connection.manage", ADMIN);
pub const SYNC_RUN: UseCase = uc("sync.run", MANAGERS);

// E-mail to partners (capability 9). Reading templates, the outbox and a
// partner's communication log is `READ`.
pub const MAIL_SETTINGS: UseCase = uc("mail.settings", ADMIN);
pub const MAIL_TEMPLATES: UseCase = uc("mail.templates", MANAGERS);
pub const MAIL_ANNOUNCE: UseCase = uc("mail.announce", MANAGERS);
/// Sending due messages, retrying and cancelling one: whoever queues mail.
pub const MAIL_SEND: UseCase = uc("mail.send", &[Admin, PartnerManager, Finance]);

// Tracking links (issue 29). Reading links, landings and clicks is `READ`;
// the server's redirects and clicks are anonymous and check no role.
pub const LINK_EDIT: UseCase = uc("link.edit", MANAGERS);
pub const TRACKING_SETTINGS: UseCase = uc("tracking.settings", ADMIN);
/// Fraud flags (issue 29): reading them is `READ`; confirming or dismissing one is compliance's.
pub const FRAUD_FLAG_REVIEW: UseCase = uc("fraud.flag.review", COMPLIANCE);

/// Every declared use case, for the role matrix test and the UI.
pub const ALL: &[UseCase] = &[
    READ,
    BRAND_CREATE,
    DATABASE_SWITCH,
    PARTNER_CREATE,
    PARTNER_EDIT,
    PARTNER_MOVE,
    PARTNER_ARCHIVE,
    TRACKING_CODE_ADD,
    PLAN_SAVE,
    PLAN_ASSIGN,
    IMPORT_FOLDER,
    DEMO_FILL,
    COMMISSIONS_RUN,
    COMMISSIONS_CLOSE,
    COMMISSIONS_EXPORT,
    LEDGER_ADJUST,
    LEDGER_ADJUST_APPROVE,
    PAYMENT_DETAILS_SET,
    PAYMENT_DETAILS_APPROVE,
    PAYOUT_SETTINGS,
    PAYOUT_HOLD,
    PAYOUT_CREATE,
    PAYOUT_APPROVE,
    PAYOUT_EXPORT,
    PAYOUT_SETTLE,
    STATEMENTS_WRITE,
    EXPORTS_WRITE,
    APPROVALS_LIST,
    APPROVALS_DECIDE,
    APPROVALS_SETTINGS,
    USERS_LIST,
    USERS_MANAGE,
    AUDIT_READ,
    AUDIT_VERIFY,
    DOCUMENT_UPLOAD,
    DOCUMENT_REVIEW,
    TRAFFIC_DECLARE,
    GEO_RULES_SET,
    GEO_REPORT,
    CUSTOMER_STATUS_SET,
    PARTNER_ACTIVATION_APPROVE,
    PLAN_ASSIGN_APPROVE,
    TRAFFIC_SOURCE_REVIEW,
    CONNECTION_MANAGE,
    SYNC_RUN,
    MAIL_SETTINGS,
    MAIL_TEMPLATES,
    MAIL_ANNOUNCE,
    MAIL_SEND,
    LINK_EDIT,
    TRACKING_SETTINGS,
    FRAUD_FLAG_REVIEW,
];

/// Whether any of `roles` may call `use_case`.
pub fn allows(use_case: &UseCase, roles: &[Role]) -> bool {
    roles.iter().any(|r| use_case.roles.contains(r))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique() {
        let mut names: Vec<_> = ALL.iter().map(|u| u.name).collect();
        names.sort();
        let before = names.len();
        names.dedup();
        assert_eq!(before, names.len());
    }

    #[test]
    fn every_use_case_allows_admin_or_is_read() {
        for u in ALL {
            assert!(allows(u, &[Role::Admin]), "{} refuses admin", u.name);
        }
        assert!(allows(&READ, &[Role::Viewer]));
        assert!(!allows(&PARTNER_CREATE, &[Role::Viewer, Role::Finance]));
    }
}
