//! The commission engine: RULES.md as pure functions over one period at a time.
//!
//! [`Engine::new`] takes the slow-moving world (brands, partners, plans,
//! assignments, tracking codes, customers, purchases, FX rates). Periods are
//! then computed in order, each fed its own activity rows and trades in any
//! order; the engine keeps what crosses periods (carry-over, cumulative CPA
//! sums, FTD dates, purchase earnings) between them.

mod bytes;
mod customers;
mod forex;
pub mod fx;
mod igaming;
mod image;
mod lines;
mod prop;
mod state;

use crate::codes::{CountryCode, CurrencyCode};
use crate::commission::Line;
use crate::data::{
    ActivityDay, Assignment, Customer, CustomerStatus, DayAmounts, FxRate, Purchase, Trade,
    TradeFigures,
};
use crate::ids::Id;
use crate::partner::{Brand, TrackingCode};
use crate::period::Period;
use crate::plan::Plan;
use chrono::NaiveDate;
use rust_decimal::Decimal;
use std::collections::HashSet;

/// The engine's maps: keyed by indexes and ids looked up per row, where the
/// standard SipHash was a tenth of a run; foldhash is keyed per process too.
pub(crate) type HashMap<K, V> = std::collections::HashMap<K, V, foldhash::fast::RandomState>;

use customers::{CustomerState, Customers, CustomersBuilder};
pub use fx::{Conversion, FxTable};
pub use image::CustomerImage;
pub use state::{ParsedState, StateError};

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum EngineError {
    #[error("{what} {row} refers to customer '{customer}', which is not known; import the customer first")]
    UnknownCustomer {
        what: &'static str,
        row: String,
        customer: String,
    },
    #[error("no FX rate for {from}/{to} (or {to}/{from}) dated on or before {date}; add one to fx_rates.csv and run again")]
    MissingFxRate {
        from: CurrencyCode,
        to: CurrencyCode,
        date: NaiveDate,
    },
    #[error("partner '{partner}' is assigned plan '{plan}' for brand '{brand}', but no such plan exists")]
    UnknownPlan {
        partner: String,
        brand: String,
        plan: String,
    },
    #[error("{what} refers to unknown {kind} '{id}'")]
    UnknownReference {
        what: String,
        kind: &'static str,
        id: String,
    },
    #[error("periods must be computed in order: expected {expected}, got {got}")]
    OutOfOrder { expected: Period, got: Period },
    #[error("the engine holds only the purchases needed from {from} on: restore the state stored for the period before it, then compute from {from}")]
    PartialPurchases { from: Period },
    #[error(
        "the stored customer image cannot be used ({0}); the customers are read again instead"
    )]
    CustomerImage(String),
    #[error("{what} cannot be computed: an amount goes beyond the largest decimal (about 7.9 × 10^28); check those rows' amounts, the plan's rates and the FX rates, correct them and run again")]
    Overflow { what: String },
}

/// An overflow of money arithmetic in `what` (checked arithmetic: the
/// engine never panics on amounts it was given).
pub(crate) fn overflow(what: String) -> EngineError {
    EngineError::Overflow { what }
}

/// A partner as the engine sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartnerNode {
    pub partner_id: Id,
    pub parent_id: Option<Id>,
    pub currency: CurrencyCode,
}

/// Everything but the large per-period rows.
#[derive(Debug, Clone, Default)]
pub struct World {
    pub brands: Vec<Brand>,
    pub partners: Vec<PartnerNode>,
    /// The plan versions in force for open periods.
    pub plans: Vec<Plan>,
    /// Closed periods keep the plan versions they were computed with.
    pub pinned_plans: std::collections::HashMap<Period, Vec<Plan>>,
    pub assignments: Vec<Assignment>,
    pub geo_blocks: Vec<(Id, CountryCode)>,
    pub tracking_codes: Vec<TrackingCode>,
    pub customers: Vec<Customer>,
    pub purchases: Vec<Purchase>,
    /// When set, `purchases` holds only the purchases of the customers with
    /// a purchase or a refund in this period or later (every purchase of
    /// each of them): the engine then computes from this period on only,
    /// once the state stored for the period before it is restored (which
    /// carries what the other purchases earned).
    pub purchases_from: Option<Period>,
    pub fx_rates: Vec<FxRate>,
}

