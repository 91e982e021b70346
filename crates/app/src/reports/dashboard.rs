//! The desktop's first page: KPIs for a range against the range before it,
//! trends by day, top partners and countries, computed by the report of
//! REPORTS.md from the roll-ups in one read transaction (what the last
//! import or sync brought shows without a commission run).

use super::query::{compute, World};
use super::{Col, ReportTable};
use crate::{AppError, Context, Result};
use chrono::NaiveDate;
use partnerdesk_domain::report::{Dim, Measure, ReportSpec, Unit};
use partnerdesk_domain::CurrencyCode;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use specta::Type;
use std::str::FromStr;

#[derive(Debug, Clone, Serialize, Deserialize, Type)]
pub struct DashboardQuery {
    /// First day, YYYY-MM-DD.
    pub from: String,
    /// Last day, YYYY-MM-DD (inclusive).
    pub to: String,
    pub brand: Option<String>,
    /// Every amount converted to this currency.
    pub currency: String,
}

/// A KPI for the range and the range before it (printed figures).
#[derive(Debug, Clone, Serialize, Deserialize, Type)]
pub struct Kpi {
    pub measure: String,
    pub current: String,
    pub previous: String,
}

/// A report's table as the UI shows it.
#[derive(Debug, Clone, Serialize, Deserialize, Type, PartialEq)]
pub struct TableView {
    pub columns: Vec<String>,
    /// Per column: `text`, `count`, `amount`, `lots` or `percent`.
    pub units: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

impl From<ReportTable> for TableView {
    fn from(t: ReportTable) -> Self {
        TableView {
            units: t.columns.iter().map(unit_name).collect(),
            columns: t.columns.into_iter().map(|c| c.name).collect(),
            rows: t.rows,
        }
    }
}

fn unit_name(c: &Col) -> String {
    match c.unit {
        None => "text",
        Some(Unit::Count) => "count",
        Some(Unit::Amount) => "amount",
        Some(Unit::Lots) => "lots",
        Some(Unit::Percent) => "percent",
    }
    .to_string()
}

#[derive(Debug, Clone, Serialize, Deserialize, Type)]
pub struct Dashboard {
    pub from: String,
    pub to: String,
    pub previous_from: String,
    pub previous_to: String,
    pub currency: String,
    pub kpis: Vec<Kpi>,
    /// Why the money KPIs are empty (a period not computed, a missing rate).
    pub money_note: Option<String>,
    pub trend: TableView,
    pub top_partners: TableView,
    pub top_countries: TableView,
}

const ACTIVITY_KPIS: [Measure; 9] = [
    Measure::Clicks,
    Measure::UniqueClicks,
    Measure::Registrations,
    Measure::Ftds,
    Measure::Deposits,
    Measure::NetGaming,
    Measure::Lots,
    Measure::TradingRevenue,
    Measure::Purchases,
];
const MONEY_KPIS: [Measure; 3] = [
    Measure::QualifiedCpas,
    Measure::Commission,
    Measure::CostPerFtd,
];
/// The order the KPIs are shown in.
const KPI_ORDER: [Measure; 12] = [
    Measure::Clicks,
    Measure::UniqueClicks,
    Measure::Registrations,
    Measure::Ftds,
    Measure::QualifiedCpas,
    Measure::Deposits,
    Measure::NetGaming,
    Measure::Lots,
    Measure::TradingRevenue,
    Measure::Purchases,
    Measure::Commission,
    Measure::CostPerFtd,
];
const TOP: usize = 10;

/// The range a dashboard range is compared with: whole calendar months
/// against as many whole months just before (July against June, a quarter
/// against the quarter before), any other range against as many days just
/// before it.
fn previous_range(from: NaiveDate, to: NaiveDate) -> (NaiveDate, NaiveDate) {
    use chrono::Datelike;
    let previous_to = from.pred_opt().unwrap_or(from);
    let whole_months = from.day() == 1 && to.succ_opt().is_some_and(|d| d.day() == 1);
    if whole_months {
        let months =
            (to.year() * 12 + to.month0() as i32) - (from.year() * 12 + from.month0() as i32) + 1;
        if let Some(previous_from) = u32::try_from(months)
            .ok()
            .and_then(|m| from.checked_sub_months(chrono::Months::new(m)))
        {
            return (previous_from, previous_to);
        }
    }
    let days = (to - from).num_days();
    (previous_to - chrono::Duration::days(days), previous_to)
}

#[cfg(test)]
mod tests {
    use super::previous_range;
    use chrono::NaiveDate;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("a date")
    }

    #[test]
    fn whole_months_compare_with_the_months_before_other_ranges_with_the_days_before() {
        assert_eq!(
            previous_range(d("2026-07-01"), d("2026-07-31")),
            (d("2026-06-01"), d("2026-06-30"))
        );
        assert_eq!(
            previous_range(d("2026-03-01"), d("2026-03-31")),
            (d("2026-02-01"), d("2026-02-28"))
        );
        assert_eq!(
            previous_range(d("2026-07-01"), d("2026-09-30")),
            (d("2026-04-01"), d("2026-06-30"))
        );
        assert_eq!(
            previous_range(d("2026-01-01"), d("2026-01-31")),
            (d("2025-12-01"), d("2025-12-31"))
        );
        // Seven days against the seven before.
        assert_eq!(
            previous_range(d("2026-07-08"), d("2026-07-14")),
            (d("2026-07-01"), d("2026-07-07"))
        );
    }
}

