//! The generated "world": partners and their trees, tracking codes, plan
//! assignments and customers. Everything here is small enough to hold in
//! memory (tens of bytes per customer); the high-volume rows (activity,
//! trades, purchases) are streamed from it by `stream.rs`.

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use crate::catalog::{
    home_currency, kinds_for, partner_countries, pick_weighted, plan_ids as P, weight_sum, Kind,
    Vertical, BRANDS, CURRENCIES, GARBAGE_CODES, GROUP_SHARE, NAME_ADJ, STATUSES,
};
use crate::out::{civil_from_days, days_from_civil, DAY};

pub(crate) const NONE: u32 = u32::MAX;
/// Deepest level below a root (0-based): trees are at most 6 levels deep.
const MAX_DEPTH: u8 = 5;

/// Derives an independent RNG stream from the user seed.
pub(crate) fn rng_for(seed: u64, stream: u64) -> StdRng {
    StdRng::seed_from_u64(seed ^ stream.wrapping_mul(0x9E37_79B9_7F4A_7C15))
}

pub(crate) const STREAM_WORLD: u64 = 1;
pub(crate) const STREAM_ACTIVITY: u64 = 2;
pub(crate) const STREAM_TRADES: u64 = 3;
pub(crate) const STREAM_PURCHASES: u64 = 4;
pub(crate) const STREAM_FX: u64 = 5;
pub(crate) const STREAM_EXTRA: u64 = 6;

/// Size and time range of a world.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Dims {
    pub partners: usize,
    pub customers: usize,
    /// First day of data, days since 1970-01-01.
    pub start_day: i64,
    /// Last day of data (inclusive).
    pub end_day: i64,
    /// Number of months the customer count stands for (activity per customer
    /// is scaled by `days / (30.44 × cust_months)`).
    pub cust_months: u32,
}

impl Dims {
    pub(crate) fn days(&self) -> i64 {
        self.end_day - self.start_day + 1
    }
}

pub(crate) struct Partner {
    pub kind: Kind,
    /// Home brand index.
    pub group: u8,
    pub parent: u32,
    pub depth: u8,
    pub children: u32,
    /// Country code, or "" when unknown.
    pub country: &'static str,
    pub currency: &'static str,
    pub status: &'static str,
    pub email: bool,
    pub name: [u8; 3],
    /// Bit `b` set: the partner works brand `b`.
    pub brands: u8,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CodeKind {
    Btag,
    Agent,
    Referral,
    Coupon,
}

impl CodeKind {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            CodeKind::Btag => "btag",
            CodeKind::Agent => "agent",
            CodeKind::Referral => "referral",
            CodeKind::Coupon => "coupon",
        }
    }
}

pub(crate) struct Code {
    pub partner: u32,
    pub brand: u8,
    pub kind: CodeKind,
    pub variant: u8,
}

/// A partner as an attribution target of one brand.
pub(crate) struct Entry {
    pub code_start: u32,
    pub code_len: u32,
    /// Cumulative customer weight up to and including this entry.
    pub cum: u64,
}

pub(crate) struct Assignment {
    pub partner: u32,
    pub brand: u8,
    pub plan: usize,
    pub from_day: i64,
    pub to_day: Option<i64>,
}

/// How a customer's `tracking_code` cell is filled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CodeRef {
    Empty,
    /// A code of the customer's brand (index into `codes`).
    Known(u32),
    /// A code nobody owns (index into `GARBAGE_CODES`).
    Garbage(u32),
    /// A code of another brand (index into `codes`): unknown for this brand.
    Foreign(u32),
}

pub(crate) struct Customer {
    /// Registration time, epoch seconds.
    pub reg: i64,
    pub code: CodeRef,
    /// Entry index in the brand's entries when attributed, else `NONE`.
    pub entry: u32,
    /// Typical daily stake in cents (iGaming).
    pub stake: u32,
    /// Activity multiplier in per mille (mean about 1000).
    pub intensity: u16,
    pub brand: u8,
    /// Index into the brand's country list.
    pub country: u8,
    pub excluded: bool,
    /// iGaming: ever deposits; forex: raw-spread account paying commission.
    pub flag: bool,
}

pub(crate) struct World {
    pub seed: u64,
    pub dims: Dims,
    pub partners: Vec<Partner>,
    pub codes: Vec<Code>,
    pub entries: [Vec<Entry>; 4],
    pub assignments: Vec<Assignment>,
    pub customers: Vec<Customer>,
    /// Expected rows per customer and available day, in millionths, per vertical
    /// (0 = iGaming activity rows, 1 = trades, 2 = purchases).
    pub rates: [u64; 3],
}

