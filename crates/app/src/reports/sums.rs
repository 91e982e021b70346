//! The base sums a report gathers (one per figure REPORTS.md counts or
//! adds up) and the measures' formulas over them: what a row prints from
//! its sums. Reading the figures into the sums is [`super::query`]'s.

use partnerdesk_domain::commission::Kind;
use partnerdesk_domain::report::format;
use partnerdesk_domain::report::{Measure, Unit};
use rust_decimal::Decimal;

/// The base sums every measure is computed from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum B {
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
    Trades,
    Lots,
    TradingRevenue,
    Purchases,
    FirstPurchases,
    PurchaseAmount,
    Refunds,
    RefundAmount,
    Commission,
    Cpa,
    Revshare,
    LotRebate,
    SpreadShare,
    PurchaseShare,
    SubOverride,
    Adjustment,
    QualifiedCpas,
    Paid,
    Clicks,
    UniqueClicks,
}
pub(super) const NB: usize = 31;

/// Whether a base sum is an amount (converted between currencies).
pub(super) fn is_amount(b: usize) -> bool {
    use B::*;
    [
        FtdAmount,
        Deposits,
        Withdrawals,
        Bets,
        Wins,
        Bonuses,
        Chargebacks,
        Taxes,
        TradingRevenue,
        PurchaseAmount,
        RefundAmount,
        Commission,
        Cpa,
        Revshare,
        LotRebate,
        SpreadShare,
        PurchaseShare,
        SubOverride,
        Adjustment,
        Paid,
    ]
    .iter()
    .any(|x| *x as usize == b)
}

pub(super) fn kind_base(k: Kind) -> B {
    match k {
        Kind::Cpa => B::Cpa,
        Kind::Revshare => B::Revshare,
        Kind::LotRebate => B::LotRebate,
        Kind::SpreadShare => B::SpreadShare,
        Kind::PurchaseShare => B::PurchaseShare,
        Kind::SubOverride => B::SubOverride,
        Kind::Adjustment => B::Adjustment,
    }
}

/// A row's (or a contribution's) base sums, indexed by [`B`].
pub(super) type Sums = [Decimal; NB];

/// A count as it prints: whole.
fn count(d: Decimal) -> String {
    d.trunc().to_string()
}

/// A measure's formula over a row's base sums, as it prints.
pub(super) fn print(m: Measure, s: &Sums) -> String {
    let g = |b: B| s[b as usize];
    let ggr = g(B::Bets) - g(B::Wins);
    let v = match m {
        Measure::Registrations => return count(g(B::Registrations)),
        Measure::ExcludedRegistrations => return count(g(B::ExcludedRegistrations)),
        Measure::Ftds => return count(g(B::Ftds)),
        Measure::Trades => return count(g(B::Trades)),
        Measure::Purchases => return count(g(B::Purchases)),
        Measure::FirstPurchases => return count(g(B::FirstPurchases)),
        Measure::Refunds => return count(g(B::Refunds)),
        Measure::QualifiedCpas => return count(g(B::QualifiedCpas)),
        Measure::Clicks => return count(g(B::Clicks)),
        Measure::UniqueClicks => return count(g(B::UniqueClicks)),
        Measure::Conversion => return format::percent(g(B::Ftds), g(B::Registrations)),
        Measure::UniqueClickToRegistration => {
            return format::percent(g(B::Registrations), g(B::UniqueClicks))
        }
        Measure::CostPerFtd => return format::ratio_amount(g(B::Commission), g(B::Ftds)),
        Measure::FtdAmount => g(B::FtdAmount),
        Measure::Deposits => g(B::Deposits),
        Measure::Withdrawals => g(B::Withdrawals),
        Measure::Bets => g(B::Bets),
        Measure::Wins => g(B::Wins),
        Measure::Bonuses => g(B::Bonuses),
        Measure::Chargebacks => g(B::Chargebacks),
        Measure::Taxes => g(B::Taxes),
        Measure::Ggr => ggr,
        Measure::NetGaming => ggr - g(B::Bonuses) - g(B::Chargebacks) - g(B::Taxes),
        Measure::Lots => g(B::Lots),
        Measure::TradingRevenue => g(B::TradingRevenue),
        Measure::PurchaseAmount => g(B::PurchaseAmount),
        Measure::RefundAmount => g(B::RefundAmount),
        Measure::Commission => g(B::Commission),
        Measure::CommissionOf(k) => g(kind_base(k)),
        Measure::Paid => g(B::Paid),
    };
    debug_assert!(matches!(m.unit(), Unit::Amount | Unit::Lots));
    format::amount(v)
}
