//! The reporting roll-ups (`report_rollups`, `report_ftds`): what changed
//! since they were built, their slices written and read, and the bulk reads
//! that rebuild them.

use crate::batch::{Batch, Val};
use crate::error::{Result, StoreError};
use crate::{Store, Tx};
use partnerdesk_domain::report::figures::Figures;
use partnerdesk_domain::Period;
use rust_decimal::Decimal;
use sqlx::Row;

/// The meta key holding the first period the roll-ups must be rebuilt from.
const STALE_FROM: &str = "report_stale_from";

/// Records, in the transaction that changes data, that the roll-ups are
/// stale from period `first` on (the smaller of two marks kept, in SQL).
pub async fn note_stale_from(tx: &mut Tx<'_>, first: &str) -> Result<()> {
    sqlx::query(
        "INSERT INTO meta (key, value) VALUES ('report_stale_from', $1) ON CONFLICT (key) DO UPDATE \
         SET value = CASE WHEN excluded.value < meta.value THEN excluded.value ELSE meta.value END",
    )
    .bind(first)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// The meta key marking the `c` slices (months by tracking code, geo
/// blocks summed in) stale: a geo block changed.
const CODES_STALE: &str = "report_codes_stale";

/// Records that the geo blocks changed: the `c` slices are summed again
/// from the `m` slices at the next refresh.
pub async fn note_codes_stale(tx: &mut Tx<'_>) -> Result<()> {
    sqlx::query("INSERT INTO meta (key, value) VALUES ($1, '1') ON CONFLICT (key) DO NOTHING")
        .bind(CODES_STALE)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Forgets the `c` mark: with `version`, only while the data version is
/// still that one (a change committed meanwhile keeps its mark).
pub async fn clear_codes_stale(tx: &mut Tx<'_>, version: Option<&str>) -> Result<()> {
    if let Some(v) = version {
        if tx.data_version().await? != v {
            return Ok(());
        }
    }
    sqlx::query("DELETE FROM meta WHERE key = $1")
        .bind(CODES_STALE)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Deletes every slice of `grain`.
pub async fn delete_grain(tx: &mut Tx<'_>, grain: char) -> Result<()> {
    sqlx::query("DELETE FROM report_rollups WHERE grain = $1")
        .bind(grain.to_string())
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Forgets the stale mark, but only while the data version is still
/// `version` (the one the rebuild read at): a change committed meanwhile
/// keeps its mark for the next rebuild.
pub async fn clear_stale(tx: &mut Tx<'_>, version: &str) -> Result<bool> {
    let now = tx.data_version().await?;
    if now != version {
        return Ok(false);
    }
    sqlx::query("DELETE FROM meta WHERE key = $1")
        .bind(STALE_FROM)
        .execute(&mut **tx)
        .await?;
    Ok(true)
}

/// Forgets the stale mark while exactly `customers` customers are stored
/// (a first load's own: no other writer's customer awaits its slices).
pub async fn clear_stale_if_customers(tx: &mut Tx<'_>, customers: i64) -> Result<()> {
    sqlx::query(
        "DELETE FROM meta WHERE key = 'report_stale_from' AND (SELECT COUNT(*) FROM customers) = $1",
    )
    .bind(customers)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// One slice as a writer hands it over (see [`Packer`]).
#[derive(Debug, Clone, Copy)]
pub struct SliceOut<'a> {
    pub tracking_code: &'a str,
    pub country: &'a str,
    pub excluded: bool,
    pub partner_id: &'a str,
    pub figures: &'a Figures,
}

/// The slices of one (grain, source, day, brand), packed as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct PackedRow {
    pub grain: char,
    pub source: char,
    pub day: String,
    pub brand_id: String,
    /// The JSON array of `[tracking_code, country, excluded, partner_id,
    /// figures]` (see [`write_packed`]).
    text: String,
}

/// Packs slices as they are stored, straight into each row's text (no
/// string per slice): the caller makes a row per (grain, source, day,
/// brand) and pushes its slices in any order.
#[derive(Debug, Default)]
pub struct Packer {
    rows: Vec<PackedRow>,
    /// Slices packed, for the caller's logs.
    pub slices: usize,
}

impl Packer {
    /// A new row for the slices of (grain, source, day, brand): the caller
    /// keeps its number for [`Packer::push`] (two rows of one group are
    /// joined by [`Packer::finish`]).
    pub fn row(&mut self, grain: char, source: char, day: &str, brand: &str) -> usize {
        self.rows.push(PackedRow {
            grain,
            source,
            day: day.to_string(),
            brand_id: brand.to_string(),
            text: String::from("["),
        });
        self.rows.len() - 1
    }

    /// Appends a slice to row `row` (made by [`Packer::row`]).
    pub fn push(&mut self, row: usize, s: &SliceOut<'_>) {
        let Some(r) = self.rows.get_mut(row) else {
            return;
        };
        let text = &mut r.text;
        if text.len() > 1 {
            text.push(',');
        }
        text.push('[');
        json_str(text, s.tracking_code);
        text.push(',');
        json_str(text, s.country);
        text.push_str(if s.excluded { ",1," } else { ",0," });
        json_str(text, s.partner_id);
        text.push_str(",\"");
        s.figures.encode_into(text);
        text.push_str("\"]");
        self.slices += 1;
    }

    /// The rows, one per (grain, source, day, brand), each a JSON array.
    pub fn finish(self) -> Vec<PackedRow> {
        let mut rows = self.rows;
        rows.sort_by(|a, b| {
            (a.grain, a.source, &a.day, &a.brand_id).cmp(&(b.grain, b.source, &b.day, &b.brand_id))
        });
        let mut out: Vec<PackedRow> = Vec::with_capacity(rows.len());
        for r in rows.into_iter().filter(|r| r.text.len() > 1) {
            match out.last_mut() {
                Some(o)
                    if o.grain == r.grain
                        && o.source == r.source
                        && o.day == r.day
                        && o.brand_id == r.brand_id =>
                {
                    o.text.push(',');
                    o.text.push_str(r.text.get(1..).unwrap_or(""));
                }
                _ => out.push(r),
            }
        }
        for o in &mut out {
            o.text.push(']');
        }
        out
    }
}

/// `s` as a JSON string: as it is when nothing needs escaping (codes and
/// countries are plain words), else through serde_json.
fn json_str(out: &mut String, s: &str) {
    if s.bytes().all(|b| b >= 0x20 && b != b'"' && b != b'\\') {
        out.push('"');
        out.push_str(s);
        out.push('"');
    } else {
        match serde_json::to_string(s) {
            Ok(t) => out.push_str(&t),
            // A &str always serializes; kept total all the same.
            Err(_) => out.push_str("\"\""),
        }
    }
}

impl Tx<'_> {
    /// Whether the `c` slices must be summed again (see [`note_codes_stale`]).
    pub async fn report_codes_stale(&mut self) -> Result<bool> {
        let v: Option<String> = sqlx::query_scalar("SELECT value FROM meta WHERE key = $1")
            .bind(CODES_STALE)
            .fetch_optional(&mut **self)
            .await?;
        Ok(v.is_some())
    }

    /// The period the roll-ups are stale from, if any.
    pub async fn report_stale_from(&mut self) -> Result<Option<String>> {
        Ok(
            sqlx::query_scalar("SELECT value FROM meta WHERE key = 'report_stale_from'")
                .fetch_optional(&mut **self)
                .await?,
        )
    }

    /// Visits the slices of `grain` with days in `[from, to]`
    /// (`YYYY-MM-DD`), of one brand when given: `visit(source, day, brand,
    /// slice)`. The slices borrow from the stored row's text, so a month of
    /// a brand (hundreds of thousands of slices at scale L) is read without
    /// an allocation per slice.
    pub async fn visit_rollups<F, E>(
        &mut self,
        grain: char,
        from: &str,
        to: &str,
        brand: Option<&str>,
        mut visit: F,
    ) -> std::result::Result<(), E>
    where
        F: FnMut(char, &str, &str, SliceRef<'_>) -> std::result::Result<(), E>,
        E: From<StoreError>,
    {
        let mut sql = String::from(
            "SELECT source, day, brand_id, figures \
             FROM report_rollups WHERE grain = $1 AND day >= $2 AND day <= $3",
        );
        if brand.is_some() {
            sql.push_str(" AND brand_id = $4");
        }
        let mut q = sqlx::query(&sql)
            .bind(grain.to_string())
            .bind(from)
            .bind(to);
        if let Some(b) = brand {
            q = q.bind(b);
        }
        let rows = q.fetch_all(&mut **self).await.map_err(StoreError::from)?;
        for r in &rows {
            let get = |i: usize| r.try_get::<String, _>(i).map_err(StoreError::from);
            let (source, day, brand, figures) = (get(0)?, get(1)?, get(2)?, get(3)?);
            let source = source.chars().next().unwrap_or('a');
            let corrupt =
                |e: String| StoreError::Corrupt(format!("roll-up slices of {day} {brand}: {e}"));
            let packed: Vec<Packed<'_>> =
                serde_json::from_str(&figures).map_err(|e| corrupt(e.to_string()))?;
            for Packed(code, country, excluded, partner, figures) in packed {
                let slice = SliceRef {
                    tracking_code: &code,
                    country: &country,
                    excluded: excluded != 0,
                    partner_id: &partner,
                    figures: Figures::decode(figures).map_err(corrupt)?,
                };
                visit(source, &day, &brand, slice)?;
            }
        }
        Ok(())
    }

    /// The last period holding activity or trades.
    pub async fn last_activity_period(&mut self) -> Result<Option<Period>> {
        let row: (Option<String>, Option<String>) = sqlx::query_as(
            "SELECT (SELECT MAX(period) FROM igaming_activity), (SELECT MAX(period) FROM trades)",
        )
        .fetch_one(&mut **self)
        .await?;
        let mut best: Option<Period> = None;
        for p in [row.0, row.1].into_iter().flatten() {
            let p = Period::parse("period", &p).map_err(|e| StoreError::Corrupt(e.to_string()))?;
            best = Some(best.map_or(p, |b| b.max(p)));
        }
        Ok(best)
    }
}

/// Deletes the slices of `source` from `from_day` on (every grain) and the
/// FTD days from then on when `source` is activity.
pub async fn delete_from(tx: &mut Tx<'_>, source: char, from_day: &str) -> Result<()> {
    sqlx::query("DELETE FROM report_rollups WHERE source = $1 AND day >= $2")
        .bind(source.to_string())
        .bind(from_day)
        .execute(&mut **tx)
        .await?;
    if source == 'a' {
        sqlx::query("DELETE FROM report_ftds WHERE day >= $1")
            .bind(from_day)
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}

/// Writes packed slices (after [`delete_from`] cleared their place).
///
/// The slices of one (grain, source, day, brand) are stored together as one
/// row whose `figures` is a JSON array of `[tracking_code, country,
/// excluded, partner_id, figures]`: at scale L a month holds millions of
/// slices, and a row (and a primary-key entry) each cost several times the
/// import's own writes; packed, a day of a brand is one row.
pub async fn write_packed(tx: &mut Tx<'_>, rows: Vec<PackedRow>) -> Result<()> {
    let mut batch = Batch::new(
        "report_rollups",
        &[
            "grain",
            "source",
            "day",
            "brand_id",
            "tracking_code",
            "country",
            "excluded",
            "partner_id",
            "figures",
        ],
        "",
    );
    for r in rows {
        batch
            .push(
                tx,
                vec![
                    Val::Text(r.grain.to_string()),
                    Val::Text(r.source.to_string()),
                    Val::Text(r.day),
                    Val::Text(r.brand_id),
                    "".into(),
                    "".into(),
                    Val::Int(0),
                    "".into(),
                    Val::Text(r.text),
                ],
            )
            .await?;
    }
    batch.flush(tx).await
}

/// A stored slice as [`Packer`] packs it: `[tracking_code, country,
/// excluded, partner_id, figures]`. Free text borrows from the row's text
/// unless JSON escaped it; figures are digits, signs, dots and commas.
#[derive(serde::Deserialize)]
struct Packed<'a>(
    #[serde(borrow)] std::borrow::Cow<'a, str>,
    #[serde(borrow)] std::borrow::Cow<'a, str>,
    u8,
    #[serde(borrow)] std::borrow::Cow<'a, str>,
    &'a str,
);

/// One slice as a report reads it (see [`Tx::visit_rollups`]).
#[derive(Debug, Clone, PartialEq)]
pub struct SliceRef<'a> {
    pub tracking_code: &'a str,
    pub country: &'a str,
    pub excluded: bool,
    pub partner_id: &'a str,
    pub figures: Figures,
}

/// Writes customers' FTD days.
pub async fn write_ftds(tx: &mut Tx<'_>, ftds: &[(String, String)]) -> Result<()> {
    let mut batch = Batch::new("report_ftds", &["customer_id", "day"], "");
    for (c, d) in ftds {
        batch
            .push(tx, vec![c.as_str().into(), d.as_str().into()])
            .await?;
    }
    batch.flush(tx).await
}

/// A trade as the roll-ups need it.
#[derive(Debug, Clone)]
pub struct TradeDay {
    pub customer_id: String,
    /// `YYYY-MM-DD` of `close_time` (UTC).
    pub day: String,
    pub lots: Decimal,
    pub revenue: Decimal,
}

impl Store {
    /// The customers whose FTD day is before `day`.
    pub async fn ftd_customers_before(&self, day: &str) -> Result<Vec<String>> {
        // A day's text is digits and dashes: written into the query as it is.
        let filter = format!("day < '{}'", day.replace('\'', ""));
        crate::json_rows::read_in_chunks(
            self,
            ("report_ftds", "customer_id, day"),
            Some(filter),
            50_000,
            |r: &String| r.as_str(),
            |c| {
                c.first()
                    .copied()
                    .flatten()
                    .map(str::to_string)
                    .ok_or_else(|| StoreError::Corrupt("report_ftds: empty customer".into()))
            },
        )
        .await
    }

    /// The trades closed in `period` (customer, close day, lots, revenue).
    pub async fn trade_days(&self, period: Period) -> Result<Vec<TradeDay>> {
        let filter = format!("period = '{period}'");
        crate::json_rows::read_in_chunks(
            self,
            (
                "trades",
                "trade_id, customer_id, close_time, lots, commission, spread_revenue",
            ),
            Some(filter),
            50_000,
            |_: &TradeDay| "",
            |c| {
                let get = |i: usize, name: &str| {
                    c.get(i).copied().flatten().ok_or_else(|| {
                        StoreError::Corrupt(format!("trades: column {name} is empty"))
                    })
                };
                let close = get(2, "close_time")?;
                Ok(TradeDay {
                    customer_id: get(1, "customer_id")?.to_string(),
                    day: close.get(..10).unwrap_or(close).to_string(),
                    lots: crate::money::dec(get(3, "lots")?)?,
                    revenue: crate::money::dec(get(4, "commission")?)?
                        + crate::money::dec(get(5, "spread_revenue")?)?,
                })
            },
        )
        .await
    }
}

/// A partner as reports need it.
#[derive(Debug, Clone, serde::Deserialize)]
pub struct ReportPartner {
    pub partner_id: String,
    pub parent_id: Option<String>,
    pub kind: String,
    pub currency: String,
}

/// A paid payout item: partner, currency, amount, the day it was settled.
#[derive(Debug, Clone, serde::Deserialize)]
pub struct PaidItem {
    pub partner_id: String,
    pub currency: String,
    pub amount: String,
    pub settled_at: String,
}

impl Tx<'_> {
    /// Every partner's parent, kind and currency.
    pub async fn report_partners(&mut self) -> Result<Vec<ReportPartner>> {
        let rows: Vec<(String, Option<String>, String, String)> = crate::json_rows::read_all(
            self,
            "partner_id, parent_id, kind, currency",
            "FROM partners",
            "partners",
        )
        .await?;
        Ok(rows
            .into_iter()
            .map(|(partner_id, parent_id, kind, currency)| ReportPartner {
                partner_id,
                parent_id,
                kind,
                currency,
            })
            .collect())
    }

    /// Payout items marked paid, settled on a day in `[from, to]`.
    pub async fn paid_items(&mut self, from: &str, to: &str) -> Result<Vec<PaidItem>> {
        let rows: Vec<(String, String, String, Option<String>)> = sqlx::query_as(
            "SELECT partner_id, currency, amount, settled_at FROM payout_items \
             WHERE state = 'paid' AND settled_at IS NOT NULL AND settled_at >= $1 AND settled_at < $2",
        )
        .bind(from)
        .bind(format!("{to}~"))
        .fetch_all(&mut **self)
        .await?;
        Ok(rows
            .into_iter()
            .map(|(partner_id, currency, amount, settled_at)| PaidItem {
                partner_id,
                currency,
                amount,
                settled_at: settled_at.unwrap_or_default(),
            })
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::{Packed, Packer, SliceOut};
    use partnerdesk_domain::report::figures::{Figures, C, S};
    use rust_decimal::Decimal;

    /// Packed rows read back as the reports read them, whatever the text
    /// of a code (quotes, backslashes, control characters) and whatever
    /// order a group's slices and rows came in.
    #[test]
    fn packed_rows_read_back_as_pushed() {
        let mut f = Figures::default();
        f.count(C::Registrations, 2);
        f.add(S::Deposits, Decimal::new(-12345, 2));
        let codes = [
            "plain",
            "with \"quotes\"",
            "back\\slash",
            "tab\tand\nnewline",
            "",
        ];
        let mut p = Packer::default();
        let first = p.row('d', 'a', "2026-07-01", "B1");
        let other = p.row('d', 'a', "2026-07-02", "B1");
        let again = p.row('d', 'a', "2026-07-01", "B1");
        for (i, code) in codes.iter().enumerate() {
            let s = SliceOut {
                tracking_code: code,
                country: "DE",
                excluded: i % 2 == 1,
                partner_id: "P\"1",
                figures: &f,
            };
            p.push([first, other, again][i % 3], &s);
        }
        assert_eq!(p.slices, codes.len());
        let rows = p.finish();
        assert_eq!(rows.len(), 2, "one row per (grain, source, day, brand)");
        let mut seen = Vec::new();
        for r in &rows {
            let packed: Vec<Packed<'_>> = serde_json::from_str(&r.text).expect("JSON");
            for Packed(code, country, excluded, partner, figures) in packed {
                assert_eq!(country, "DE");
                assert_eq!(partner, "P\"1");
                assert_eq!(Figures::decode(figures).expect("figures"), f);
                seen.push((code.to_string(), excluded));
            }
        }
        seen.sort();
        let mut want: Vec<(String, u8)> = codes
            .iter()
            .enumerate()
            .map(|(i, c)| (c.to_string(), u8::from(i % 2 == 1)))
            .collect();
        want.sort();
        assert_eq!(seen, want);
    }
}
