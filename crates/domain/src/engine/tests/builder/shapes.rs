//! Ready-made worlds per vertical (a casino, a broker, a prop shop) and the
//! one-line helpers for their customers, days and trades.

use super::{d, time, Scenario};
use crate::data::{ActivityDay, Trade};
use crate::partner::{TrackingKind, Vertical};

/// Brand CAS (iGaming, EUR), partner A (EUR) owning btag `a-btag`, and plan
/// `deal` made of `components`, assigned to A for CAS from 2026-07 on.
pub fn casino(components: &str) -> Scenario {
    Scenario::new()
        .brand("CAS", Vertical::Igaming, "EUR")
        .partner("A", None, "EUR")
        .plan("deal", components)
        .assign("A", "CAS", "deal", "2026-07", None)
        .code("CAS", "a-btag", "A", TrackingKind::Btag)
}

impl Scenario {
    /// A customer of CAS who came through A's btag.
    pub fn player(self, customer: &str, country_code: &str, registered: &str) -> Self {
        self.customer(customer, "CAS", Some("a-btag"), country_code, registered)
    }

    /// A day with deposits, bets and wins only (GGR = bets − wins).
    pub fn play(
        &self,
        customer: &str,
        on: &str,
        deposits: &str,
        bets: &str,
        wins: &str,
    ) -> ActivityDay {
        ActivityDay {
            deposits: d(deposits),
            bets: d(bets),
            wins: d(wins),
            ..self.act(customer, on)
        }
    }
}

/// Brand FX (forex, USD) with no IBs yet; add them with [`Scenario::ib`].
pub fn broker() -> Scenario {
    Scenario::new().brand("FX", Vertical::Forex, "USD")
}

impl Scenario {
    /// An IB (USD) with agent code `<ib>-code` for FX and, when `components` is
    /// given, its own plan `plan-<ib>` assigned for FX from 2026-07 on.
    pub fn ib(self, ib: &str, parent: Option<&str>, components: Option<&str>) -> Self {
        let s = self.partner(ib, parent, "USD").code(
            "FX",
            &format!("{ib}-code"),
            ib,
            TrackingKind::Agent,
        );
        match components {
            Some(c) => {
                let plan = format!("plan-{ib}");
                s.plan(&plan, c).assign(ib, "FX", &plan, "2026-07", None)
            }
            None => s,
        }
    }

    /// A trading account of FX that came through `ib`.
    pub fn client(self, customer: &str, ib: &str) -> Self {
        let code = format!("{ib}-code");
        self.customer(customer, "FX", Some(&code), "DE", "2026-07-01")
    }

    /// A trade held `seconds` seconds, closed at `close`.
    pub fn held(
        &self,
        trade: &str,
        customer: &str,
        group: &str,
        lots: &str,
        close: &str,
        seconds: i64,
    ) -> Trade {
        let close_at = time(close);
        let open = close_at - chrono::TimeDelta::seconds(seconds);
        Trade {
            open_time: open,
            ..self.trade(trade, customer, group, lots, close, close)
        }
    }
}

/// Brand PROP (prop, USD) and partners A and B (USD) on plan `deal` made of
/// `components`; A owns btag `a-link` and coupon `A10`, B owns btag `b-link`
/// and coupon `B10`.
pub fn prop_shop(components: &str) -> Scenario {
    Scenario::new()
        .brand("PROP", Vertical::Prop, "USD")
        .partner("A", None, "USD")
        .partner("B", None, "USD")
        .plan("deal", components)
        .assign("A", "PROP", "deal", "2026-07", None)
        .assign("B", "PROP", "deal", "2026-07", None)
        .code("PROP", "a-link", "A", TrackingKind::Btag)
        .code("PROP", "A10", "A", TrackingKind::Coupon)
        .code("PROP", "b-link", "B", TrackingKind::Btag)
        .code("PROP", "B10", "B", TrackingKind::Coupon)
}

/// 15% of a first purchase plus 5, 10% of a repeat purchase.
pub const PURCHASE_SHARE: &str = r#"[{"type": "purchase_share", "first_rate": "0.15", "repeat_rate": "0.10", "first_purchase_cpa": "5"}]"#;
