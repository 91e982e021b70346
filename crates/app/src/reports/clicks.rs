//! REPORTS.md's `clicks` and `unique_clicks` in a report: human clicks of
//! the tracking server, read from `report_clicks` (kept current by the
//! click writer, per day, brand, tracking code and country).
//!
//! A click counts for the partner that owns its link's tracking code among
//! its brand's codes, looked up when the report reads (as activity slices
//! are: moving a code moves its clicks); its country is the one the
//! tracking server was told by a trusted proxy, empty when unknown. A click
//! is no customer: exclusions and geo blocks, which leave customers out,
//! do not apply to it. Clicks are counts, in the brand's currency row.

use super::query::{Acc, Origin, World, B};
use crate::Result;
use partnerdesk_domain::report::{Dim, Measure, ReportSpec};
use partnerdesk_domain::Period;
use partnerdesk_store::Tx;
use rust_decimal::Decimal;

/// Adds the clicks of the report's range to `acc`, when it asks for them.
pub(super) async fn contribute(
    tx: &mut Tx<'_>,
    spec: &ReportSpec,
    world: &World,
    acc: &mut Acc<'_>,
) -> Result<()> {
    let wanted = [
        Measure::Clicks,
        Measure::UniqueClicks,
        Measure::UniqueClickToRegistration,
    ];
    if !spec.measures.iter().any(|m| wanted.contains(m)) {
        return Ok(());
    }
    let by_day = spec.by.contains(&Dim::Day);
    // Codes are read only when a report needs the partner or the code.
    let by_code = World::needs_partners(spec);
    let rows = tx
        .click_rows(
            &spec.from.to_string(),
            &spec.to.to_string(),
            spec.brand.as_deref(),
            by_day,
            by_code,
        )
        .await?;
    for r in &rows {
        let Some((_, currency)) = world.brands.get(&r.brand_id) else {
            continue;
        };
        let period = Period::parse("day", r.day.get(..7).unwrap_or(&r.day))?;
        let partner = world.partner_of(&r.brand_id, &r.tracking_code);
        let o = Origin {
            day: by_day.then_some(r.day.as_str()),
            period,
            brand: Some(&r.brand_id),
            partner,
            country: &r.country,
            code: &r.tracking_code,
            currency,
        };
        acc.add(
            &o,
            &[
                (B::Clicks, Decimal::from(r.clicks)),
                (B::UniqueClicks, Decimal::from(r.unique_clicks)),
            ],
        );
    }
    Ok(())
}
