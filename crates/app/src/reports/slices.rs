//! Summing rows into roll-up slices, whoever feeds them: [`super::refresh`]
//! from the stored rows of the stale periods, or an import while its rows
//! stream (the first load of a database, when the import's rows are all
//! there is). One piece of arithmetic, so both give the same slices.
//!
//! A customer's activity and trades go to its (brand, tracking code,
//! country, excluded) key; its FTD is its first day with deposits > 0 among
//! the rows fed, unless it had one before them. Purchases are kept and
//! attributed at the end, in each customer's order of purchase (a coupon,
//! the customer's own code, or the partner of its first coupon).

use chrono::NaiveDate;
use partnerdesk_domain::data::{Customer, CustomerStatus, DayAmounts};
use partnerdesk_domain::report::figures::{Figures, C, S};
use partnerdesk_domain::Period;
use partnerdesk_store::reports::{RollupRow, RollupSlice};
use rust_decimal::Decimal;
use std::collections::HashMap;

/// What a customer's slices are keyed by.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct Key {
    brand: String,
    code: String,
    country: String,
    excluded: bool,
}

/// A purchase as its slices need it.
struct Bought {
    customer: u32,
    at: chrono::DateTime<chrono::Utc>,
    order_id: String,
    coupon: Option<String>,
    amount: Decimal,
    refunded_at: Option<chrono::DateTime<chrono::Utc>>,
}

/// (brand, code) → (partner, whether the code is a coupon).
pub(crate) type Owners = HashMap<(String, String), (String, bool)>;

/// Slices being summed. Rows of unknown customers are skipped.
pub(crate) struct Builder {
    /// Registrations before this day are not counted (their slices stay).
    from_day: NaiveDate,
    keys: HashMap<Key, u32>,
    key_list: Vec<Key>,
    /// customer id → (its index, its key's index)
    customers: HashMap<String, (u32, u32)>,
    ids: Vec<String>,
    had_ftd: Vec<bool>,
    firsts: HashMap<u32, (NaiveDate, Decimal)>,
    acc: HashMap<(NaiveDate, u32), Figures>,
    bought: Vec<Bought>,
}

impl Builder {
    /// A builder of the slices from `from_day` on (`None`: all of them).
    pub(crate) fn new(from_day: Option<NaiveDate>) -> Self {
        Builder {
            from_day: from_day.unwrap_or(NaiveDate::MIN),
            keys: HashMap::new(),
            key_list: Vec::new(),
            customers: HashMap::new(),
            ids: Vec::new(),
            had_ftd: Vec::new(),
            firsts: HashMap::new(),
            acc: HashMap::new(),
            bought: Vec::new(),
        }
    }

    /// A customer (each once): its key, and its registration when it falls
    /// in the rebuilt days.
    pub(crate) fn customer(&mut self, c: &Customer) {
        let k = Key {
            brand: c.brand_id.to_string(),
            code: c.tracking_code.clone().unwrap_or_default(),
            country: c.country.as_ref().map_or("", |c| c.as_str()).to_string(),
            excluded: c.status == CustomerStatus::Excluded,
        };
        let ix = match self.keys.get(&k) {
            Some(ix) => *ix,
            None => {
                let ix = self.key_list.len() as u32;
                self.keys.insert(k.clone(), ix);
                self.key_list.push(k);
                ix
            }
        };
        let ci = self.ids.len() as u32;
        self.ids.push(c.customer_id.to_string());
        self.had_ftd.push(false);
        self.customers.insert(c.customer_id.to_string(), (ci, ix));
        let day = c.registered_at.date_naive();
        if day >= self.from_day {
            self.acc
                .entry((day, ix))
                .or_default()
                .count(C::Registrations, 1);
        }
    }

    /// A customer whose FTD lies before the rows fed: none among them.
    pub(crate) fn had_ftd(&mut self, customer: &str) {
        if let Some((ci, _)) = self.customers.get(customer) {
            self.had_ftd[*ci as usize] = true;
        }
    }

    /// A day of a customer's activity.
    pub(crate) fn activity(&mut self, customer: &str, d: &DayAmounts) {
        let Some(&(ci, k)) = self.customers.get(customer) else {
            return;
        };
        let f = self.acc.entry((d.date, k)).or_default();
        f.add(S::Deposits, d.deposits);
        f.add(S::Withdrawals, d.withdrawals);
        f.add(S::Bets, d.bets);
        f.add(S::Wins, d.wins);
        f.add(S::Bonuses, d.bonuses);
        f.add(S::Chargebacks, d.chargebacks);
        f.add(S::Taxes, d.taxes);
        if d.deposits > Decimal::ZERO && !self.had_ftd[ci as usize] {
            let e = self.firsts.entry(ci).or_insert((d.date, d.deposits));
            if d.date < e.0 {
                *e = (d.date, d.deposits);
            }
        }
    }

    /// A trade closed on `day`.
    pub(crate) fn trade(
        &mut self,
        customer: &str,
        day: NaiveDate,
        lots: Decimal,
        revenue: Decimal,
    ) {
        let Some(&(_, k)) = self.customers.get(customer) else {
            return;
        };
        let f = self.acc.entry((day, k)).or_default();
        f.count(C::Trades, 1);
        f.add(S::Lots, lots);
        f.add(S::TradingRevenue, revenue);
    }

