//! What crosses the bridge to the UI, as JSON. TypeScript for every type here
//! (derive `specta::Type`) is generated with the desktop's commands into
//! `ui/src/bindings/index.ts` (src-tauri/src/contract.rs; `cargo test` writes
//! it, CI fails when the committed copy is stale). Money is a decimal string;
//! counts are plain numbers.

use partnerdesk_domain::commission::PeriodState;
use partnerdesk_domain::data::CustomerStatus;
use serde::{Deserialize, Serialize};
use specta::Type;

/// The domain's vocabularies on the bridge: string-literal unions in the
/// UI's TypeScript (docs/decisions.md §18).
pub use partnerdesk_domain::partner::{PartnerKind, PartnerStatus, TrackingKind, Vertical};

/// The domain's checked codes on the bridge: named string types in the UI's
/// TypeScript (`CurrencyCode`, `CountryCode`, `Period`), checked by the core.
pub use partnerdesk_domain::{CountryCode, CurrencyCode, Period};

/// An error as the UI receives it.
#[derive(Debug, Clone, Serialize, Deserialize, Type)]
pub struct ApiError {
    /// `invalid`, `not_found`, `conflict`, `database_unavailable`, `database`, `import`, `engine`, `refused`, `io`, `no_database`
    pub code: String,
    pub message: String,
    /// The input field the error is about, when there is one.
    pub field: Option<String>,
}

impl From<crate::AppError> for ApiError {
    /// Also the one place an error leaving the core is logged: what the user
    /// cannot fix (the database, a file, the engine) as an error, for support;
    /// the rest (a bad input, a refusal) only at debug: the user sees those.
    fn from(e: crate::AppError) -> Self {
        match e.code() {
            "database" | "database_unavailable" | "io" | "engine" => {
                tracing::error!(code = e.code(), "{e}")
            }
            code => tracing::debug!(code, "{e}"),
        }
        ApiError {
            code: e.code().to_string(),
            message: e.to_string(),
            field: e.field().map(str::to_string),
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, Type)]
pub struct DatabaseInfo {
    /// `sqlite` or `postgres`
    pub backend: String,
    /// A path or a URL, never with a password.
    pub location: String,
    /// Whether the database is open and usable.
    pub ok: bool,
    /// Why it is not, when it is not.
    pub error: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, Type)]
pub struct AppInfo {
    pub version: String,
    pub user: String,
    pub database: DatabaseInfo,
    pub partners: u32,
}

#[derive(Debug, Clone, Serialize, Deserialize, Type)]
pub struct BrandView {
    pub brand_id: String,
    pub name: String,
    /// `igaming`, `forex` or `prop`
    pub vertical: String,
    /// ISO 4217 (also the form's input: text, checked by the core)
    pub currency: String,
}

/// Sort columns of the partner list.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, Type, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum PartnerSortKey {
    PartnerId,
    Name,
    Kind,
    Status,
    Country,
    CreatedAt,
}

#[derive(Debug, Clone, Serialize, Deserialize, Type)]
pub struct PartnerQuery {
    pub text: Option<String>,
    pub kind: Option<String>,
    pub status: Option<String>,
    pub parent_id: Option<String>,
    pub tag: Option<String>,
    pub include_archived: bool,
    pub sort: PartnerSortKey,
    pub desc: bool,
    pub offset: u32,
    /// 1–1000
    pub limit: u32,
}

#[derive(Debug, Clone, Serialize, Deserialize, Type)]
pub struct PartnerRow {
    pub partner_id: String,
    pub name: String,
    pub kind: PartnerKind,
    pub status: PartnerStatus,
    pub parent_id: Option<String>,
    pub email: Option<String>,
    pub country: Option<CountryCode>,
    pub currency: CurrencyCode,
    pub tags: Vec<String>,
    /// Direct children.
    pub children: u32,
    pub archived: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize, Type)]
pub struct PartnerPage {
    pub total: u32,
    pub rows: Vec<PartnerRow>,
}

