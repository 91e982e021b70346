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
use partnerdesk_store::reports::{PackedRow, Packer, SliceOut};
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

/// A key's brand and country as small numbers (sorting and grouping
/// millions of slices compares numbers, not text).
#[derive(Debug, Clone, Copy)]
struct Ranks {
    brand: u32,
    country: u32,
    code: u32,
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
    keys: HashMap<Key, u32, Fast>,
    key_list: Vec<Key>,
    ranks: Vec<Ranks>,
    words: HashMap<String, u32, Fast>,
    /// rank → its word.
    word_list: Vec<String>,
    /// customer id → (its index, its key's index)
    customers: HashMap<String, (u32, u32), Fast>,
    ids: Vec<String>,
    had_ftd: Vec<bool>,
    firsts: HashMap<u32, (NaiveDate, Decimal), Fast>,
    /// day → its map of key → index in `figures` (a day's map is small
    /// enough to stay in the cache while that day's rows stream), and the
    /// day last looked up.
    days: HashMap<NaiveDate, u32, Fast>,
    day_maps: Vec<HashMap<u32, u32, Fast>>,
    last_day: Option<(NaiveDate, u32)>,
    /// Per slice being summed: its (day, key) and its figures.
    slots: Vec<(NaiveDate, u32)>,
    figures: Vec<Figures>,
    bought: Vec<Bought>,
}

impl Builder {
    /// A builder of the slices from `from_day` on (`None`: all of them).
    pub(crate) fn new(from_day: Option<NaiveDate>) -> Self {
        Builder {
            from_day: from_day.unwrap_or(NaiveDate::MIN),
            keys: HashMap::default(),
            key_list: Vec::new(),
            ranks: Vec::new(),
            words: HashMap::default(),
            word_list: Vec::new(),
            customers: HashMap::default(),
            ids: Vec::new(),
            had_ftd: Vec::new(),
            firsts: HashMap::default(),
            days: HashMap::default(),
            day_maps: Vec::new(),
            last_day: None,
            slots: Vec::new(),
            figures: Vec::new(),
            bought: Vec::new(),
        }
    }

    /// The figures of (day, key), made when new.
    fn at(&mut self, day: NaiveDate, k: u32) -> &mut Figures {
        let d = match self.last_day {
            Some((last, d)) if last == day => d,
            _ => {
                let maps = &mut self.day_maps;
                let d = *self.days.entry(day).or_insert_with(|| {
                    maps.push(HashMap::default());
                    (maps.len() - 1) as u32
                });
                self.last_day = Some((day, d));
                d
            }
        };
        let (figures, slots) = (&mut self.figures, &mut self.slots);
        let i = *self.day_maps[d as usize].entry(k).or_insert_with(|| {
            figures.push(Figures::default());
            slots.push((day, k));
            (figures.len() - 1) as u32
        });
        &mut self.figures[i as usize]
    }