    /// A purchase (every one of the customer's: attribution follows its
    /// whole history).
    pub(crate) fn purchase(&mut self, p: &partnerdesk_domain::data::Purchase) {
        let Some(&(ci, _)) = self.customers.get(p.customer_id.as_str()) else {
            return;
        };
        self.bought.push(Bought {
            customer: ci,
            at: p.purchased_at,
            order_id: p.order_id.to_string(),
            coupon: p.coupon_code.clone().filter(|s| !s.is_empty()),
            amount: p.amount,
            refunded_at: p.refunded_at,
        });
    }

    /// The slices (activity `a` from the builder's first day, purchases `p`
    /// whole) and the FTD days found, as (customer, day).
    pub(crate) fn finish(mut self, owners: &Owners) -> (Vec<RollupSlice>, Vec<(String, String)>) {
        let mut new_ftds = Vec::with_capacity(self.firsts.len());
        for (ci, (day, deposits)) in std::mem::take(&mut self.firsts) {
            let k = self.customers[&self.ids[ci as usize]].1;
            let f = self.acc.entry((day, k)).or_default();
            f.count(C::Ftds, 1);
            f.add(S::FtdAmount, deposits);
            new_ftds.push((self.ids[ci as usize].clone(), day.to_string()));
        }
        let acc = std::mem::take(&mut self.acc);
        let mut slices = slices_of(
            'a',
            acc.into_iter()
                .map(|((day, k), f)| ((day, k, String::new()), f)),
            &self.key_list,
        );
        let pacc = self.purchases(owners);
        slices.extend(slices_of('p', pacc.into_iter(), &self.key_list));
        (slices, new_ftds)
    }

    fn purchases(&mut self, owners: &Owners) -> HashMap<(NaiveDate, u32, String), Figures> {
        let mut bought = std::mem::take(&mut self.bought);
        let ids = &self.ids;
        bought.sort_by(|a, b| {
            (
                ids[a.customer as usize].as_str(),
                a.at,
                a.order_id.as_bytes(),
            )
                .cmp(&(
                    ids[b.customer as usize].as_str(),
                    b.at,
                    b.order_id.as_bytes(),
                ))
        });
        let mut pacc: HashMap<(NaiveDate, u32, String), Figures> = HashMap::new();
        let mut previous: Option<u32> = None;
        let mut adopted: Option<String> = None;
        for p in &bought {
            let first = previous != Some(p.customer);
            if first {
                adopted = None;
            }
            previous = Some(p.customer);
            let k = self.customers[&ids[p.customer as usize]].1;
            let key = &self.key_list[k as usize];
            let owner = |code: &str| owners.get(&(key.brand.clone(), code.to_string()));
            let own = Some(key.code.as_str())
                .filter(|s| !s.is_empty())
                .and_then(owner)
                .map(|(p, _)| p.clone());
            let coupon = p
                .coupon
                .as_deref()
                .and_then(owner)
                .filter(|(_, coupon)| *coupon)
                .map(|(p, _)| p.clone());
            let partner = match (coupon, own) {
                (Some(cp), own) => {
                    if own.is_none() && adopted.is_none() {
                        adopted = Some(cp.clone());
                    }
                    Some(cp)
                }
                (None, Some(own)) => Some(own),
                (None, None) => adopted.clone(),
            }
            .unwrap_or_default();
            let f = pacc
                .entry((p.at.date_naive(), k, partner.clone()))
                .or_default();
            f.count(C::Purchases, 1);
            if first {
                f.count(C::FirstPurchases, 1);
            }
            f.add(S::PurchaseAmount, p.amount);
            if let Some(r) = p.refunded_at {
                let f = pacc.entry((r.date_naive(), k, partner)).or_default();
                f.count(C::Refunds, 1);
                f.add(S::RefundAmount, p.amount);
            }
        }
        pacc
    }
}

/// The day slices of `acc` and, summed from them, the month slices and the
/// (day, brand, country) slices.
fn slices_of(
    source: char,
    acc: impl Iterator<Item = ((NaiveDate, u32, String), Figures)>,
    keys: &[Key],
) -> Vec<RollupSlice> {
    let mut out = Vec::new();
    let mut months: HashMap<(NaiveDate, u32, String), Figures> = HashMap::new();
    let mut brands: HashMap<(NaiveDate, &str, &str, bool), Figures> = HashMap::new();
    for ((day, k, partner), f) in acc {
        if f.is_zero() {
            continue;
        }
        let key = &keys[k as usize];
        let first = Period::of(day).first_day();
        months
            .entry((first, k, partner.clone()))
            .or_default()
            .merge(&f);
        brands
            .entry((day, &key.brand, &key.country, key.excluded))
            .or_default()
            .merge(&f);
        out.push(('d', source, row(day, key, partner, f)));
    }
    for ((day, k, partner), f) in months {
        out.push(('m', source, row(day, &keys[k as usize], partner, f)));
    }
    for ((day, brand, country, excluded), f) in brands {
        out.push((
            'b',
            source,
            RollupRow {
                day: day.to_string(),
                brand_id: brand.to_string(),
                tracking_code: String::new(),
                country: country.to_string(),
                excluded,
                partner_id: String::new(),
                figures: f,
            },
        ));
    }
    out
}

fn row(day: NaiveDate, key: &Key, partner: String, figures: Figures) -> RollupRow {
    RollupRow {
        day: day.to_string(),
        brand_id: key.brand.clone(),
        tracking_code: key.code.clone(),
        country: key.country.clone(),
        excluded: key.excluded,
        partner_id: partner,
        figures,
    }
}