/// Rows per customer and month of data, in thousandths (iGaming activity days,
/// trades, purchases): 10 000 customers (70 % iGaming, 20 % forex, 10 % prop)
/// give about 100 000 activity rows, 50 000 trades and 2 000 purchases a month.
const PER_CUSTOMER_MONTH: [u64; 3] = [14_286, 25_000, 2_000];

pub(crate) fn vertical_slot(v: Vertical) -> usize {
    match v {
        Vertical::Igaming => 0,
        Vertical::Forex => 1,
        Vertical::Prop => 2,
    }
}

/// Month index (`year * 12 + month - 1`) of a day.
pub(crate) fn month_of(day: i64) -> i64 {
    let (y, m, _) = civil_from_days(day);
    y * 12 + m as i64 - 1
}

pub(crate) fn first_day_of_month(mi: i64) -> i64 {
    days_from_civil(mi.div_euclid(12), (mi.rem_euclid(12) + 1) as u32, 1)
}

pub(crate) fn last_day_of_month(mi: i64) -> i64 {
    first_day_of_month(mi + 1) - 1
}

impl Customer {
    /// First day the customer can have data: its registration day or the
    /// first day of the range, whichever is later.
    pub(crate) fn first_day(&self, dims: &Dims) -> i64 {
        self.reg.div_euclid(DAY).max(dims.start_day)
    }

    pub(crate) fn avail_days(&self, dims: &Dims) -> i64 {
        (dims.end_day - self.first_day(dims) + 1).max(0)
    }
}

impl World {
    pub(crate) fn build(seed: u64, dims: Dims) -> World {
        let mut rng = rng_for(seed, STREAM_WORLD);
        let partners = gen_partners(&mut rng, dims.partners);
        let (codes, entries) = gen_codes(&mut rng, &partners);
        let assignments = gen_assignments(&mut rng, &partners, &dims);
        let customers = gen_customers(&mut rng, &dims, &codes, &entries);
        let mut world = World {
            seed,
            dims,
            partners,
            codes,
            entries,
            assignments,
            customers,
            rates: [0; 3],
        };
        world.calibrate();
        world
    }

    /// Sets the per-day rates so that the expected row counts match
    /// `PER_CUSTOMER_MONTH` whatever the registration spread.
    fn calibrate(&mut self) {
        let mut count = [0u64; 3];
        let mut avail = [0u64; 3];
        for c in &self.customers {
            let slot = vertical_slot(BRANDS[c.brand as usize].vertical);
            count[slot] += 1;
            avail[slot] += c.avail_days(&self.dims) as u64;
        }
        let days = self.dims.days() as u128;
        let months = self.dims.cust_months.max(1) as u128;
        for slot in 0..3 {
            if avail[slot] == 0 {
                continue;
            }
            // target rows (in thousandths) = n × per-month × days / (30.44 × months)
            let target_milli = count[slot] as u128 * PER_CUSTOMER_MONTH[slot] as u128 * days * 100
                / (3044 * months);
            self.rates[slot] = (target_milli * 1000 / avail[slot] as u128) as u64;
        }
    }

    pub(crate) fn vertical_of(&self, c: &Customer) -> Vertical {
        BRANDS[c.brand as usize].vertical
    }

    /// Appends the text of tracking code `idx`.
    pub(crate) fn push_code(&self, buf: &mut Vec<u8>, idx: u32) {
        use crate::out::{push_padded, push_u64};
        let code = &self.codes[idx as usize];
        let num = code.partner as u64 + 1;
        match code.kind {
            CodeKind::Btag => {
                buf.extend_from_slice(BRANDS[code.brand as usize].code_prefix.as_bytes());
                buf.push(b'-');
                push_padded(buf, num, 6);
            }
            CodeKind::Agent => {
                buf.extend_from_slice(b"AG");
                push_padded(buf, num, 6);
            }
            CodeKind::Referral => {
                buf.extend_from_slice(b"ref-");
                push_padded(buf, num, 6);
            }
            CodeKind::Coupon => {
                let words = &crate::catalog::COUPON_WORDS;
                buf.extend_from_slice(words[(num % words.len() as u64) as usize].as_bytes());
                push_u64(buf, num);
            }
        }
        if code.variant > 0 {
            buf.extend_from_slice(b"-c");
            push_u64(buf, code.variant as u64 + 1);
        }
    }

