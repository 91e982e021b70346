//! What the payout use cases return: payment details, runs with their items,
//! totals and held balances, payment files, settlements.

use partnerdesk_domain::payment::PaymentMethod;
use partnerdesk_domain::payout::{ItemState, RunState};
use partnerdesk_domain::CurrencyCode;
use serde::{Deserialize, Serialize};
use specta::Type;

#[derive(Debug, Clone, Serialize, Deserialize, Type)]
pub struct PaymentDetailsView {
    pub partner_id: String,
    pub method: PaymentMethod,
    /// The account holder (bank), the wallet type (e-wallet) or the network (crypto).
    pub holder: String,
    /// IBAN, wallet account or address.
    pub account: String,
    pub bic: Option<String>,
    pub updated_at: String,
    pub updated_by: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, Type)]
pub struct PayoutItemView {
    pub partner_id: String,
    pub name: String,
    pub currency: CurrencyCode,
    pub amount: String,
    pub method: PaymentMethod,
    pub holder: String,
    pub account: String,
    pub bic: Option<String>,
    pub state: ItemState,
    pub reference: Option<String>,
    pub failure_reason: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, Type)]
pub struct HeldView {
    pub partner_id: String,
    pub name: String,
    pub currency: CurrencyCode,
    pub amount: String,
    pub reason: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, Type)]
pub struct RunTotal {
    pub currency: CurrencyCode,
    pub amount: String,
    pub payments: u32,
    pub paid: String,
    pub failed: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, Type)]
pub struct PayoutRunView {
    pub run_id: i64,
    pub pay_date: String,
    pub period: String,
    pub state: RunState,
    pub created_at: String,
    pub created_by: String,
    pub submitted_by: Option<String>,
    pub approved_by: Option<String>,
    pub exported_at: Option<String>,
    /// The request in the approvals queue while the run is submitted.
    pub approval_id: Option<i64>,
    pub totals: Vec<RunTotal>,
    pub held_count: u32,
    /// Actions the state allows now (`submit`, `approve`, `reject`, `export`, `settle`, `cancel`).
    pub actions: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, Type)]
pub struct PayoutRunDetail {
    pub run: PayoutRunView,
    pub items: Vec<PayoutItemView>,
    pub held: Vec<HeldView>,
}

#[derive(Debug, Clone, Serialize, Deserialize, Type)]
pub struct PaymentFiles {
    /// Every payment of the run (any currency, any method).
    pub csv: String,
    /// The SEPA credit transfer for the EUR bank transfers, when there are any.
    pub sepa_xml: Option<String>,
    pub sepa_payments: u32,
}

#[derive(Debug, Clone, Serialize, Deserialize, Type)]
pub struct Settlement {
    pub partner_id: String,
    pub currency: String,
    /// `paid` or `failed`
    pub outcome: String,
    /// The bank's or provider's payment reference (paid), or why it failed (failed).
    pub note: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, Type)]
pub struct OperatorAccount {
    pub name: String,
    pub iban: String,
    pub bic: Option<String>,
}
