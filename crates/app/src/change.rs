//! The changes that can wait in the approvals queue, as types: one [`Kind`]
//! per kind of request, one payload struct per kind, and [`Change`], the
//! enum of them all. The queue (`approvals`) stores and decides changes
//! without knowing any feature; each feature implements [`Apply`] for its
//! own payload, and [`Change::apply`] dispatches with one exhaustive
//! `match`: a new kind without a handler does not compile.
//!
//! The stored JSON is what it was when payloads were built by hand: a
//! payload is turned into a `serde_json::Value` first (whose object keys
//! are sorted), so the text is byte-for-byte the same, and a stored payload
//! is parsed by its kind column (`tests` below hold fixtures of each kind).

use crate::context::Context;
use crate::error::Result;
use crate::wire::AssignmentView;
use partnerdesk_domain::kyc::DocumentStatus;
use partnerdesk_store::{StoreError, Tx};
use serde::{de::DeserializeOwned, Deserialize, Serialize};

/// A kind of request, as stored in the `approvals.kind` column (the
/// domain's word; the record carries it parsed). Who may decide it and when
/// it waits is `approvals::policy`.
pub use partnerdesk_domain::approval::ApprovalKind as Kind;

// The payloads. Fields are declared in the order the hand-built JSON had
// them (which only matters if serde_json ever keeps insertion order).

/// `partner.activate`: the partner becomes active.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartnerActivation {
    pub partner_id: String,
}

/// `document.review`: a reviewer's outcome for a KYC document, applied by a
/// second compliance user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocumentReview {
    pub document_id: String,
    /// `approved` or `rejected`
    pub outcome: DocumentStatus,
    pub note: String,
    /// Who reviewed it (the maker), kept on the document.
    pub reviewer: String,
}

/// `traffic_source.review`: a declared traffic source, allowed on approval
/// and marked rejected on rejection.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrafficSourceReview {
    pub source_id: String,
}

/// `plan.assign`: a plan assigned to a partner for a brand.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(transparent)]
pub struct PlanAssignment(pub AssignmentView);

/// `period.close`: a computed period closed for good.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PeriodClose {
    /// YYYY-MM
    pub period: String,
}

/// `user.change`: a user created or changed (roles, name, password,
/// disabled).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserChange {
    pub user_id: String,
    pub display_name: String,
    /// Stored in the payload as on the user: its words, comma-separated.
    #[serde(with = "partnerdesk_domain::role::as_text")]
    pub roles: partnerdesk_domain::role::Roles,
    pub disabled: bool,
    /// The new password's hash; null: unchanged.
    pub password_hash: Option<String>,
    pub new: bool,
    /// The version of the user the change was asked for; null for a new user.
    pub row_version: Option<i64>,
}

/// `ledger.adjust`: a manual adjustment or reversal (stored on its own,
/// pending), posted on approval and marked rejected on rejection.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LedgerAdjustment {
    pub adjustment_id: i64,
}

/// `payout.run`: a submitted payout run, approved (it may be exported) or
/// sent back to draft.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PayoutRunDecision {
    pub run_id: i64,
}

/// `payment_details.change`: how a partner is paid, set (first details
/// too) or replaced. The fields are the checked details as stored in
/// `payment_details` (`holder` is the account holder, wallet type or
/// network; `account` the IBAN, wallet account or address). Stored JSON:
/// `{"account","bic","holder","method","partner_id","row_version"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaymentDetailsChange {
    pub partner_id: String,
    pub method: partnerdesk_domain::payment::PaymentMethod,
    pub holder: String,
    pub account: String,
    pub bic: Option<String>,
    /// The partner's `row_version` when the change was asked for: a partner
    /// edited since is not changed by the approval (stale).
    pub row_version: i64,
}

/// A change waiting for (or applied on) approval: one variant per [`Kind`].
#[derive(Debug, Clone)]
pub enum Change {
    PartnerActivate(PartnerActivation),
    DocumentReview(DocumentReview),
    TrafficSource(TrafficSourceReview),
    PlanAssign(PlanAssignment),
    PeriodClose(PeriodClose),
    UserChange(UserChange),
    LedgerAdjust(LedgerAdjustment),
    PayoutRun(PayoutRunDecision),
    PaymentDetails(PaymentDetailsChange),
}

/// Which request a change applied on approval came from.
#[derive(Debug, Clone, Copy)]
pub struct Applied<'a> {
    pub approval_id: i64,
    pub maker: &'a str,
}