    /// Appends the customer's `tracking_code` cell.
    pub(crate) fn push_customer_code(&self, buf: &mut Vec<u8>, c: &Customer) {
        match c.code {
            CodeRef::Empty => {}
            CodeRef::Known(i) | CodeRef::Foreign(i) => self.push_code(buf, i),
            CodeRef::Garbage(i) => buf.extend_from_slice(GARBAGE_CODES[i as usize].as_bytes()),
        }
    }
}

fn gen_partners(rng: &mut StdRng, n: usize) -> Vec<Partner> {
    let mut partners: Vec<Partner> = Vec::with_capacity(n);
    let mut members: [Vec<u32>; 4] = Default::default();
    // The first partners form one 6-level chain per brand, so every scale has
    // trees of the maximum depth.
    let chain = (n / 4).min(MAX_DEPTH as usize + 1);
    let share_sum = GROUP_SHARE.iter().sum::<u32>();
    for i in 0..n {
        let (group, parent) = if i < 4 * chain {
            let g = i / chain;
            let parent = if i % chain == 0 { NONE } else { i as u32 - 1 };
            (g, parent)
        } else {
            let g = pick_weighted(&GROUP_SHARE, |w| *w, rng.gen_range(0..share_sum));
            let list = &members[g];
            let parent = if list.is_empty() || rng.gen_ratio(35, 100) {
                NONE
            } else {
                let cand = list[rng.gen_range(0..list.len())];
                if partners[cand as usize].depth < MAX_DEPTH {
                    cand
                } else {
                    partners[cand as usize].parent
                }
            };
            (g, parent)
        };
        let depth = if parent == NONE {
            0
        } else {
            partners[parent as usize].depth + 1
        };
        let vertical = BRANDS[group].vertical;
        let kinds = kinds_for(vertical);
        let kind = if vertical == Vertical::Forex && i < 4 * chain {
            Kind::Ib
        } else {
            kinds[pick_weighted(kinds, |k| k.1, rng.gen_range(0..weight_sum(kinds, |k| k.1)))].0
        };
        let countries = partner_countries(vertical);
        let country = if rng.gen_ratio(1, 10) {
            ""
        } else {
            countries[rng.gen_range(0..countries.len())]
        };
        let currency = if country.is_empty() || rng.gen_ratio(15, 100) {
            CURRENCIES[rng.gen_range(0..CURRENCIES.len())]
        } else {
            home_currency(country)
        };
        let status_sum = weight_sum(&STATUSES, |s| s.1);
        let status = STATUSES[pick_weighted(&STATUSES, |s| s.1, rng.gen_range(0..status_sum))].0;
        let mut brands = 1u8 << group;
        if vertical == Vertical::Igaming && rng.gen_ratio(15, 100) {
            // iGaming affiliates often promote both iGaming brands.
            brands |= 0b11;
        }
        let nouns = crate::catalog::name_nouns(vertical);
        let suffixes = crate::catalog::name_suffixes(kind);
        let name = [
            rng.gen_range(0..NAME_ADJ.len()) as u8,
            rng.gen_range(0..nouns.len()) as u8,
            rng.gen_range(0..suffixes.len()) as u8,
        ];
        let email = rng.gen_ratio(9, 10);
        if parent != NONE {
            partners[parent as usize].children += 1;
        }
        members[group].push(i as u32);
        partners.push(Partner {
            kind,
            group: group as u8,
            parent,
            depth,
            children: 0,
            country,
            currency,
            status,
            email,
            name,
            brands,
        });
    }
    partners
}

fn gen_codes(rng: &mut StdRng, partners: &[Partner]) -> (Vec<Code>, [Vec<Entry>; 4]) {
    let mut codes = Vec::with_capacity(partners.len() * 2);
    let mut entries: [Vec<Entry>; 4] = Default::default();
    let mut cum = [0u64; 4];
    for (pi, p) in partners.iter().enumerate() {
        for (b, brand) in BRANDS.iter().enumerate() {
            if p.brands & (1 << b) == 0 {
                continue;
            }
            let start = codes.len() as u32;
            let mut push = |kind, variant| {
                codes.push(Code {
                    partner: pi as u32,
                    brand: b as u8,
                    kind,
                    variant,
                })
            };
            match brand.vertical {
                Vertical::Igaming => {
                    push(CodeKind::Btag, 0);
                    if rng.gen_ratio(1, 5) {
                        for v in 1..=rng.gen_range(1..=2u8) {
                            push(CodeKind::Btag, v);
                        }
                    }
                }
                Vertical::Forex => {
                    push(CodeKind::Agent, 0);
                    if rng.gen_ratio(1, 10) {
                        push(CodeKind::Agent, 1);
                    }
                }
                Vertical::Prop => {
                    // Referral first, coupon second (see `stream::partner_coupon`).
                    push(CodeKind::Referral, 0);
                    push(CodeKind::Coupon, 0);
                }
            }
            let len = codes.len() as u32 - start;
            let mut weight: u64 = match p.status {
                "applied" => 0,
                _ if rng.gen_ratio(1, 5) => 0, // dormant partner
                _ => 1_000_000 / rng.gen_range(10..=1000u64),
            };
            if p.status == "pending_review" {
                weight /= 10;
            }
            if b != p.group as usize {
                weight /= 4;
            }
            cum[b] += weight;
            entries[b].push(Entry {
                code_start: start,
                code_len: len,
                cum: cum[b],
            });
        }
    }
    (codes, entries)
}