/// What a customer carries from one period to the next (kept apart from
/// what they are, so that activity and trades can be added on two threads
/// while only the activity changes these).
#[derive(Clone, Default)]
pub(crate) struct Carried {
    pub cum_deposits: Decimal,
    pub cum_bets: Decimal,
    pub cpa_done: bool,
    pub ftd: Option<NaiveDate>,
}

/// The world's customers as the engine keeps them (`resolve`: brand,
/// partner, whether they earn), indexed by id.
fn resolve_customers(
    customers: Vec<Customer>,
    resolve: impl Fn(&Customer) -> Result<(usize, Option<usize>, bool), EngineError>,
) -> Result<Customers, EngineError> {
    let id_bytes = customers.iter().map(|c| c.customer_id.as_str().len()).sum();
    let mut out = CustomersBuilder::with_capacity(customers.len(), id_bytes);
    for c in &customers {
        let (brand, partner, earns) = resolve(c)?;
        out.push(
            c.customer_id.as_str(),
            CustomerState {
                registered: c.registered_at.date_naive(),
                country: c.country,
                brand,
                partner,
                earns,
            },
        );
    }
    // A million customers' strings are freed on a thread of their own.
    std::thread::spawn(move || drop(customers));
    Ok(out.build())
}

pub(crate) struct PurchaseState {
    pub purchase: Purchase,
    pub brand: usize,
    /// The partner this purchase is attributed to, and whether by coupon.
    pub partner: Option<usize>,
    pub by_coupon: bool,
    pub first: bool,
    /// What it earned in its purchase period (brand currency), once computed.
    pub earned: Decimal,
}

pub struct Engine {
    pub(crate) brands: Vec<Brand>,
    brand_ix: HashMap<Id, usize>,
    pub(crate) partners: Vec<PartnerNode>,
    partner_ix: HashMap<Id, usize>,
    pub(crate) parent: Vec<Option<usize>>,
    plans: Vec<Plan>,
    #[allow(dead_code)]
    plan_ix: HashMap<Id, usize>,
    /// (closed period, open version's index) → the version that period keeps.
    pinned_ix: HashMap<(Period, usize), usize>,
    /// (partner, brand) → assignments sorted by valid_from, as plan indexes.
    deals: HashMap<(usize, usize), Vec<(Period, Option<Period>, usize)>>,
    pub(crate) customers: Customers,
    /// Per customer, in the same order; taken by a [`PeriodRun`] while it
    /// adds rows and given back when it finishes.
    pub(crate) carried: Vec<Carried>,
    pub(crate) purchases: Vec<PurchaseState>,
    purchases_in: HashMap<Period, Vec<usize>>,
    refunds_in: HashMap<Period, Vec<usize>>,
    /// [`World::purchases_from`].
    purchases_from: Option<Period>,
    /// What the purchases a partial world left out earned, as restored
    /// from a state: each snapshot carries them on (ids, then each one's
    /// range in them and what it earned).
    pub(crate) earned_elsewhere: (String, Vec<(std::ops::Range<usize>, Decimal)>),
    fx: FxTable,
    /// Revshare carry_out of the last computed period per (partner, brand).
    pub(crate) carry: HashMap<(usize, usize), Decimal>,
    last: Option<Period>,
}

impl Engine {
    pub fn new(world: World) -> Result<Self, EngineError> {
        Self::build(world, None)
    }

    /// [`Engine::new`] with the customers taken from an image written by
    /// [`Engine::customer_image`] instead of `world.customers`, which must be
    /// empty. The image must have been written while customers, tracking
    /// codes, brands and geo blocks were as they are now; an image that
    /// cannot be read, or names a brand or partner that no longer exists, is
    /// refused ([`EngineError::CustomerImage`]).
    pub fn with_customer_image(world: World, image: &[u8]) -> Result<Self, EngineError> {
        Self::with_image(world, CustomerImage::decode(image)?)
    }