/// A partner's editable fields, as typed in the form.
#[derive(Debug, Clone, Default, Serialize, Deserialize, Type)]
pub struct PartnerInput {
    /// Chosen on create; ignored on edit.
    pub partner_id: String,
    pub name: String,
    /// affiliate, ib, referral, media_buyer, influencer, strategic
    pub kind: String,
    pub parent_id: Option<String>,
    pub email: Option<String>,
    /// ISO 3166-1 alpha-2
    pub country: Option<String>,
    /// ISO 4217
    pub currency: String,
    /// applied, pending_review, active, suspended, terminated
    pub status: String,
    pub tags: Vec<String>,
    pub notes: String,
    pub contact_name: Option<String>,
    pub phone: Option<String>,
    /// On edit: the partner's `row_version` when the form was opened. A
    /// partner changed since is refused (code `stale`) instead of being
    /// overwritten; None (a script) edits the partner as it is now.
    #[serde(default)]
    pub row_version: Option<i64>,
}

#[derive(Debug, Clone, Serialize, Deserialize, Type)]
pub struct TrackingCodeView {
    pub brand_id: String,
    pub code: String,
    pub partner_id: String,
    /// btag, agent, referral, coupon
    pub kind: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, Type)]
pub struct PartnerDetail {
    pub partner: PartnerRow,
    pub notes: String,
    pub contact_name: Option<String>,
    pub phone: Option<String>,
    pub created_at: String,
    pub updated_at: String,
    /// Moved on by every change: an edit sends back the version it was
    /// made from (see [`PartnerInput::row_version`]).
    pub row_version: i64,
    /// Root first; the partner itself is not included.
    pub ancestors: Vec<PartnerRow>,
    pub tracking_codes: Vec<TrackingCodeView>,
}

#[derive(Debug, Clone, Serialize, Deserialize, Type)]
pub struct SubtreeRow {
    /// 0 is the partner itself.
    pub depth: u32,
    pub partner: PartnerRow,
}

/// Progress of long work, emitted as the `progress` event.
#[derive(Debug, Clone, Serialize, Deserialize, Type)]
pub struct ProgressEvent {
    pub task: String,
    pub done: u32,
    pub total: u32,
    pub message: String,
}

// ---- Deals, customers, commissions ----

#[derive(Debug, Clone, Serialize, Deserialize, Type)]
pub struct PlanView {
    pub plan_id: String,
    /// The latest version.
    pub version: u32,
    pub name: String,
    /// The plan in the plans.json form, pretty-printed.
    pub json: String,
    /// Plain-language summary, e.g. "25% of NGR, 30% from 10 FTDs a month, negative carry-over".
    pub description: String,
    /// Component types present.
    pub components: Vec<String>,
    /// Assignments that use this plan.
    pub assignments: u32,
}

#[derive(Debug, Clone, Serialize, Deserialize, Type)]
pub struct PlanVersionView {
    pub version: u32,
    pub created_at: String,
    pub description: String,
    pub json: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, Type)]
pub struct PlanDetail {
    pub plan: PlanView,
    /// Oldest first.
    pub versions: Vec<PlanVersionView>,
}

/// The result of checking a plan as typed in the editor.
#[derive(Debug, Clone, Serialize, Deserialize, Type)]
pub struct PlanPreview {
    pub ok: bool,
    pub description: String,
    /// The field path of the first problem, e.g. `components[1].min_deposits`.
    pub field: Option<String>,
    pub error: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, Type)]
pub struct AssignmentView {
    pub partner_id: String,
    pub brand_id: String,
    pub plan_id: String,
    /// First day of a month, YYYY-MM-DD.
    pub valid_from: String,
    /// Last day of a month, YYYY-MM-DD; null: open-ended.
    pub valid_to: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, Type)]
pub struct CustomerQuery {
    pub text: Option<String>,
    pub brand_id: Option<String>,
    pub partner_id: Option<String>,
    /// active or excluded
    pub status: Option<String>,
    pub offset: u32,
    pub limit: u32,
}