fn choose_plan(rng: &mut StdRng, p: &Partner, vertical: Vertical) -> usize {
    let pick = |rng: &mut StdRng, list: &[usize]| list[rng.gen_range(0..list.len())];
    match vertical {
        Vertical::Igaming => {
            if p.children > 0 && rng.gen_ratio(6, 10) {
                if p.kind == Kind::Strategic {
                    return P::STRATEGIC;
                }
                return pick(rng, &[P::RS_MASTER, P::HYBRID_MASTER]);
            }
            match p.kind {
                Kind::MediaBuyer => pick(
                    rng,
                    &[
                        P::CPA_GEO,
                        P::CPA_CAPPED,
                        P::HYBRID,
                        P::CPA_BASIC,
                        P::CPA_GEO,
                    ],
                ),
                Kind::Influencer => {
                    pick(rng, &[P::CPA_BASIC, P::CPA_NORDICS, P::HYBRID, P::RS_FLAT])
                }
                Kind::Referral => pick(rng, &[P::RS_FLAT, P::CPA_BASIC]),
                Kind::Strategic => pick(rng, &[P::STRATEGIC, P::RS_PROGRESSIVE]),
                _ => pick(
                    rng,
                    &[
                        P::RS_FLAT,
                        P::RS_FLAT,
                        P::RS_NOCARRY,
                        P::RS_TIER_FTDS,
                        P::RS_TIER_NGR,
                        P::RS_PROGRESSIVE,
                        P::RS_PROGRESSIVE_FLOOR,
                        P::HYBRID,
                        P::HYBRID,
                    ],
                ),
            }
        }
        Vertical::Forex => match p.kind {
            Kind::Ib => {
                if rng.gen_ratio(15, 100) {
                    P::IB_LEVELS
                } else if p.children > 0 && p.depth == 0 {
                    P::IB_MASTER
                } else if p.children > 0 {
                    pick(rng, &[P::IB_STD, P::IB_STD, P::IB_MASTER])
                } else {
                    pick(rng, &[P::IB_SUB, P::IB_STD])
                }
            }
            _ => pick(rng, &[P::IB_SPREAD, P::IB_MASTER]),
        },
        Vertical::Prop => {
            if p.children > 0 && rng.gen_ratio(6, 10) {
                P::PROP_MASTER
            } else if p.kind == Kind::Influencer && rng.gen_ratio(7, 10) {
                P::PROP_INFLUENCER
            } else {
                P::PROP_STD
            }
        }
    }
}

/// Another plan of the same vertical, for deal changes.
fn other_plan(rng: &mut StdRng, current: usize, vertical: Vertical) -> usize {
    let range = match vertical {
        Vertical::Igaming => P::RS_FLAT..P::IB_MASTER,
        Vertical::Forex => P::IB_MASTER..P::PROP_STD,
        Vertical::Prop => P::PROP_STD..P::PROP_MASTER + 1,
    };
    let len = range.len();
    let k = rng.gen_range(1..len);
    range.start + (current - range.start + k) % len
}

