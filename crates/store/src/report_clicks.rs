//! Human clicks counted for reports (`report_clicks`): per (UTC day, brand,
//! tracking code, country), added to by the click writer in its batch's
//! transaction and read by reports. Counts are integers, so they are summed
//! in SQL (`clicks = clicks + n`): a batch touches a handful of rows and
//! never marks the activity roll-ups stale (docs/decisions.md §20).

use crate::batch::{Batch, Val};
use crate::error::Result;
use crate::Tx;
use std::collections::BTreeMap;

/// Where a click counts: (day, brand, tracking code, country or '').
pub type ClickKey = (String, String, String, String);

/// Human clicks of one group: (clicks, unique clicks).
pub type ClickCount = (i64, i64);

/// Clicks for a report: a day (or, grouped by month, `YYYY-MM`), brand,
/// tracking code ('' when the report asked without codes), country.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ClickRow {
    pub day: String,
    pub brand_id: String,
    pub tracking_code: String,
    pub country: String,
    pub clicks: i64,
    pub unique_clicks: i64,
}

/// Adds newly stored human clicks to their groups. Keys are written in
/// order (a `BTreeMap`), so two batches of two server instances lock the
/// same rows in the same order and cannot deadlock; each key appears once
/// per statement, as PostgreSQL's `ON CONFLICT DO UPDATE` requires.
pub async fn add_clicks(tx: &mut Tx<'_>, counts: &BTreeMap<ClickKey, ClickCount>) -> Result<()> {
    if counts.is_empty() {
        return Ok(());
    }
    let mut batch = Batch::new(
        "report_clicks",
        &[
            "day",
            "brand_id",
            "tracking_code",
            "country",
            "clicks",
            "unique_clicks",
        ],
        " ON CONFLICT (day, brand_id, tracking_code, country) DO UPDATE SET \
         clicks = report_clicks.clicks + excluded.clicks, \
         unique_clicks = report_clicks.unique_clicks + excluded.unique_clicks",
    );
    for ((day, brand, code, country), (n, unique)) in counts {
        batch
            .push(
                tx,
                vec![
                    day.as_str().into(),
                    brand.as_str().into(),
                    code.as_str().into(),
                    country.as_str().into(),
                    Val::Int(*n),
                    Val::Int(*unique),
                ],
            )
            .await?;
    }
    batch.flush(tx).await
}

impl Tx<'_> {
    /// Human clicks on days `[from, to]` (`YYYY-MM-DD`), of one brand when
    /// given; per day with `by_day`, else per month (`day` is then
    /// `YYYY-MM`); per tracking code with `by_code`, else summed over codes.
    pub async fn click_rows(
        &mut self,
        from: &str,
        to: &str,
        brand: Option<&str>,
        by_day: bool,
        by_code: bool,
    ) -> Result<Vec<ClickRow>> {
        let day = if by_day { "day" } else { "SUBSTR(day, 1, 7)" };
        let code = if by_code { "tracking_code" } else { "''" };
        let mut sql = format!(
            "SELECT {day} AS day, brand_id, {code} AS tracking_code, country, \
             CAST(SUM(clicks) AS BIGINT) AS clicks, CAST(SUM(unique_clicks) AS BIGINT) AS unique_clicks \
             FROM report_clicks WHERE day >= $1 AND day <= $2"
        );
        if brand.is_some() {
            sql.push_str(" AND brand_id = $3");
        }
        // PostgreSQL refuses a constant in GROUP BY: codes only when asked.
        let group_code = if by_code { ", tracking_code" } else { "" };
        sql.push_str(&format!(" GROUP BY {day}, brand_id{group_code}, country"));
        let mut q = sqlx::query_as::<_, ClickRow>(&sql).bind(from).bind(to);
        if let Some(b) = brand {
            q = q.bind(b);
        }
        Ok(q.fetch_all(&mut **self).await?)
    }
}
