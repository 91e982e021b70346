//! The measures and dimensions of REPORTS.md: what a report may ask for,
//! which combinations are refused, and how each figure prints.

pub mod figures;
pub mod format;

use crate::commission::Kind;
use crate::error::FieldError;
use chrono::NaiveDate;

/// A dimension a report groups by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Dim {
    Day,
    Period,
    Brand,
    Vertical,
    Partner,
    Tree,
    PartnerKind,
    Country,
    TrackingCode,
}

impl Dim {
    pub const ALL: [Dim; 9] = [
        Dim::Day,
        Dim::Period,
        Dim::Brand,
        Dim::Vertical,
        Dim::Partner,
        Dim::Tree,
        Dim::PartnerKind,
        Dim::Country,
        Dim::TrackingCode,
    ];

    pub fn as_str(&self) -> &'static str {
        match self {
            Dim::Day => "day",
            Dim::Period => "period",
            Dim::Brand => "brand",
            Dim::Vertical => "vertical",
            Dim::Partner => "partner",
            Dim::Tree => "tree",
            Dim::PartnerKind => "partner_kind",
            Dim::Country => "country",
            Dim::TrackingCode => "tracking_code",
        }
    }

    pub fn parse(raw: &str) -> Result<Dim, FieldError> {
        Dim::ALL
            .into_iter()
            .find(|d| d.as_str() == raw)
            .ok_or_else(|| {
                FieldError::new(
                    "by",
                    format!(
                        "'{raw}' is not a dimension; use one of {}",
                        Dim::ALL.map(|d| d.as_str()).join(", ")
                    ),
                )
            })
    }

    /// Whether the dimension is the partner a figure counts for.
    pub fn is_partner(&self) -> bool {
        matches!(self, Dim::Partner | Dim::Tree | Dim::PartnerKind)
    }
}

/// What kind of value a measure is, which decides how it prints and
/// whether it is converted between currencies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    Count,
    /// An amount of money (converted by `--currency`).
    Amount,
    /// Lots: two decimals, never converted.
    Lots,
    /// × 100, one decimal.
    Percent,
}

/// A measure of REPORTS.md.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Measure {
    Registrations,
    ExcludedRegistrations,
    Ftds,
    FtdAmount,
    Deposits,
    Withdrawals,
    Bets,
    Wins,
    Bonuses,
    Chargebacks,
    Taxes,
    Ggr,
    NetGaming,
    Trades,
    Lots,
    TradingRevenue,
    Purchases,
    FirstPurchases,
    PurchaseAmount,
    Refunds,
    RefundAmount,
    Clicks,
    UniqueClicks,
    Commission,
    CommissionOf(Kind),
    QualifiedCpas,
    Paid,
    CostPerFtd,
    Conversion,
    UniqueClickToRegistration,
}

/// The simple measures by name (commission kinds are added in [`Measure::parse`]).
const NAMED: [(&str, Measure); 29] = [
    ("registrations", Measure::Registrations),
    ("excluded_registrations", Measure::ExcludedRegistrations),
    ("ftds", Measure::Ftds),
    ("ftd_amount", Measure::FtdAmount),
    ("deposits", Measure::Deposits),
    ("withdrawals", Measure::Withdrawals),
    ("bets", Measure::Bets),
    ("wins", Measure::Wins),
    ("bonuses", Measure::Bonuses),
    ("chargebacks", Measure::Chargebacks),
    ("taxes", Measure::Taxes),
    ("ggr", Measure::Ggr),
    ("net_gaming", Measure::NetGaming),
    ("trades", Measure::Trades),
    ("lots", Measure::Lots),
    ("trading_revenue", Measure::TradingRevenue),
    ("purchases", Measure::Purchases),
    ("first_purchases", Measure::FirstPurchases),
    ("purchase_amount", Measure::PurchaseAmount),
    ("refunds", Measure::Refunds),
    ("refund_amount", Measure::RefundAmount),
    ("clicks", Measure::Clicks),
    ("unique_clicks", Measure::UniqueClicks),
    ("commission", Measure::Commission),
    ("qualified_cpas", Measure::QualifiedCpas),
    ("paid", Measure::Paid),
    ("cost_per_ftd", Measure::CostPerFtd),
    ("conversion", Measure::Conversion),
    (
        "unique_click_to_registration",
        Measure::UniqueClickToRegistration,
    ),
];

/// Every measure's name, for help texts and the desktop's report builder.
pub fn measure_names() -> Vec<String> {
    let mut out: Vec<String> = NAMED.iter().map(|(n, _)| n.to_string()).collect();
    for k in ALL_KINDS {
        out.push(format!("commission_{}", k.as_str()));
    }
    out
}

const ALL_KINDS: [Kind; 7] = [
    Kind::Cpa,
    Kind::Revshare,
    Kind::LotRebate,
    Kind::SpreadShare,
    Kind::PurchaseShare,
    Kind::SubOverride,
    Kind::Adjustment,
];

impl Measure {
    pub fn parse(raw: &str) -> Result<Measure, FieldError> {
        if let Some((_, m)) = NAMED.iter().find(|(n, _)| *n == raw) {
            return Ok(*m);
        }
        if let Some(kind) = raw.strip_prefix("commission_") {
            if let Some(k) = ALL_KINDS.iter().find(|k| k.as_str() == kind) {
                return Ok(Measure::CommissionOf(*k));
            }
        }
        Err(FieldError::new(
            "measures",
            format!(
                "'{raw}' is not a measure; use one of {}",
                measure_names().join(", ")
            ),
        ))
    }

