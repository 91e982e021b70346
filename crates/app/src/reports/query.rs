//! A report of REPORTS.md computed from the roll-ups (activity), the
//! commission lines and the paid payout items (money): contributions are
//! gathered per group, source currency and period, converted when asked,
//! then the derived measures are computed from the row's sums.

use super::ReportTable;
use crate::{AppError, Result};
use partnerdesk_domain::data::FxRate;
use partnerdesk_domain::report::figures::{Figures, C, S};
use partnerdesk_domain::report::{Dim, Measure, ReportSpec};
use partnerdesk_domain::Period;
use partnerdesk_store::reports::{ReportPartner, SliceRef};
use partnerdesk_store::Tx;
use rust_decimal::Decimal;
use std::collections::{HashMap, HashSet};

pub(super) use super::acc::Acc;
use super::sums::kind_base;
pub(super) use super::sums::B;

pub const UNATTRIBUTED: &str = "(unattributed)";

/// Maps looked up per slice (hundreds of thousands a report at scale L)
/// hash with foldhash, not SipHash.
pub(crate) type Map<K, V> = HashMap<K, V, foldhash::fast::RandomState>;
type Set<K> = HashSet<K, foldhash::fast::RandomState>;

/// Where a figure belongs.
pub(super) struct Origin<'a> {
    pub day: Option<&'a str>,
    pub period: Period,
    pub brand: Option<&'a str>,
    pub partner: Option<&'a str>,
    pub country: &'a str,
    pub code: &'a str,
    pub currency: &'a str,
}

/// What the report reads its figures against.
pub(crate) struct World {
    pub brands: Map<String, (String, String)>, // id → (vertical, currency)
    pub partners: Map<String, ReportPartner>,
    /// brand → code → partner: looked up per slice without an allocation.
    pub codes: Map<String, Map<String, String>>,
    /// brand → its geo-blocked countries.
    pub geo: Map<String, Set<String>>,
    pub fx: Vec<FxRate>,
}

impl World {
    /// Whether a report needs the partners and tracking codes: partner
    /// dimensions or filters, excluded registrations (without them, every
    /// figure lands in the same rows whoever it counts for).
    pub(crate) fn needs_partners(spec: &ReportSpec) -> bool {
        spec.by
            .iter()
            .any(|d| d.is_partner() || *d == Dim::TrackingCode)
            || spec.partner.is_some()
            || spec.tree.is_some()
            || spec.measures.contains(&Measure::ExcludedRegistrations)
    }

    /// The brands, geo blocks and rates, and with `partners` the partners
    /// and tracking codes (tens of thousands of rows at scale L: read only
    /// when a report needs them).
    pub(crate) async fn load(tx: &mut Tx<'_>, partners: bool) -> Result<World> {
        if !partners {
            return Ok(World {
                brands: brands_of(tx).await?,
                partners: Map::default(),
                codes: Map::default(),
                geo: geo_of(tx).await?,
                fx: tx.fx_rates().await?,
            });
        }
        let brands = brands_of(tx).await?;
        let partners = tx
            .report_partners()
            .await?
            .into_iter()
            .map(|p| (p.partner_id.clone(), p))
            .collect();
        let mut codes: Map<String, Map<String, String>> = Map::default();
        for t in tx.all_tracking_codes().await? {
            codes
                .entry(t.brand_id)
                .or_default()
                .insert(t.code, t.partner_id);
        }
        let geo = geo_of(tx).await?;
        let fx = tx.fx_rates().await?;
        Ok(World {
            brands,
            partners,
            codes,
            geo,
            fx,
        })
    }

    /// The partner owning `code` of `brand`, if any.
    pub(super) fn partner_of(&self, brand: &str, code: &str) -> Option<&str> {
        if code.is_empty() {
            return None;
        }
        self.codes
            .get(brand)
            .and_then(|c| c.get(code))
            .map(String::as_str)
    }

    /// Whether `brand` blocks `country`.
    fn blocked(&self, brand: &str, country: &str) -> bool {
        self.geo.get(brand).is_some_and(|c| c.contains(country))
    }