    /// [`Engine::with_customer_image`] with an image already read.
    pub fn with_image(world: World, image: CustomerImage) -> Result<Self, EngineError> {
        if !world.customers.is_empty() {
            return Err(EngineError::CustomerImage(
                "customers were given both in the world and in the image".into(),
            ));
        }
        Self::build(world, Some(image))
    }

    /// The customers as resolved from the world (brand, partner, whether
    /// they earn, country, registration), for [`Engine::with_customer_image`].
    pub fn customer_image(&self) -> Result<Vec<u8>, EngineError> {
        let brands: Vec<&Id> = self.brands.iter().map(|b| &b.id).collect();
        let partners: Vec<&Id> = self.partners.iter().map(|p| &p.partner_id).collect();
        image::encode(&self.customers, &brands, &partners)
    }

    fn build(world: World, image: Option<CustomerImage>) -> Result<Self, EngineError> {
        let brand_ix: HashMap<Id, usize> = world
            .brands
            .iter()
            .enumerate()
            .map(|(i, b)| (b.id.clone(), i))
            .collect();
        let partner_ix: HashMap<Id, usize> = world
            .partners
            .iter()
            .enumerate()
            .map(|(i, p)| (p.partner_id.clone(), i))
            .collect();
        // `what` names the referring row in an error; it is only built then.
        let brand = |id: &Id, what: &dyn Fn() -> String| {
            brand_ix
                .get(id)
                .copied()
                .ok_or_else(|| EngineError::UnknownReference {
                    what: what(),
                    kind: "brand",
                    id: id.to_string(),
                })
        };
        let partner = |id: &Id, what: &dyn Fn() -> String| {
            partner_ix
                .get(id)
                .copied()
                .ok_or_else(|| EngineError::UnknownReference {
                    what: what(),
                    kind: "partner",
                    id: id.to_string(),
                })
        };
        let mut parent = Vec::with_capacity(world.partners.len());
        for p in &world.partners {
            parent.push(match &p.parent_id {
                Some(id) => Some(partner(id, &|| format!("partner {}", p.partner_id))?),
                None => None,
            });
        }
        let mut plans = Vec::new();
        let mut plan_ix = HashMap::default();
        for p in world.plans {
            plan_ix.insert(p.plan_id.clone(), plans.len());
            plans.push(p);
        }
        let mut pinned_ix = HashMap::default();
        for (period, ps) in world.pinned_plans {
            for p in ps {
                if let Some(&open) = plan_ix.get(&p.plan_id) {
                    pinned_ix.insert((period, open), plans.len());
                    plans.push(p);
                }
            }
        }
        let mut deals: HashMap<(usize, usize), Vec<(Period, Option<Period>, usize)>> =
            HashMap::default();
        for a in &world.assignments {
            let what = || format!("assignment of {} for {}", a.partner_id, a.brand_id);
            let key = (partner(&a.partner_id, &what)?, brand(&a.brand_id, &what)?);
            let Some(&plan) = plan_ix.get(&a.plan_id) else {
                return Err(EngineError::UnknownPlan {
                    partner: a.partner_id.to_string(),
                    brand: a.brand_id.to_string(),
                    plan: a.plan_id.to_string(),
                });
            };
            deals
                .entry(key)
                .or_default()
                .push((a.valid_from, a.valid_to, plan));
        }
        for v in deals.values_mut() {
            v.sort_by_key(|(from, _, _)| *from);
        }
        let blocked: HashSet<(usize, CountryCode)> = world
            .geo_blocks
            .iter()
            .filter_map(|(b, c)| brand_ix.get(b).map(|&bi| (bi, *c)))
            .collect();
        let mut codes: HashMap<(usize, &str), (usize, crate::partner::TrackingKind)> =
            HashMap::default();
        for t in &world.tracking_codes {
            let what = || format!("tracking code {}", t.code);
            codes.insert(
                (brand(&t.brand_id, &what)?, t.code.as_str()),
                (partner(&t.partner_id, &what)?, t.kind),
            );
        }
        let customers = match image {
            Some(image) => image.join(&brand_ix, &partner_ix)?,
            None => {
                let resolve = |c: &Customer| {
                    let b = brand(&c.brand_id, &|| format!("customer {}", c.customer_id))?;
                    let partner = c
                        .tracking_code
                        .as_deref()
                        .and_then(|code| codes.get(&(b, code)))
                        .map(|(p, _)| *p);
                    let earns = c.status == CustomerStatus::Active
                        && !c
                            .country
                            .is_some_and(|country| blocked.contains(&(b, country)));
                    Ok((b, partner, earns))
                };
                resolve_customers(world.customers, resolve)?
            }
        };
        let coupon_partner = |b: usize, code: &str| {
            codes
                .get(&(b, code))
                .filter(|(_, k)| *k == crate::partner::TrackingKind::Coupon)
                .map(|(p, _)| *p)
        };
        // Purchases are attributed in the order of their customers' ids.
        let mut hint = 0;
        let purchases = prop::attribute(
            world.purchases,
            &customers,
            |id| customers.position_near(id, &mut hint),
            &brand_ix,
            coupon_partner,
        )?;
        let mut purchases_in: HashMap<Period, Vec<usize>> = HashMap::default();
        let mut refunds_in: HashMap<Period, Vec<usize>> = HashMap::default();
        for (i, p) in purchases.iter().enumerate() {
            purchases_in
                .entry(Period::of(p.purchase.purchased_at.date_naive()))
                .or_default()
                .push(i);
            if let Some(r) = p.purchase.refunded_at {
                refunds_in
                    .entry(Period::of(r.date_naive()))
                    .or_default()
                    .push(i);
            }
        }
        Ok(Self {
            brands: world.brands,
            brand_ix,
            partners: world.partners,
            partner_ix,
            parent,
            plans,
            plan_ix,
            pinned_ix,
            deals,
            carried: vec![Carried::default(); customers.len()],
            customers,
            purchases,
            purchases_in,
            refunds_in,
            purchases_from: world.purchases_from,
            earned_elsewhere: Default::default(),
            fx: FxTable::new(&world.fx_rates),
            carry: HashMap::default(),
            last: None,
        })
    }