    /// A brand's or country's rank (the same word, the same rank).
    fn rank(&mut self, word: &str) -> u32 {
        if let Some(r) = self.words.get(word) {
            return *r;
        }
        let r = self.word_list.len() as u32;
        self.words.insert(word.to_string(), r);
        self.word_list.push(word.to_string());
        r
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
                let ranks = Ranks {
                    brand: self.rank(&k.brand),
                    country: self.rank(&k.country),
                    code: self.rank(&k.code),
                };
                self.keys.insert(k.clone(), ix);
                self.key_list.push(k);
                self.ranks.push(ranks);
                ix
            }
        };
        let ci = self.ids.len() as u32;
        self.ids.push(c.customer_id.to_string());
        self.had_ftd.push(false);
        self.customers.insert(c.customer_id.to_string(), (ci, ix));
        let day = c.registered_at.date_naive();
        if day >= self.from_day {
            self.at(day, ix).count(C::Registrations, 1);
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
        let f = self.at(d.date, k);
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
        let f = self.at(day, k);
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
    /// whole), packed as stored, and the FTD days found.
    pub(crate) fn finish(mut self, owners: &Owners, geo: &Geo) -> Finished {
        let mut ftds = Vec::with_capacity(self.firsts.len());
        for (ci, (day, deposits)) in std::mem::take(&mut self.firsts) {
            let k = self.customers[&self.ids[ci as usize]].1;
            let f = self.at(day, k);
            f.count(C::Ftds, 1);
            f.add(S::FtdAmount, deposits);
            ftds.push((self.ids[ci as usize].clone(), day.to_string()));
        }
        let pacc = self.purchases(owners);
        let (keys, ranks) = (&self.key_list, &self.ranks);
        let mut out = Packers::default();
        let words = &self.word_list;
        let at = Words {
            keys,
            ranks,
            words,
            geo,
        };
        // In the order they were summed: the figures are read once, in
        // memory order.
        let slices = self
            .slots
            .iter()
            .zip(&self.figures)
            .map(|(&(day, k), f)| (day, k, "", f));
        pack('a', slices, &at, &mut out);
        let slices = pacc
            .iter()
            .map(|((day, k, p), f)| (*day, *k, p.as_str(), f));
        pack('p', slices, &at, &mut out);
        let slices = out.d.slices + out.m.slices + out.b.slices + out.c.slices;
        let mut rows = out.d.finish();
        rows.extend(out.m.finish());
        rows.extend(out.b.finish());
        rows.extend(out.c.finish());
        Finished { rows, slices, ftds }
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

/// What a [`Builder`] gives: the packed rows, the number of slices in
/// them, and the FTD days found, as (customer, day).
pub(crate) struct Finished {
    pub(crate) rows: Vec<PackedRow>,
    pub(crate) slices: usize,
    pub(crate) ftds: Vec<(String, String)>,
}

type Fast = foldhash::fast::RandomState;

/// One packer per grain.
#[derive(Default)]
pub(crate) struct Packers {
    d: Packer,
    m: Packer,
    b: Packer,
    c: Packer,
}

/// brand → its geo-blocked countries.
pub(crate) type Geo = HashMap<String, std::collections::HashSet<String>>;

/// What packing reads besides the slices: the keys, their ranks, the
/// ranked words, and the geo blocks the `c` grain is summed under.
struct Words<'a> {
    keys: &'a [Key],
    ranks: &'a [Ranks],
    words: &'a [String],
    geo: &'a Geo,
}

impl Words<'_> {
    fn word(&self, r: u32) -> &str {
        self.words.get(r as usize).map_or("", String::as_str)
    }
}