    /// `p` and its ancestors, nearest first (a cycle stops the walk).
    pub(super) fn chain<'a>(&'a self, p: &'a str) -> Vec<&'a str> {
        let mut out = vec![p];
        let mut at = p;
        while let Some(parent) = self.partners.get(at).and_then(|r| r.parent_id.as_deref()) {
            if out.contains(&parent) {
                break;
            }
            out.push(parent);
            at = parent;
        }
        out
    }

    pub(super) fn in_tree(&self, p: &str, root: &str) -> bool {
        self.chain(p).contains(&root)
    }
}

async fn geo_of(tx: &mut Tx<'_>) -> Result<Map<String, Set<String>>> {
    let mut geo: Map<String, Set<String>> = Map::default();
    for (brand, country) in tx.geo_blocks().await? {
        geo.entry(brand).or_default().insert(country);
    }
    Ok(geo)
}

async fn brands_of(tx: &mut Tx<'_>) -> Result<Map<String, (String, String)>> {
    Ok(tx
        .brand_list()
        .await?
        .into_iter()
        .map(|b| {
            (
                b.id.to_string(),
                (b.vertical.as_str().to_string(), b.currency.to_string()),
            )
        })
        .collect())
}

/// Computes a checked spec's table in the caller's read transaction, with
/// what [`World::load`] read (the partners when [`World::needs_partners`]).
pub(crate) async fn compute(
    tx: &mut Tx<'_>,
    world: &World,
    spec: &ReportSpec,
) -> Result<ReportTable> {
    let world = world;
    for (what, id) in [("partner", &spec.partner), ("partner", &spec.tree)] {
        if let Some(id) = id {
            if !world.partners.contains_key(id) {
                return Err(AppError::NotFound {
                    what,
                    id: id.clone(),
                });
            }
        }
    }
    if let Some(b) = &spec.brand {
        if !world.brands.contains_key(b) {
            return Err(AppError::NotFound {
                what: "brand",
                id: b.clone(),
            });
        }
    }
    let mut acc = Acc::new(spec, world);
    activity(tx, spec, world, &mut acc).await?;
    super::clicks::contribute(tx, spec, world, &mut acc).await?;
    money(tx, spec, world, &mut acc).await?;
    acc.finish()
}

/// The days of `[from, to]` read from each grain: whole months from the
/// month slices when the report has no `day`, the rest day by day.
fn segments(spec: &ReportSpec, fine: char) -> Vec<(char, String, String)> {
    let (from, to) = (spec.from, spec.to);
    if spec.by.contains(&Dim::Day) {
        return vec![(fine, from.to_string(), to.to_string())];
    }
    let mut full: Vec<Period> = Vec::new();
    for p in Period::of(from).through(Period::of(to)) {
        if p.first_day() >= from && p.last_day() <= to {
            full.push(p);
        }
    }
    let (Some(first), Some(last)) = (full.first(), full.last()) else {
        return vec![(fine, from.to_string(), to.to_string())];
    };
    let mut out = vec![(
        'm',
        first.first_day().to_string(),
        last.first_day().to_string(),
    )];
    if from < first.first_day() {
        out.push((fine, from.to_string(), first.prev().last_day().to_string()));
    }
    if to > last.last_day() {
        out.push((fine, last.next().first_day().to_string(), to.to_string()));
    }
    out
}

const ACTIVITY: [Measure; 24] = [
    Measure::Registrations,
    Measure::ExcludedRegistrations,
    Measure::Ftds,
    Measure::FtdAmount,
    Measure::Deposits,
    Measure::Withdrawals,
    Measure::Bets,
    Measure::Wins,
    Measure::Bonuses,
    Measure::Chargebacks,
    Measure::Taxes,
    Measure::Ggr,
    Measure::NetGaming,
    Measure::Trades,
    Measure::Lots,
    Measure::TradingRevenue,
    Measure::Purchases,
    Measure::FirstPurchases,
    Measure::PurchaseAmount,
    Measure::Refunds,
    Measure::RefundAmount,
    Measure::Conversion,
    Measure::CostPerFtd,
    Measure::UniqueClickToRegistration,
];