#[derive(Debug, Clone, Serialize, Deserialize, Type)]
pub struct CustomerRow {
    pub customer_id: String,
    pub brand_id: String,
    pub tracking_code: Option<String>,
    /// The attributed partner; null: unattributed (earns nobody).
    pub partner_id: Option<String>,
    /// null: unknown (RULES.md, Attribution).
    pub country: Option<CountryCode>,
    pub registered_at: String,
    pub status: CustomerStatus,
    /// The country is blocked for the brand: earns nobody.
    pub geo_blocked: bool,
    /// The country is outside the partner's allowed countries: flagged for
    /// compliance review (it still earns until compliance excludes it).
    pub unexpected_country: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize, Type)]
pub struct CustomerPage {
    pub total: u32,
    pub rows: Vec<CustomerRow>,
}

#[derive(Debug, Clone, Serialize, Deserialize, Type)]
pub struct ActivityView {
    pub date: String,
    pub deposits: String,
    pub withdrawals: String,
    pub bets: String,
    pub wins: String,
    pub bonuses: String,
    pub chargebacks: String,
    pub taxes: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, Type)]
pub struct TradeView {
    pub trade_id: String,
    pub symbol: String,
    pub instrument_group: String,
    pub lots: String,
    pub open_time: String,
    pub close_time: String,
    pub commission: String,
    pub spread_revenue: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, Type)]
pub struct PurchaseView {
    pub order_id: String,
    pub product: String,
    pub amount: String,
    pub coupon_code: Option<String>,
    pub purchased_at: String,
    pub refunded_at: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, Type)]
pub struct CustomerDetail {
    pub customer: CustomerRow,
    /// Latest 100 days, newest first.
    pub activity: Vec<ActivityView>,
    /// Latest 100 trades, newest first.
    pub trades: Vec<TradeView>,
    pub purchases: Vec<PurchaseView>,
}

#[derive(Debug, Clone, Serialize, Deserialize, Type)]
pub struct PeriodView {
    /// YYYY-MM
    pub period: Period,
    pub state: PeriodState,
    pub computed_at: String,
    /// False when data changed since it was computed: run it again.
    pub up_to_date: bool,
    pub closed_at: Option<String>,
    pub closed_by: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, Type)]
pub struct RunOutcome {
    pub up_to_date: bool,
    pub periods: Vec<String>,
    pub changed: Vec<String>,
    pub adjustments: u32,
    pub pending_adjustments: u32,
}

#[derive(Debug, Clone, Serialize, Deserialize, Type)]
pub struct LineQuery {
    pub period: String,
    pub partner_id: Option<String>,
    pub brand_id: Option<String>,
    /// cpa, revshare, lot_rebate, spread_share, purchase_share, sub_override, adjustment
    pub kind: Option<String>,
    /// Sort by amount instead of partner.
    pub by_amount: bool,
    pub desc: bool,
    pub offset: u32,
    pub limit: u32,
}

#[derive(Debug, Clone, Serialize, Deserialize, Type)]
pub struct LineRow {
    pub period: Period,
    pub partner_id: String,
    pub partner_name: String,
    pub brand_id: String,
    pub kind: String,
    /// Partner currency, two decimals.
    pub amount: String,
    pub currency: CurrencyCode,
    /// Brand currency, full precision.
    pub amount_brand: String,
    pub brand_currency: CurrencyCode,
    pub fx_rate: String,
    /// For adjustments: the closed period they book late data of.
    pub origin_period: Option<Period>,
}

#[derive(Debug, Clone, Serialize, Deserialize, Type)]
pub struct LinePage {
    pub total: u32,
    pub rows: Vec<LineRow>,
}

#[derive(Debug, Clone, Serialize, Deserialize, Type)]
pub struct TotalRow {
    pub brand_id: String,
    pub kind: String,
    pub currency: String,
    pub amount: String,
    pub lines: u32,
}

#[derive(Debug, Clone, Serialize, Deserialize, Type)]
pub struct LineDetail {
    pub line: LineRow,
    /// The explanation (basis, rate or tier, carry, customers/trades/purchases behind it, FX) as pretty JSON.
    pub explanation: String,
    /// Customers behind the line (ids), when the line is built from customers.
    pub customers: Vec<String>,
}