/// The audit note for a change applied with or without approval.
pub fn applied_note(applied: Option<&Applied<'_>>) -> serde_json::Value {
    match applied {
        Some(a) => serde_json::json!({"approval_id": a.approval_id, "requested_by": a.maker}),
        None => serde_json::json!({"approval": "not required (single-user mode)"}),
    }
}

/// What a feature does with its change when the request's last approval
/// (or its rejection) is decided. Both run in the decision's transaction
/// and check again what they rely on: the data may have moved on since the
/// request was made.
pub(crate) trait Apply {
    /// Makes the approved change.
    async fn apply(&self, ctx: &Context, tx: &mut Tx<'_>, on: &Applied<'_>) -> Result<()>;

    /// Settles what waited with the request when it is rejected (nothing
    /// unless the feature kept something pending).
    async fn on_reject(&self, _ctx: &Context, _tx: &mut Tx<'_>, _on: &Applied<'_>) -> Result<()> {
        Ok(())
    }
}

fn json_of<T: Serialize>(payload: &T) -> std::result::Result<serde_json::Value, StoreError> {
    serde_json::to_value(payload).map_err(|e| StoreError::Corrupt(format!("request payload: {e}")))
}

fn parse_as<T: DeserializeOwned>(kind: Kind, text: &str) -> std::result::Result<T, StoreError> {
    serde_json::from_str(text)
        .map_err(|e| StoreError::Corrupt(format!("a {kind} request's payload: {e}")))
}

impl Change {
    pub fn kind(&self) -> Kind {
        match self {
            Change::PartnerActivate(_) => Kind::PartnerActivate,
            Change::DocumentReview(_) => Kind::DocumentReview,
            Change::TrafficSource(_) => Kind::TrafficSource,
            Change::PlanAssign(_) => Kind::PlanAssign,
            Change::PeriodClose(_) => Kind::PeriodClose,
            Change::UserChange(_) => Kind::UserChange,
            Change::LedgerAdjust(_) => Kind::LedgerAdjust,
            Change::PayoutRun(_) => Kind::PayoutRun,
            Change::PaymentDetails(_) => Kind::PaymentDetails,
        }
    }

    /// The payload as JSON (objects with sorted keys, as stored).
    pub fn payload(&self) -> std::result::Result<serde_json::Value, StoreError> {
        match self {
            Change::PartnerActivate(p) => json_of(p),
            Change::DocumentReview(p) => json_of(p),
            Change::TrafficSource(p) => json_of(p),
            Change::PlanAssign(p) => json_of(p),
            Change::PeriodClose(p) => json_of(p),
            Change::UserChange(p) => json_of(p),
            Change::LedgerAdjust(p) => json_of(p),
            Change::PayoutRun(p) => json_of(p),
            Change::PaymentDetails(p) => json_of(p),
        }
    }

    /// The change stored with kind `kind` and payload `payload`.
    pub fn parse(kind: Kind, payload: &str) -> std::result::Result<Change, StoreError> {
        Ok(match kind {
            Kind::PartnerActivate => Change::PartnerActivate(parse_as(kind, payload)?),
            Kind::DocumentReview => Change::DocumentReview(parse_as(kind, payload)?),
            Kind::TrafficSource => Change::TrafficSource(parse_as(kind, payload)?),
            Kind::PlanAssign => Change::PlanAssign(parse_as(kind, payload)?),
            Kind::PeriodClose => Change::PeriodClose(parse_as(kind, payload)?),
            Kind::UserChange => Change::UserChange(parse_as(kind, payload)?),
            Kind::LedgerAdjust => Change::LedgerAdjust(parse_as(kind, payload)?),
            Kind::PayoutRun => Change::PayoutRun(parse_as(kind, payload)?),
            Kind::PaymentDetails => Change::PaymentDetails(parse_as(kind, payload)?),
        })
    }

    /// Applies the approved change through its feature's [`Apply`].
    pub(crate) async fn apply(
        &self,
        ctx: &Context,
        tx: &mut Tx<'_>,
        on: &Applied<'_>,
    ) -> Result<()> {
        match self {
            Change::PartnerActivate(p) => p.apply(ctx, tx, on).await,
            Change::DocumentReview(p) => p.apply(ctx, tx, on).await,
            Change::TrafficSource(p) => p.apply(ctx, tx, on).await,
            Change::PlanAssign(p) => p.apply(ctx, tx, on).await,
            Change::PeriodClose(p) => p.apply(ctx, tx, on).await,
            Change::UserChange(p) => p.apply(ctx, tx, on).await,
            Change::LedgerAdjust(p) => p.apply(ctx, tx, on).await,
            Change::PayoutRun(p) => p.apply(ctx, tx, on).await,
            Change::PaymentDetails(p) => p.apply(ctx, tx, on).await,
        }
    }