async fn activity(
    tx: &mut Tx<'_>,
    spec: &ReportSpec,
    world: &World,
    acc: &mut Acc<'_>,
) -> Result<()> {
    if !spec.measures.iter().any(|m| ACTIVITY.contains(m)) {
        return Ok(());
    }
    // The (day, brand, country) slices serve reports that need no partner.
    let coarse = !spec
        .by
        .iter()
        .any(|d| d.is_partner() || *d == Dim::TrackingCode)
        && spec.partner.is_none()
        && spec.tree.is_none()
        && !spec.measures.contains(&Measure::ExcludedRegistrations);
    // A coarse report reads the days of (day, brand, country) slices, which
    // hold ~40 countries a day where a month's slices hold every tracking
    // code and country: 31 small rows instead of a month's hundreds of
    // thousands of slices.
    let segments = if coarse {
        vec![('b', spec.from.to_string(), spec.to.to_string())]
    } else {
        segments(spec, 'd')
    };
    // Whole months without a country read the month slices by tracking
    // code (countries summed, blocked ones apart: reports/codes.rs).
    let by_code = !spec.by.contains(&Dim::Country);
    let segments = segments.into_iter().map(|(grain, from, to)| match grain {
        'm' if by_code => ('c', from, to),
        g => (g, from, to),
    });
    let mut owner = LastOwner::default();
    for (grain, from, to) in segments {
        tx.visit_rollups(
            grain,
            &from,
            &to,
            spec.brand.as_deref(),
            |source, day, brand, r| {
                let baked = grain == 'c';
                contribute(world, acc, &mut owner, (source, baked), day, brand, &r)
            },
        )
        .await?;
    }
    Ok(())
}

/// The partner of the last (brand, tracking code) looked up: slices come
/// grouped by code, so one look-up serves a code's countries.
#[derive(Default)]
struct LastOwner<'w> {
    brand: String,
    code: String,
    partner: Option<&'w str>,
}

impl<'w> LastOwner<'w> {
    fn of(&mut self, world: &'w World, brand: &str, code: &str) -> Option<&'w str> {
        if self.brand != brand || self.code != code {
            self.brand.clear();
            self.brand.push_str(brand);
            self.code.clear();
            self.code.push_str(code);
            self.partner = world.partner_of(brand, code);
        }
        self.partner
    }
}

fn contribute<'w>(
    world: &'w World,
    acc: &mut Acc<'_>,
    owner: &mut LastOwner<'w>,
    // The slice's source, and whether its `excluded` already says blocked.
    (source, baked): (char, bool),
    day: &str,
    brand: &str,
    r: &SliceRef<'_>,
) -> Result<()> {
    let Some((_, currency)) = world.brands.get(brand) else {
        return Ok(());
    };
    let period = Period::parse("day", day.get(..7).unwrap_or(day))?;
    let out = r.excluded || (!baked && world.blocked(brand, r.country));
    let partner: Option<&str> = if source == 'p' {
        (!r.partner_id.is_empty()).then_some(r.partner_id)
    } else {
        owner.of(world, brand, r.tracking_code)
    };
    let o = Origin {
        day: Some(day),
        period,
        brand: Some(brand),
        partner,
        country: r.country,
        code: r.tracking_code,
        currency,
    };
    let f: &Figures = &r.figures;
    let n = |c: C| Decimal::from(f.get_count(c));
    if out {
        // Only excluded registrations, for the partner of a code of the
        // customer's own brand (an unknown code counts nowhere).
        if source == 'a' && partner.is_some() {
            acc.add(&o, &[(B::ExcludedRegistrations, n(C::Registrations))]);
        }
        return Ok(());
    }
    let values = [
        (B::Registrations, n(C::Registrations)),
        (B::Ftds, n(C::Ftds)),
        (B::FtdAmount, f.get(S::FtdAmount)),
        (B::Deposits, f.get(S::Deposits)),
        (B::Withdrawals, f.get(S::Withdrawals)),
        (B::Bets, f.get(S::Bets)),
        (B::Wins, f.get(S::Wins)),
        (B::Bonuses, f.get(S::Bonuses)),
        (B::Chargebacks, f.get(S::Chargebacks)),
        (B::Taxes, f.get(S::Taxes)),
        (B::Trades, n(C::Trades)),
        (B::Lots, f.get(S::Lots)),
        (B::TradingRevenue, f.get(S::TradingRevenue)),
        (B::Purchases, n(C::Purchases)),
        (B::FirstPurchases, n(C::FirstPurchases)),
        (B::PurchaseAmount, f.get(S::PurchaseAmount)),
        (B::Refunds, n(C::Refunds)),
        (B::RefundAmount, f.get(S::RefundAmount)),
    ];
    acc.add(&o, &values);
    Ok(())
}