#[tracing::instrument(name = "reports::dashboard", skip_all, fields(user = %ctx.actor.user))]
pub async fn dashboard(ctx: &Context, q: &DashboardQuery) -> Result<Dashboard> {
    ctx.authorize(&crate::access::READ).await?;
    let from = partnerdesk_domain::data::parse_date("from", &q.from)?;
    let to = partnerdesk_domain::data::parse_date("to", &q.to)?;
    if to < from {
        return Err(AppError::invalid("to", "the range ends before it starts"));
    }
    let currency = CurrencyCode::parse("currency", &q.currency)?;
    let (previous_from, previous_to) = previous_range(from, to);
    super::refresh(&ctx.store).await?;
    let mut tx = ctx.store.read().await?;
    let world = World::load(&mut tx, true).await?;
    let spec = |from: NaiveDate, to: NaiveDate, by: &[Dim], measures: &[Measure]| ReportSpec {
        from,
        to,
        by: by.to_vec(),
        measures: measures.to_vec(),
        brand: q.brand.clone(),
        partner: None,
        tree: None,
        currency: Some(currency),
    };
    // The KPIs of each range in one report: activity and money read once
    // (money KPIs need `ftds` too). A range whose money cannot be computed
    // (a period not run, a missing rate) keeps its activity KPIs, read
    // again without the money, and says why beside them.
    let all: Vec<Measure> = ACTIVITY_KPIS.iter().chain(&MONEY_KPIS).copied().collect();
    let mut money_note = None;
    let now = match compute(&mut tx, &world, &spec(from, to, &[], &all)).await {
        Ok(t) => t,
        Err(e) => {
            let t = compute(&mut tx, &world, &spec(from, to, &[], &ACTIVITY_KPIS)).await?;
            money_note = Some(e.to_string());
            t
        }
    };
    let before = match compute(
        &mut tx,
        &world,
        &spec(previous_from, previous_to, &[], &all),
    )
    .await
    {
        Ok(t) => t,
        Err(_) => {
            compute(
                &mut tx,
                &world,
                &spec(previous_from, previous_to, &[], &ACTIVITY_KPIS),
            )
            .await?
        }
    };
    let figures: Vec<(Measure, String, String)> = all
        .iter()
        .map(|&m| (m, total(&now, m), total(&before, m)))
        .collect();
    let kpis = KPI_ORDER
        .iter()
        .filter_map(|m| figures.iter().find(|(x, _, _)| x == m))
        .map(|(m, c, p)| Kpi {
            measure: m.name(),
            current: c.clone(),
            previous: p.clone(),
        })
        .collect();
    let trend = compute(
        &mut tx,
        &world,
        &spec(
            from,
            to,
            &[Dim::Day],
            &[
                Measure::Registrations,
                Measure::Ftds,
                Measure::Deposits,
                Measure::NetGaming,
                Measure::TradingRevenue,
                Measure::PurchaseAmount,
            ],
        ),
    )
    .await?;
    let partners = compute(
        &mut tx,
        &world,
        &spec(
            from,
            to,
            &[Dim::Partner],
            &[Measure::Ftds, Measure::Deposits, Measure::NetGaming],
        ),
    )
    .await?;
    let countries = compute(
        &mut tx,
        &world,
        &spec(
            from,
            to,
            &[Dim::Country],
            &[Measure::Registrations, Measure::Ftds, Measure::Deposits],
        ),
    )
    .await?;
    Ok(Dashboard {
        from: from.to_string(),
        to: to.to_string(),
        previous_from: previous_from.to_string(),
        previous_to: previous_to.to_string(),
        currency: currency.to_string(),
        kpis,
        money_note,
        trend: trend.into(),
        top_partners: top(partners, "ftds", "deposits").into(),
        top_countries: top(countries, "ftds", "registrations").into(),
    })
}

/// A measure's figure in a one-row table ("0" style zero when no row).
fn total(t: &ReportTable, m: Measure) -> String {
    let Some(col) = t.columns.iter().position(|c| c.name == m.name()) else {
        return String::new();
    };
    match t.rows.first() {
        Some(r) => r.get(col).cloned().unwrap_or_default(),
        None => match m.unit() {
            Unit::Count => "0".into(),
            Unit::Percent => String::new(),
            _ if m == Measure::CostPerFtd => String::new(),
            _ => "0.00".into(),
        },
    }
}

/// The table's first rows by `by` then `then`, largest first.
fn top(mut t: ReportTable, by: &str, then: &str) -> ReportTable {
    let col = |name: &str| t.columns.iter().position(|c| c.name == name);
    let (Some(a), Some(b)) = (col(by), col(then)) else {
        return t;
    };
    let num = |r: &Vec<String>, i: usize| {
        r.get(i)
            .and_then(|s| Decimal::from_str(s).ok())
            .unwrap_or(Decimal::ZERO)
    };
    t.rows.sort_by(|x, y| {
        (num(y, a), num(y, b))
            .cmp(&(num(x, a), num(x, b)))
            .then_with(|| x.cmp(y))
    });
    t.rows.truncate(TOP);
    t
}