    /// How many purchases the engine holds (see [`World::purchases_from`]).
    pub fn purchase_count(&self) -> usize {
        self.purchases.len()
    }

    /// The plan in force for (partner, brand) in `period`.
    pub(crate) fn plan_for(&self, partner: usize, brand: usize, period: Period) -> Option<&Plan> {
        let deals = self.deals.get(&(partner, brand))?;
        let (_, _, open) = deals
            .iter()
            .rev()
            .find(|(from, to, _)| *from <= period && to.is_none_or(|t| period <= t))?;
        let ix = if self.pinned_ix.is_empty() {
            *open
        } else {
            self.pinned_ix
                .get(&(period, *open))
                .copied()
                .unwrap_or(*open)
        };
        self.plans.get(ix)
    }

    pub(crate) fn deal_keys(&self) -> impl Iterator<Item = (usize, usize)> + '_ {
        self.deals.keys().copied()
    }

    /// The position of the customer with this id.
    pub(crate) fn customer_index(&self, id: &str) -> Option<usize> {
        self.customers.position(id)
    }

    /// [`Engine::customer_index`] for ids that tend to come in the engine's
    /// order (by id, as stored states and most exports list them): the few
    /// customers from `*hint` on are compared first, in memory order, before
    /// the index is asked; `*hint` then moves past the customer found. Ids
    /// in any other order are found all the same.
    pub(crate) fn customer_index_near(&self, id: &str, hint: &mut usize) -> Option<usize> {
        self.customers.position_near(id, hint)
    }

    pub fn partner_index(&self, id: &Id) -> Option<usize> {
        self.partner_ix.get(id).copied()
    }

    pub fn brand_index(&self, id: &Id) -> Option<usize> {
        self.brand_ix.get(id).copied()
    }

    /// A (partner, brand) in words, for error messages.
    pub(crate) fn who(&self, partner: usize, brand: usize) -> String {
        format!(
            "partner '{}' for brand '{}'",
            self.partners[partner].partner_id, self.brands[brand].id
        )
    }

    pub(crate) fn conversion(
        &self,
        brand: usize,
        partner: usize,
        period: Period,
    ) -> Result<Conversion, EngineError> {
        let from = self.brands[brand].currency;
        let to = self.partners[partner].currency;
        let date = period.last_day();
        self.fx
            .conversion(from, to, date)
            .ok_or(EngineError::MissingFxRate { from, to, date })
    }

    /// Starts computing `period`, which must follow the last one computed.
    pub fn period(&mut self, period: Period) -> Result<PeriodRun<'_>, EngineError> {
        // A partial world's state was restored for the period before its
        // first (see `restore_parsed`); the order check does the rest.
        if let (Some(from), None) = (self.purchases_from, self.last) {
            return Err(EngineError::PartialPurchases { from });
        }
        if let Some(last) = self.last {
            if period != last.next() {
                return Err(EngineError::OutOfOrder {
                    expected: last.next(),
                    got: period,
                });
            }
        }
        Ok(PeriodRun::new(self, period))
    }
}