fn gen_assignments(rng: &mut StdRng, partners: &[Partner], dims: &Dims) -> Vec<Assignment> {
    let start_m = month_of(dims.start_day);
    let range_months = month_of(dims.end_day) - start_m + 1;
    let mut out = Vec::with_capacity(partners.len() * 5 / 4);
    for (pi, p) in partners.iter().enumerate() {
        for (b, brand) in BRANDS.iter().enumerate() {
            if p.brands & (1 << b) == 0 {
                continue;
            }
            let vertical = brand.vertical;
            let plan = choose_plan(rng, p, vertical);
            // (plan, first month, last month or open)
            let mut segs: Vec<(usize, i64, Option<i64>)> = Vec::with_capacity(3);
            if rng.gen_ratio(1, 10) {
                // An older deal that ended before the data range.
                let old = other_plan(rng, plan, vertical);
                segs.push((old, start_m - rng.gen_range(4..=18), Some(start_m - 1)));
                segs.push((plan, start_m, None));
            } else {
                let from = if rng.gen_ratio(6, 10) {
                    start_m
                } else {
                    start_m - rng.gen_range(1..=12)
                };
                segs.push((plan, from, None));
            }
            if range_months > 1 && rng.gen_ratio(15, 100) {
                // A deal change at a month boundary inside the range.
                let k = rng.gen_range(1..range_months);
                let next = other_plan(rng, plan, vertical);
                if let Some(last) = segs.last_mut() {
                    last.2 = Some(start_m + k - 1);
                }
                segs.push((next, start_m + k, None));
            }
            for (plan, from, to) in segs {
                out.push(Assignment {
                    partner: pi as u32,
                    brand: b as u8,
                    plan,
                    from_day: first_day_of_month(from),
                    to_day: to.map(last_day_of_month),
                });
            }
        }
    }
    out
}

fn gen_customers(
    rng: &mut StdRng,
    dims: &Dims,
    codes: &[Code],
    entries: &[Vec<Entry>; 4],
) -> Vec<Customer> {
    let share_sum: u32 = BRANDS.iter().map(|b| b.customer_share).sum();
    let start_ts = dims.start_day * DAY;
    let range_secs = dims.days() * DAY;
    let mut customers = Vec::with_capacity(dims.customers);
    for _ in 0..dims.customers {
        let b = pick_weighted(&BRANDS, |b| b.customer_share, rng.gen_range(0..share_sum));
        let brand = &BRANDS[b];
        let reg = if rng.gen_ratio(35, 100) {
            start_ts - rng.gen_range(1..=60 * DAY)
        } else {
            start_ts + rng.gen_range(0..range_secs)
        };
        let csum = weight_sum(brand.countries, |c| c.1);
        let country = pick_weighted(brand.countries, |c| c.1, rng.gen_range(0..csum)) as u8;
        let excluded = rng.gen_ratio(2, 100);
        let list = &entries[b];
        let total = list.last().map_or(0, |e| e.cum);
        let r = rng.gen_range(0..1000u32);
        let (code, entry) = if total == 0 || r < 15 {
            (CodeRef::Empty, NONE)
        } else if r < 23 || (r < 30 && codes.is_empty()) {
            (
                CodeRef::Garbage(rng.gen_range(0..GARBAGE_CODES.len() as u32)),
                NONE,
            )
        } else if r < 30 {
            let i = rng.gen_range(0..codes.len() as u32);
            if codes[i as usize].brand as usize == b {
                (CodeRef::Garbage(0), NONE)
            } else {
                (CodeRef::Foreign(i), NONE)
            }
        } else {
            let w = rng.gen_range(0..total);
            let ei = list.partition_point(|e| e.cum <= w);
            let e = &list[ei];
            let ci = if brand.vertical == Vertical::Prop {
                // referral link mostly, sometimes the coupon code
                e.code_start + u32::from(rng.gen_ratio(3, 10))
            } else {
                e.code_start + rng.gen_range(0..e.code_len)
            };
            (CodeRef::Known(ci), ei as u32)
        };
        let (intensity, stake, flag) = match brand.vertical {
            Vertical::Igaming => {
                let r = rng.gen_range(0..100u32);
                let stake = if r < 2 {
                    rng.gen_range(50_000..=400_000)
                } else if r < 27 {
                    rng.gen_range(2_000..=25_000)
                } else {
                    rng.gen_range(300..=4_000)
                };
                (rng.gen_range(300..=1700u16), stake, rng.gen_ratio(92, 100))
            }
            Vertical::Forex => {
                let r = rng.gen_range(0..10u32);
                let intensity = if r < 6 {
                    rng.gen_range(100..=800)
                } else if r < 9 {
                    rng.gen_range(800..=2000)
                } else {
                    rng.gen_range(2000..=5000)
                };
                (intensity, 0, rng.gen_ratio(3, 10))
            }
            Vertical::Prop => (rng.gen_range(200..=1800u16), 0, false),
        };
        customers.push(Customer {
            reg,
            code,
            entry,
            stake,
            intensity,
            brand: b as u8,
            country,
            excluded,
            flag,
        });
    }
    // Customer ids follow registration order (stable: ties keep draw order).
    customers.sort_by_key(|c| c.reg);
    customers
}