    pub fn name(&self) -> String {
        match self {
            Measure::CommissionOf(k) => format!("commission_{}", k.as_str()),
            m => NAMED
                .iter()
                .find(|(_, n)| n == m)
                .map(|(n, _)| n.to_string())
                .unwrap_or_default(),
        }
    }

    pub fn unit(&self) -> Unit {
        use Measure::*;
        match self {
            Registrations
            | ExcludedRegistrations
            | Ftds
            | Trades
            | Purchases
            | FirstPurchases
            | Refunds
            | Clicks
            | UniqueClicks
            | QualifiedCpas => Unit::Count,
            Lots => Unit::Lots,
            Conversion | UniqueClickToRegistration => Unit::Percent,
            _ => Unit::Amount,
        }
    }

    /// Money measures belong to a period and the partner's currency.
    pub fn is_money(&self) -> bool {
        matches!(
            self,
            Measure::Commission | Measure::CommissionOf(_) | Measure::QualifiedCpas | Measure::Paid
        )
    }

    /// An amount from the activity (in the brand's currency).
    pub fn is_activity_amount(&self) -> bool {
        !self.is_money() && self.unit() == Unit::Amount && *self != Measure::CostPerFtd
    }

    /// Whether a money measure needs the periods of the range computed.
    pub fn needs_computed_periods(&self) -> bool {
        matches!(
            self,
            Measure::Commission
                | Measure::CommissionOf(_)
                | Measure::QualifiedCpas
                | Measure::CostPerFtd
        )
    }

    /// The dimensions a measure cannot be grouped by.
    pub fn refused_dims(&self) -> &'static [Dim] {
        match self {
            Measure::QualifiedCpas => &[Dim::Day],
            m if m.is_money() => &[Dim::Day, Dim::Country, Dim::TrackingCode],
            // commission / ftds: the commission's dimensions rule.
            Measure::CostPerFtd => &[Dim::Day, Dim::Country, Dim::TrackingCode],
            _ => &[],
        }
    }
}

/// A report as asked for.
#[derive(Debug, Clone, PartialEq)]
pub struct ReportSpec {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub by: Vec<Dim>,
    pub measures: Vec<Measure>,
    pub brand: Option<String>,
    pub partner: Option<String>,
    pub tree: Option<String>,
    pub currency: Option<crate::CurrencyCode>,
}

/// Splits a comma-separated list, refusing an empty one or an empty item.
pub fn split_list<'a>(field: &str, raw: &'a str) -> Result<Vec<&'a str>, FieldError> {
    let items: Vec<&str> = raw.split(',').map(str::trim).collect();
    if items.iter().any(|s| s.is_empty()) {
        return Err(FieldError::new(
            field,
            format!("'{raw}' holds an empty item; give names separated by commas"),
        ));
    }
    Ok(items)
}

impl ReportSpec {
    /// Checks what REPORTS.md refuses: a money measure by day, country or
    /// tracking code; activity amounts mixed with money, or `cost_per_ftd`,
    /// without `--currency`; a range that ends before it starts; a
    /// dimension or measure named twice.
    pub fn check(&self) -> Result<(), FieldError> {
        if self.to < self.from {
            return Err(FieldError::new(
                "to",
                format!("--to {} is before --from {}", self.to, self.from),
            ));
        }
        if self.measures.is_empty() {
            return Err(FieldError::new("measures", "name at least one measure"));
        }
        for (i, d) in self.by.iter().enumerate() {
            if self.by[..i].contains(d) {
                return Err(FieldError::new(
                    "by",
                    format!("dimension '{}' is named twice", d.as_str()),
                ));
            }
        }
        for (i, m) in self.measures.iter().enumerate() {
            if self.measures[..i].contains(m) {
                return Err(FieldError::new(
                    "measures",
                    format!("measure '{}' is named twice", m.name()),
                ));
            }
            if let Some(d) = self.by.iter().find(|d| m.refused_dims().contains(d)) {
                return Err(FieldError::new(
                    "by",
                    format!(
                        "measure '{}' cannot be grouped by '{}': it belongs to a period and a partner, not to a {}",
                        m.name(),
                        d.as_str(),
                        match d {
                            Dim::Day => "day",
                            Dim::Country => "customer's country",
                            _ => "customer's tracking code",
                        }
                    ),
                ));
            }
        }
        if self.currency.is_none() {
            if self.measures.contains(&Measure::CostPerFtd) {
                return Err(FieldError::new(
                    "currency",
                    "measure 'cost_per_ftd' needs --currency CUR (commission and FTDs may be in different currencies)",
                ));
            }
            let activity = self.measures.iter().find(|m| m.is_activity_amount());
            let money = self.measures.iter().find(|m| m.is_money());
            if let (Some(a), Some(m)) = (activity, money) {
                return Err(FieldError::new(
                    "currency",
                    format!(
                        "measures '{}' (an activity amount, in the brand's currency) and '{}' (a money measure, in the partner's currency) together need --currency CUR",
                        a.name(),
                        m.name()
                    ),
                ));
            }
        }
        Ok(())
    }

    /// Whether the report has a `currency` column: it holds an amount.
    pub fn has_currency_column(&self) -> bool {
        self.measures.iter().any(|m| m.unit() == Unit::Amount)
    }
}

#[cfg(test)]
mod tests;