/// One period being computed: feed it rows, then [`PeriodRun::finish`].
pub struct PeriodRun<'e> {
    engine: &'e mut Engine,
    period: Period,
    igaming: igaming::PeriodActivity,
    forex: forex::PeriodTrades,
    /// The engine's carried state, held while rows are added.
    carried: Vec<Carried>,
    /// Where the customers of the next activity row and trade are looked
    /// for first ([`Engine::customer_index_near`]).
    activity_hint: usize,
    trade_hint: usize,
}

/// Adds a period's iGaming activity (see [`PeriodRun::add_in_parallel`]).
pub struct ActivityFeed<'r> {
    engine: &'r Engine,
    period: Period,
    igaming: &'r mut igaming::PeriodActivity,
    carried: &'r mut [Carried],
    hint: &'r mut usize,
}

/// Adds a period's trades (see [`PeriodRun::add_in_parallel`]).
pub struct TradeFeed<'r> {
    engine: &'r Engine,
    period: Period,
    forex: &'r mut forex::PeriodTrades,
    hint: &'r mut usize,
}

fn find_customer(
    engine: &Engine,
    hint: &mut usize,
    id: &str,
    what: &'static str,
    row: impl FnOnce() -> String,
) -> Result<usize, EngineError> {
    engine
        .customer_index_near(id, hint)
        .ok_or_else(|| EngineError::UnknownCustomer {
            what,
            row: row(),
            customer: id.to_string(),
        })
}

impl ActivityFeed<'_> {
    /// [`PeriodRun::add_day`].
    pub fn add_day(&mut self, customer_id: &str, day: &DayAmounts) -> Result<(), EngineError> {
        let c = find_customer(self.engine, self.hint, customer_id, "activity row", || {
            format!("{customer_id} {}", day.date)
        })?;
        self.igaming
            .add(self.engine, self.carried, self.period, c, day)
    }
}

impl TradeFeed<'_> {
    /// [`PeriodRun::add_trade_figures`].
    pub fn add_trade_figures(
        &mut self,
        customer_id: &str,
        trade: &TradeFigures<'_>,
    ) -> Result<(), EngineError> {
        let c = find_customer(self.engine, self.hint, customer_id, "trade", || {
            trade.trade_id.to_string()
        })?;
        self.forex.add(self.engine, self.period, c, trade)
    }
}

impl<'e> PeriodRun<'e> {
    fn new(engine: &'e mut Engine, period: Period) -> Self {
        let carried = std::mem::take(&mut engine.carried);
        Self {
            engine,
            period,
            igaming: Default::default(),
            forex: Default::default(),
            carried,
            activity_hint: 0,
            trade_hint: 0,
        }
    }

    pub fn period(&self) -> Period {
        self.period
    }

    fn feeds(&mut self) -> (ActivityFeed<'_>, TradeFeed<'_>) {
        let engine: &Engine = self.engine;
        (
            ActivityFeed {
                engine,
                period: self.period,
                igaming: &mut self.igaming,
                carried: &mut self.carried,
                hint: &mut self.activity_hint,
            },
            TradeFeed {
                engine,
                period: self.period,
                forex: &mut self.forex,
                hint: &mut self.trade_hint,
            },
        )
    }

