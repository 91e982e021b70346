//! A small builder of engine worlds for the rule tests: brands, partners,
//! plans from JSON, customers, activity days, trades and purchases, each in
//! one line ([`Scenario`]); ready-made shapes per vertical (`shapes`); and
//! the helpers that run periods and read amounts back (`reading`).

mod reading;
mod shapes;

pub use reading::*;
pub use shapes::*;

use crate::codes::{CountryCode, CurrencyCode};
use crate::data::{ActivityDay, Assignment, Customer, CustomerStatus, FxRate, Purchase, Trade};
use crate::engine::{Engine, PartnerNode, World};
use crate::ids::Id;
use crate::partner::{Brand, TrackingCode, TrackingKind, Vertical};
use crate::period::Period;
use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::Decimal;
use std::str::FromStr;

pub fn d(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap_or_else(|e| panic!("test decimal '{s}': {e}"))
}

pub fn id(s: &str) -> Id {
    Id::parse("id", s).unwrap_or_else(|e| panic!("test id '{s}': {e}"))
}

pub fn period(s: &str) -> Period {
    Period::parse("period", s).unwrap_or_else(|e| panic!("test period '{s}': {e}"))
}

pub fn date(s: &str) -> NaiveDate {
    crate::data::parse_date("date", s).unwrap_or_else(|e| panic!("test date '{s}': {e}"))
}

/// An RFC 3339 time; a bare date means midnight UTC.
pub fn time(s: &str) -> DateTime<Utc> {
    let full = if s.len() == 10 {
        format!("{s}T00:00:00Z")
    } else {
        s.to_string()
    };
    crate::data::parse_time("time", &full).unwrap_or_else(|e| panic!("test time '{s}': {e}"))
}

pub fn cur(s: &str) -> CurrencyCode {
    CurrencyCode::parse("currency", s).unwrap_or_else(|e| panic!("test currency '{s}': {e}"))
}

pub fn country(s: &str) -> CountryCode {
    CountryCode::parse("country", s).unwrap_or_else(|e| panic!("test country '{s}': {e}"))
}

/// The world under construction. Methods chain: `Scenario::new().brand(..).partner(..)`.
#[derive(Default, Clone)]
pub struct Scenario {
    pub world: World,
}

impl Scenario {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn brand(mut self, brand: &str, vertical: Vertical, currency: &str) -> Self {
        self.world.brands.push(Brand {
            id: id(brand),
            name: brand.to_string(),
            vertical,
            currency: cur(currency),
        });
        self
    }

    pub fn partner(mut self, partner: &str, parent: Option<&str>, currency: &str) -> Self {
        self.world.partners.push(PartnerNode {
            partner_id: id(partner),
            parent_id: parent.map(id),
            currency: cur(currency),
        });
        self
    }

    /// A plan from the `components` array of `plans.json`, parsed by the real parser.
    pub fn plan(mut self, plan_id: &str, components: &str) -> Self {
        let doc = format!(
            r#"[{{"plan_id": "{plan_id}", "name": "{plan_id}", "components": {components}}}]"#
        );
        let plans = crate::plan::parse_plans_document(&doc)
            .unwrap_or_else(|e| panic!("test plan '{plan_id}': {e}"));
        self.world.plans.extend(plans);
        self
    }

    /// `from` and `to` are periods (`YYYY-MM`); `to = None` is open-ended.
    pub fn assign(
        mut self,
        partner: &str,
        brand: &str,
        plan: &str,
        from: &str,
        to: Option<&str>,
    ) -> Self {
        self.world.assignments.push(Assignment {
            partner_id: id(partner),
            brand_id: id(brand),
            plan_id: id(plan),
            valid_from: period(from),
            valid_to: to.map(period),
        });
        self
    }

    /// Forgets the assignments so far (to replace a helper's default deal).
    pub fn without_assignments(mut self) -> Self {
        self.world.assignments.clear();
        self
    }