/// The periods whose first day lies in the range: those money measures count.
fn money_periods(spec: &ReportSpec) -> Vec<Period> {
    Period::of(spec.from)
        .through(Period::of(spec.to))
        .filter(|p| p.first_day() >= spec.from && p.first_day() <= spec.to)
        .collect()
}

async fn money(tx: &mut Tx<'_>, spec: &ReportSpec, world: &World, acc: &mut Acc<'_>) -> Result<()> {
    let periods = money_periods(spec);
    let lines_needed = spec.measures.iter().any(|m| m.needs_computed_periods());
    let first = if lines_needed && !periods.is_empty() {
        tx.first_data_period().await?
    } else {
        None
    };
    // Periods before the first one with data count as zero; every later one
    // must be computed and current.
    let counted: Vec<Period> = periods
        .iter()
        .copied()
        .filter(|p| first.is_some_and(|f| *p >= f))
        .collect();
    if let (Some(&from), Some(&to)) = (counted.first(), counted.last()) {
        for &period in &counted {
            crate::commissions::check_current(tx, period).await?;
        }
        // The lines' amounts only (explanations are never read here), when
        // a measure sums them.
        let amounts = spec
            .measures
            .iter()
            .any(|m| m.needs_computed_periods() && *m != Measure::QualifiedCpas);
        let lines = if amounts {
            tx.report_line_amounts(from, to).await?
        } else {
            Vec::new()
        };
        for l in lines {
            if spec.brand.as_deref().is_some_and(|b| b != l.brand_id) {
                continue;
            }
            let o = Origin {
                day: None,
                period: l.period,
                brand: Some(l.brand_id.as_str()),
                partner: Some(l.partner_id.as_str()),
                country: "",
                code: "",
                currency: l.currency.as_str(),
            };
            acc.add(
                &o,
                &[(B::Commission, l.amount), (kind_base(l.kind), l.amount)],
            );
        }
        if spec.measures.contains(&Measure::QualifiedCpas) {
            qualifiers(tx, spec, acc, from, to).await?;
        }
    }
    if spec.measures.contains(&Measure::Paid) && spec.brand.is_none() {
        if let (Some(first), Some(last)) = (periods.first(), periods.last()) {
            let items = tx
                .paid_items(&first.first_day().to_string(), &last.last_day().to_string())
                .await?;
            for it in &items {
                let Some(p) = it.settled_at.get(..7) else {
                    continue;
                };
                let period = Period::parse("settled_at", p)?;
                let amount = partnerdesk_store::money::dec(&it.amount)?;
                let o = Origin {
                    day: None,
                    period,
                    brand: None,
                    partner: Some(it.partner_id.as_str()),
                    country: "",
                    code: "",
                    currency: &it.currency,
                };
                acc.add(&o, &[(B::Paid, amount)]);
            }
        }
    }
    let _ = world;
    Ok(())
}

/// The customers the periods' own CPA lines paid (after caps), counted in
/// the country the run paid them for and, when the report groups by it,
/// under the customer's tracking code as stored now (REPORTS.md: the
/// customer's, as imported): one grouped query, no explanation parsed.
async fn qualifiers(
    tx: &mut Tx<'_>,
    spec: &ReportSpec,
    acc: &mut Acc<'_>,
    from: Period,
    to: Period,
) -> Result<()> {
    let by_code = spec.by.contains(&Dim::TrackingCode);
    let counts = tx
        .qualifier_counts(from, to, spec.brand.as_deref(), by_code)
        .await?;
    for q in &counts {
        let o = Origin {
            day: None,
            period: q.period,
            brand: Some(q.brand_id.as_str()),
            partner: Some(q.partner_id.as_str()),
            country: &q.country,
            code: &q.tracking_code,
            currency: &q.currency,
        };
        acc.add(&o, &[(B::QualifiedCpas, Decimal::from(q.count))]);
    }
    Ok(())
}