    /// One day of a customer's iGaming activity dated in this period.
    pub fn add_activity(&mut self, row: &ActivityDay) -> Result<(), EngineError> {
        self.add_day(row.customer_id.as_str(), &row.amounts())
    }

    /// [`Self::add_activity`] from the customer's id and the day's amounts
    /// (what a reader of millions of stored rows hands over, without ids to build).
    pub fn add_day(&mut self, customer_id: &str, day: &DayAmounts) -> Result<(), EngineError> {
        self.feeds().0.add_day(customer_id, day)
    }

    /// A trade closed in this period.
    pub fn add_trade(&mut self, trade: &Trade) -> Result<(), EngineError> {
        self.add_trade_figures(trade.customer_id.as_str(), &trade.figures())
    }

    /// [`Self::add_trade`] from the customer's id and the trade's figures.
    pub fn add_trade_figures(
        &mut self,
        customer_id: &str,
        trade: &TradeFigures<'_>,
    ) -> Result<(), EngineError> {
        self.feeds().1.add_trade_figures(customer_id, trade)
    }

    /// Adds activity (`activity`, on this thread) and trades (`trades`, on
    /// a thread of its own) at the same time: they touch different sums, and
    /// only the activity changes what customers carry. The first error of
    /// either is returned.
    pub fn add_in_parallel<E: Send>(
        &mut self,
        activity: impl FnOnce(&mut ActivityFeed<'_>) -> Result<(), E>,
        trades: impl FnOnce(&mut TradeFeed<'_>) -> Result<(), E> + Send,
    ) -> Result<(), E> {
        let (mut a, mut t) = self.feeds();
        std::thread::scope(|s| {
            let traded = s.spawn(move || trades(&mut t));
            let added = activity(&mut a);
            let traded = traded
                .join()
                .unwrap_or_else(|p| std::panic::resume_unwind(p));
            added.and(traded)
        })
    }

    /// Computes the period's lines and moves the engine's state past it.
    /// The iGaming lines are booked on one thread while the forex and then
    /// the prop lines are booked on another (iGaming changes only what
    /// customers carry and the carry-over, forex nothing of the engine, prop
    /// only its purchases, taken out of the engine meanwhile); overrides
    /// follow on the merged book.
    pub fn finish(mut self) -> Result<Vec<Line>, EngineError> {
        let igaming = std::mem::take(&mut self.igaming);
        let forex = std::mem::take(&mut self.forex);
        let period = self.period;
        let mut carried = std::mem::take(&mut self.carried);
        let mut carry = std::mem::take(&mut self.engine.carry);
        let mut purchases = std::mem::take(&mut self.engine.purchases);
        let shared: &Engine = self.engine;
        let (book, other) = std::thread::scope(|s| {
            let other = s.spawn(|| {
                let mut book = lines::Book::default();
                forex.finish(shared, period, &mut book)?;
                prop::period(shared, &mut purchases, period, &mut book)?;
                Ok::<_, EngineError>(book)
            });
            let mut book = lines::Book::default();
            let booked = igaming.finish(shared, &mut carried, &mut carry, period, &mut book);
            let other = other
                .join()
                .unwrap_or_else(|p| std::panic::resume_unwind(p));
            (booked.map(|()| book), other)
        });
        // What customers carry and the purchases go back to the engine
        // whatever happened, so it is never left without them; a period
        // that failed is not marked computed.
        let engine = &mut *self.engine;
        engine.carried = carried;
        engine.carry = carry;
        engine.purchases = purchases;
        let mut book = book?;
        book.merge(other?)?;
        lines::overrides(engine, period, &mut book)?;
        let out = book.into_lines(engine, period)?;
        engine.last = Some(period);
        Ok(out)
    }
}

impl Drop for PeriodRun<'_> {
    /// A run dropped before it finished gives the carried state back (as far
    /// as its rows changed it), so the engine is never left without one.
    fn drop(&mut self) {
        if self.engine.carried.is_empty() {
            self.engine.carried = std::mem::take(&mut self.carried);
        }
    }
}

#[cfg(test)]
mod tests;