    /// Settles a rejected change through its feature's [`Apply`].
    pub(crate) async fn on_reject(
        &self,
        ctx: &Context,
        tx: &mut Tx<'_>,
        on: &Applied<'_>,
    ) -> Result<()> {
        match self {
            Change::PartnerActivate(p) => p.on_reject(ctx, tx, on).await,
            Change::DocumentReview(p) => p.on_reject(ctx, tx, on).await,
            Change::TrafficSource(p) => p.on_reject(ctx, tx, on).await,
            Change::PlanAssign(p) => p.on_reject(ctx, tx, on).await,
            Change::PeriodClose(p) => p.on_reject(ctx, tx, on).await,
            Change::UserChange(p) => p.on_reject(ctx, tx, on).await,
            Change::LedgerAdjust(p) => p.on_reject(ctx, tx, on).await,
            Change::PayoutRun(p) => p.on_reject(ctx, tx, on).await,
            Change::PaymentDetails(p) => p.on_reject(ctx, tx, on).await,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use partnerdesk_domain::Word;

    /// Payloads as the code before typed changes stored them (built with
    /// `serde_json::json!` and written with `Value::to_string`: compact,
    /// keys sorted), one or more per kind. Each parses by its kind and
    /// serializes back to the same bytes.
    const STORED: &[(&str, &str)] = &[
        ("partner.activate", r#"{"partner_id":"AFF-001"}"#),
        (
            "document.review",
            r#"{"document_id":"DOC-3f2a9c","note":"matches the \"applicant\" → ok, é","outcome":"approved","reviewer":"carol"}"#,
        ),
        (
            "document.review",
            r#"{"document_id":"DOC-1","note":"blurred","outcome":"rejected","reviewer":"dave"}"#,
        ),
        (
            "traffic_source.review",
            r#"{"source_id":"TS-0123456789ab"}"#,
        ),
        (
            "plan.assign",
            r#"{"brand_id":"CAS","partner_id":"AFF-001","plan_id":"rev-share","valid_from":"2031-01-01","valid_to":null}"#,
        ),
        (
            "plan.assign",
            r#"{"brand_id":"FX","partner_id":"IB-7","plan_id":"cpa","valid_from":"2031-01-01","valid_to":"2031-12-31"}"#,
        ),
        ("period.close", r#"{"period":"2026-07"}"#),
        (
            "user.change",
            r#"{"disabled":false,"display_name":"Yara","new":true,"password_hash":"$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA","roles":"viewer","row_version":null,"user_id":"yara"}"#,
        ),
        (
            "user.change",
            r#"{"disabled":true,"display_name":"Zed","new":false,"password_hash":null,"roles":"admin,finance","row_version":3,"user_id":"zed"}"#,
        ),
        ("ledger.adjust", r#"{"adjustment_id":42}"#),
        ("payout.run", r#"{"run_id":7}"#),
        (
            "payment_details.change",
            r#"{"account":"DE89370400440532013000","bic":"COBADEFFXXX","holder":"Zoë Müller","method":"bank_transfer","partner_id":"AFF-001","row_version":4}"#,
        ),
        (
            "payment_details.change",
            r#"{"account":"payee@example.com","bic":null,"holder":"skrill","method":"e_wallet","partner_id":"IB-7","row_version":1}"#,
        ),
    ];

    #[test]
    fn stored_payloads_round_trip_byte_for_byte() {
        for (kind, text) in STORED {
            let k = Kind::from_word(kind).unwrap_or_else(|| panic!("{kind} is a kind"));
            let change = Change::parse(k, text).unwrap_or_else(|e| panic!("{kind}: {e}"));
            assert_eq!(change.kind().as_str(), *kind);
            assert_eq!(
                change.payload().unwrap().to_string(),
                *text,
                "a {kind} payload is stored as it always was"
            );
        }
    }

    #[test]
    fn every_kind_has_a_fixture_and_a_unique_name() {
        for &k in Kind::ALL {
            assert!(
                STORED.iter().any(|(name, _)| *name == k.as_str()),
                "no stored fixture for {k}"
            );
            assert_eq!(Kind::from_word(k.as_str()), Some(k));
        }
        assert_eq!(Kind::from_word("payout.cancel"), None);
    }

    #[test]
    fn a_payload_of_another_kind_is_corrupt() {
        let e = Change::parse(Kind::LedgerAdjust, r#"{"run_id":7}"#).unwrap_err();
        assert!(e.to_string().contains("ledger.adjust"), "{e}");
    }
}