/// Packs the day slices of `source` (in any order) and, summed from them,
/// the month slices, the (day, brand, country) slices and the month
/// slices by tracking code (`c`: countries summed, blocked ones apart).
fn pack<'a>(
    source: char,
    slices: impl Iterator<Item = (NaiveDate, u32, &'a str, &'a Figures)>,
    at: &Words<'a>,
    out: &mut Packers,
) {
    let (keys, ranks) = (at.keys, at.ranks);
    // (day, brand) → its row, the last one at hand.
    let mut rows: HashMap<(NaiveDate, u32), usize, Fast> = HashMap::default();
    let mut last_row: Option<((NaiveDate, u32), usize)> = None;
    let mut months = Sums::default();
    let mut countries = Sums::default();
    let mut codes = Sums::default();
    for (day, k, partner, f) in slices {
        if f.is_zero() {
            continue;
        }
        let (key, rank) = (&keys[k as usize], ranks[k as usize]);
        let group = (day, rank.brand);
        let row = match last_row {
            Some((g, row)) if g == group => row,
            _ => {
                let row = *rows
                    .entry(group)
                    .or_insert_with(|| out.d.row('d', source, &day.to_string(), &key.brand));
                last_row = Some((group, row));
                row
            }
        };
        out.d.push(row, &slice(key, partner, f));
        let first = Period::of(day).first_day();
        months.add((first, rank.brand, k, 0, partner), f);
        countries.add(
            (day, rank.brand, rank.country, u32::from(key.excluded), ""),
            f,
        );
        let blocked = at
            .geo
            .get(&key.brand)
            .is_some_and(|c| c.contains(&key.country));
        let out_flag = u32::from(key.excluded || blocked);
        codes.add((first, rank.brand, rank.code, out_flag, partner), f);
    }
    // A month's slices by tracking code (then country): a report reading
    // them finds a code's partner once for all its countries.
    let mut order = months.entries();
    order.sort_unstable_by(|(a, _), (b, _)| {
        let (ka, kb) = (&keys[a.2 as usize], &keys[b.2 as usize]);
        (a.0, a.1, &ka.code, &ka.country, ka.excluded, a.4).cmp(&(
            b.0,
            b.1,
            &kb.code,
            &kb.country,
            kb.excluded,
            b.4,
        ))
    });
    let mut rows: HashMap<(NaiveDate, u32), usize, Fast> = HashMap::default();
    for ((month, brand, k, _, partner), f) in order {
        let key = &keys[k as usize];
        let row = *rows
            .entry((month, brand))
            .or_insert_with(|| out.m.row('m', source, &month.to_string(), &key.brand));
        out.m.push(row, &slice(key, partner, f));
    }
    let mut order = countries.entries();
    order.sort_unstable_by(|a, b| a.0.cmp(&b.0));
    let mut rows: HashMap<(NaiveDate, u32), usize, Fast> = HashMap::default();
    for ((day, brand, country, excluded, _), f) in order {
        let row = *rows
            .entry((day, brand))
            .or_insert_with(|| out.b.row('b', source, &day.to_string(), at.word(brand)));
        let s = SliceOut {
            tracking_code: "",
            country: at.word(country),
            excluded: excluded == 1,
            partner_id: "",
            figures: f,
        };
        out.b.push(row, &s);
    }
    pack_codes(source, codes.entries(), |r| at.word(r), &mut out.c);
}

/// Packs `c` slices: (month, brand, code, out, partner) sums, `out` being
/// excluded or geo-blocked (the blocks when they were summed).
fn pack_codes<'w>(
    source: char,
    mut order: Vec<(SumKey<'_>, &Figures)>,
    word: impl Fn(u32) -> &'w str,
    c: &mut Packer,
) {
    order.sort_unstable_by(|(a, _), (b, _)| {
        (a.0, a.1, word(a.2), a.3, a.4).cmp(&(b.0, b.1, word(b.2), b.3, b.4))
    });
    let mut rows: HashMap<(NaiveDate, u32), usize, Fast> = HashMap::default();
    for ((month, brand, code, out_flag, partner), f) in order {
        let row = *rows
            .entry((month, brand))
            .or_insert_with(|| c.row('c', source, &month.to_string(), word(brand)));
        let s = SliceOut {
            tracking_code: word(code),
            country: "",
            excluded: out_flag == 1,
            partner_id: partner,
            figures: f,
        };
        c.push(row, &s);
    }
}

/// Figures summed by a small key: (day or month, brand rank, key or
/// country rank, a flag, partner).
type SumKey<'a> = (NaiveDate, u32, u32, u32, &'a str);

#[derive(Default)]
struct Sums<'a> {
    index: HashMap<SumKey<'a>, u32, Fast>,
    keys: Vec<SumKey<'a>>,
    sums: Vec<Figures>,
}

impl<'a> Sums<'a> {
    fn add(&mut self, key: SumKey<'a>, f: &Figures) {
        let (keys, sums) = (&mut self.keys, &mut self.sums);
        let i = *self.index.entry(key).or_insert_with(|| {
            keys.push(key);
            sums.push(Figures::default());
            (sums.len() - 1) as u32
        });
        self.sums[i as usize].merge(f);
    }

    fn entries(&self) -> Vec<(SumKey<'a>, &Figures)> {
        self.keys.iter().copied().zip(&self.sums).collect()
    }
}

fn slice<'a>(key: &'a Key, partner: &'a str, figures: &'a Figures) -> SliceOut<'a> {
    SliceOut {
        tracking_code: &key.code,
        country: &key.country,
        excluded: key.excluded,
        partner_id: partner,
        figures,
    }
}
