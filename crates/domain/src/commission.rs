//! Commission lines: one amount per (partner, brand, period, kind), with the
//! explanation of how it came about.

use crate::codes::CurrencyCode;
use crate::error::FieldError;
use crate::ids::Id;
use crate::period::Period;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    Cpa,
    Revshare,
    LotRebate,
    SpreadShare,
    PurchaseShare,
    SubOverride,
    /// Late data for a closed period, booked in the first open one. Never in
    /// the canonical export.
    Adjustment,
}

impl Kind {
    pub const EXPORTED: [Kind; 6] = [
        Kind::Cpa,
        Kind::Revshare,
        Kind::LotRebate,
        Kind::SpreadShare,
        Kind::PurchaseShare,
        Kind::SubOverride,
    ];

    pub fn as_str(&self) -> &'static str {
        match self {
            Kind::Cpa => "cpa",
            Kind::Revshare => "revshare",
            Kind::LotRebate => "lot_rebate",
            Kind::SpreadShare => "spread_share",
            Kind::PurchaseShare => "purchase_share",
            Kind::SubOverride => "sub_override",
            Kind::Adjustment => "adjustment",
        }
    }

    pub fn parse(field: &str, raw: &str) -> Result<Kind, FieldError> {
        [
            Kind::Cpa,
            Kind::Revshare,
            Kind::LotRebate,
            Kind::SpreadShare,
            Kind::PurchaseShare,
            Kind::SubOverride,
            Kind::Adjustment,
        ]
        .into_iter()
        .find(|k| k.as_str() == raw)
        .ok_or_else(|| FieldError::new(field, format!("'{raw}' is not a commission kind")))
    }
}

/// One computed commission line.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Line {
    pub partner_id: Id,
    pub brand_id: Id,
    pub period: Period,
    pub kind: Kind,
    /// Rounded once, in the partner's currency.
    pub amount: Decimal,
    pub currency: CurrencyCode,
    /// At full precision, in the brand's currency.
    pub amount_brand: Decimal,
    pub brand_currency: CurrencyCode,
    /// Brand currency → partner currency (1 when they are the same).
    pub fx_rate: Decimal,
    /// How the amount came about: basis, rate or tier, carry, counts, sources.
    pub explanation: serde_json::Value,
}

/// The canonical export of RULES.md for one period's lines: sorted by
/// partner_id, brand_id, kind name (byte order), zero amounts and adjustments
/// left out, LF line ends, no quoting.
pub fn canonical_csv<'a>(lines: impl IntoIterator<Item = &'a Line>) -> String {
    let mut rows: Vec<(&str, &str, &str, String, &str, String)> = lines
        .into_iter()
        .filter(|l| l.kind != Kind::Adjustment && !l.amount.is_zero())
        .map(|l| {
            let mut a = l.amount;
            a.rescale(2);
            (
                l.partner_id.as_str(),
                l.brand_id.as_str(),
                l.kind.as_str(),
                l.period.to_string(),
                l.currency.as_str(),
                a.to_string(),
            )
        })
        .collect();
    rows.sort_by(|a, b| {
        (a.0.as_bytes(), a.1.as_bytes(), a.2.as_bytes()).cmp(&(
            b.0.as_bytes(),
            b.1.as_bytes(),
            b.2.as_bytes(),
        ))
    });
    let mut out = String::from("partner_id,brand_id,period,kind,amount,currency\n");
    for (partner, brand, kind, period, currency, amount) in rows {
        out.push_str(&format!(
            "{partner},{brand},{period},{kind},{amount},{currency}\n"
        ));
    }
    out
}