    pub fn code(mut self, brand: &str, code: &str, partner: &str, kind: TrackingKind) -> Self {
        self.world.tracking_codes.push(TrackingCode {
            brand_id: id(brand),
            code: code.to_string(),
            partner_id: id(partner),
            kind,
        });
        self
    }

    /// An active customer; `registered` is an RFC 3339 time or a bare date;
    /// an empty `country_code` is an unknown country.
    pub fn customer(
        mut self,
        customer: &str,
        brand: &str,
        code: Option<&str>,
        country_code: &str,
        registered: &str,
    ) -> Self {
        self.world.customers.push(Customer {
            customer_id: id(customer),
            brand_id: id(brand),
            tracking_code: code.map(str::to_string),
            country: (!country_code.is_empty()).then(|| country(country_code)),
            registered_at: time(registered),
            status: CustomerStatus::Active,
        });
        self
    }

    pub fn excluded(mut self, customer: &str) -> Self {
        let c = self
            .world
            .customers
            .iter_mut()
            .find(|c| c.customer_id.as_str() == customer)
            .unwrap_or_else(|| panic!("excluded: no customer {customer}"));
        c.status = CustomerStatus::Excluded;
        self
    }

    pub fn geo_block(mut self, brand: &str, country_code: &str) -> Self {
        self.world
            .geo_blocks
            .push((id(brand), country(country_code)));
        self
    }

    /// A purchase of `customer` (its brand), optionally refunded.
    pub fn purchase(
        mut self,
        order: &str,
        customer: &str,
        amount: &str,
        coupon: Option<&str>,
        at: &str,
        refunded: Option<&str>,
    ) -> Self {
        let brand = self.brand_of(customer);
        self.world.purchases.push(Purchase {
            order_id: id(order),
            customer_id: id(customer),
            brand_id: brand,
            product: "challenge-50k".to_string(),
            amount: d(amount),
            coupon_code: coupon.map(str::to_string),
            purchased_at: time(at),
            refunded_at: refunded.map(time),
        });
        self
    }

    /// `1 base = rate quote` from `on`.
    pub fn fx(mut self, on: &str, base: &str, quote: &str, rate: &str) -> Self {
        self.world.fx_rates.push(FxRate {
            date: date(on),
            base: cur(base),
            quote: cur(quote),
            rate: d(rate),
        });
        self
    }

    fn brand_of(&self, customer: &str) -> Id {
        self.world
            .customers
            .iter()
            .find(|c| c.customer_id.as_str() == customer)
            .map(|c| c.brand_id.clone())
            .unwrap_or_else(|| panic!("no customer {customer} in the scenario"))
    }

    /// An activity day of zeros for `customer`; fill amounts with struct update syntax.
    pub fn act(&self, customer: &str, on: &str) -> ActivityDay {
        ActivityDay {
            customer_id: id(customer),
            brand_id: self.brand_of(customer),
            date: date(on),
            deposits: Decimal::ZERO,
            withdrawals: Decimal::ZERO,
            bets: Decimal::ZERO,
            wins: Decimal::ZERO,
            bonuses: Decimal::ZERO,
            chargebacks: Decimal::ZERO,
            taxes: Decimal::ZERO,
        }
    }

    /// A trade with no broker revenue; `open` and `close` are RFC 3339 times.
    pub fn trade(
        &self,
        trade: &str,
        customer: &str,
        group: &str,
        lots: &str,
        open: &str,
        close: &str,
    ) -> Trade {
        Trade {
            trade_id: id(trade),
            customer_id: id(customer),
            brand_id: self.brand_of(customer),
            symbol: "EURUSD".to_string(),
            instrument_group: group.to_string(),
            lots: d(lots),
            open_time: time(open),
            close_time: time(close),
            commission: Decimal::ZERO,
            spread_revenue: Decimal::ZERO,
        }
    }

    pub fn engine(&self) -> Engine {
        Engine::new(self.world.clone()).unwrap_or_else(|e| panic!("Engine::new: {e}"))
    }
}
