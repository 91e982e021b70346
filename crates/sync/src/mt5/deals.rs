//! MT5 deals into round-turn trades, window by window, with a replay that
//! picks up deals the server booked late.
//!
//! An entry-in deal opens (or adds to) a position, an entry-out deal closes
//! part or all of it and yields one trade with the open and close times,
//! the closed volume in lots and the broker's commission revenue of both
//! sides. Positions still open at the end of a window travel in the cursor.
//!
//! Late deals: a deal can appear in a time range after that range was read
//! (MetaQuotes books some deals late). At every window end the cursor keeps
//! a checkpoint (the time and the positions open then); a run starts from
//! the newest checkpoint at least `overlap_hours` before where the last run
//! stopped and reads everything since again. The trades it makes again are
//! the same rows (a trade's id is its closing deal's ticket), so only what
//! changed is written, and a late entry-in deal changes the trades it
//! belongs to as if it had been there all along.
//!
//! Times: the server writes deal times as its own wall clock (Unix seconds
//! as if it were UTC); they are converted to UTC with the connection's
//! `server_timezone`, and the windows asked for are written in server time.
//!
//! Volumes: `VolumeExt` (1/100,000,000 lot) when the server sends it, else
//! `Volume` (1/10,000 lot), so 0.12345 lot stays 0.12345 (MetaQuotes,
//! `IMTDeal::VolumeExt`: "one unit corresponds to 1/100000000 lot").
//!
//! Commission: MT5 reports a commission charged to the client as a negative
//! number (`IMTDeal::Commission`); the broker's revenue is its negation. A
//! positive commission is paid to the client: no revenue (0), and the run
//! report says how many there were.

use crate::error::RecordError;
use crate::json;
use crate::zone::Zone;
use crate::Page;
use chrono::DateTime;
use partnerdesk_domain::data::Trade;
use partnerdesk_domain::Id;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;

/// Lots per `VolumeExt` unit: 10^8.
const EXT_PER_LOT: u64 = 100_000_000;
/// `VolumeExt` units per `Volume` unit (1/10,000 lot).
const EXT_PER_VOLUME: u64 = 10_000;

pub const POSITIVE_COMMISSION: &str =
    "deals with a positive commission (paid to the client): counted as no revenue";

/// Where the deals stream stands.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct DealCursor {
    /// Deals before this time (UTC Unix seconds) are synced.
    pub from: i64,
    /// Positions open at `from`, by position id.
    pub open: BTreeMap<String, OpenPosition>,
    /// Earlier window ends with the positions open there, oldest first.
    #[serde(default)]
    pub checkpoints: Vec<Checkpoint>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Checkpoint {
    pub at: i64,
    pub open: BTreeMap<String, OpenPosition>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OpenPosition {
    pub login: String,
    pub symbol: String,
    /// UTC Unix milliseconds of the first entry-in.
    pub time_msc: i64,
    /// Open volume in 1/100,000,000 lot.
    #[serde(default)]
    pub volume_ext: u64,
    /// Cursors written before `volume_ext`: 1/10,000 lot.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub volume: u64,
    /// Commission revenue of the entry deals not yet booked on a trade.
    pub commission: Decimal,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

impl DealCursor {
    /// A stored cursor; positions of older cursors get their volume in
    /// `VolumeExt` units.
    pub fn read(text: &str) -> Result<Self, String> {
        let mut c: DealCursor = serde_json::from_str(text).map_err(|e| e.to_string())?;
        let upgrade = |open: &mut BTreeMap<String, OpenPosition>| {
            for p in open.values_mut() {
                if p.volume_ext == 0 && p.volume > 0 {
                    p.volume_ext = p.volume * EXT_PER_VOLUME;
                    p.volume = 0;
                }
            }
        };
        upgrade(&mut c.open);
        for cp in &mut c.checkpoints {
            upgrade(&mut cp.open);
        }
        Ok(c)
    }

    /// A new stream from `start`.
    pub fn starting(start: i64) -> Self {
        Self {
            from: start,
            open: BTreeMap::new(),
            checkpoints: vec![Checkpoint {
                at: start,
                open: BTreeMap::new(),
            }],
        }
    }

    /// Goes back to the newest checkpoint at least `overlap` seconds before
    /// `from` (or the oldest one kept), so this run reads that span again.
    pub fn rewind(&mut self, overlap: i64) {
        if overlap <= 0 {
            return;
        }
        let horizon = self.from - overlap;
        let i = self
            .checkpoints
            .iter()
            .rposition(|c| c.at <= horizon)
            .unwrap_or(0);
        if let Some(cp) = self.checkpoints.get(i).cloned() {
            if cp.at < self.from {
                self.checkpoints.truncate(i + 1);
                self.from = cp.at;
                self.open = cp.open;
            }
        }
    }

    /// Moves on to `to`, keeping a checkpoint there and only the older ones
    /// a later rewind of `overlap` seconds can still need.
    pub fn advance(&mut self, to: i64, overlap: i64) {
        self.from = to;
        if overlap <= 0 {
            self.checkpoints.clear();
            return;
        }
        if self.checkpoints.last().is_none_or(|c| c.at < to) {
            self.checkpoints.push(Checkpoint {
                at: to,
                open: self.open.clone(),
            });
        }
        let horizon = to - overlap;
        if let Some(i) = self.checkpoints.iter().rposition(|c| c.at <= horizon) {
            self.checkpoints.drain(..i);
        }
    }
}

/// A deal as we use it, its time in UTC.
#[derive(Debug, Clone)]
pub struct Deal {
    pub ticket: u64,
    pub time_msc: i64,
    pub action: u64,
    pub entry: u64,
    pub login: String,
    pub symbol: String,
    pub volume_ext: u64,
    pub position: String,
    /// The broker's revenue: the negated commission, never below 0.
    pub revenue: Decimal,
    /// The commission was positive (paid to the client).
    pub paid_to_client: bool,
}

/// Reads a deal of the Web API (numbers as JSON strings or numbers).
pub fn parse(d: &Value, zone: &Zone) -> Result<Deal, String> {
    let ticket = json::uint(d, "Deal")?;
    let time_msc = if json::at(d, "TimeMsc").is_some() {
        let ms = i64::try_from(json::uint(d, "TimeMsc")?)
            .map_err(|_| "TimeMsc out of range".to_string())?;
        zone.server_millis_to_utc(ms)
            .ok_or_else(|| "TimeMsc out of range".to_string())?
    } else {
        server_time(d, "Time", zone)?.timestamp_millis()
    };
    let action = json::uint(d, "Action")?;
    let entry = json::uint(d, "Entry")?;
    let login = json::uint(d, "Login")?.to_string();
    let symbol = json::text(d, "Symbol")?;
    let volume_ext = match json::at(d, "VolumeExt") {
        Some(_) if json::uint(d, "VolumeExt")? > 0 => json::uint(d, "VolumeExt")?,
        _ => json::uint(d, "Volume")?
            .checked_mul(EXT_PER_VOLUME)
            .ok_or_else(|| "Volume out of range".to_string())?,
    };
    let position = json::text(d, "PositionID")?;
    let commission = json::decimal_or_zero(d, "Commission")?;
    Ok(Deal {
        ticket,
        time_msc,
        action,
        entry,
        login,
        symbol,
        volume_ext,
        position,
        revenue: if commission < Decimal::ZERO {
            -commission
        } else {
            Decimal::ZERO
        },
        paid_to_client: commission > Decimal::ZERO,
    })
}

/// A time field in server time: server seconds, or a date-time (with an
/// offset taken as written, without one as the server's wall clock).
pub fn server_time(v: &Value, field: &str, zone: &Zone) -> Result<DateTime<chrono::Utc>, String> {
    let raw = json::text(v, field)?;
    let t = raw.trim();
    if let Ok(secs) = t.parse::<i64>() {
        return zone
            .server_secs_to_utc(secs)
            .ok_or_else(|| format!("field '{field}': '{raw}' is out of range"));
    }
    if let Ok(d) = DateTime::parse_from_rfc3339(t) {
        return Ok(d.with_timezone(&chrono::Utc));
    }
    for f in [
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%d %H:%M:%S%.f",
        "%Y.%m.%d %H:%M:%S%.f",
    ] {
        if let Ok(n) = chrono::NaiveDateTime::parse_from_str(t, f) {
            return Ok(zone.to_utc(n));
        }
    }
    Err(format!("field '{field}': '{raw}' is not a time"))
}

fn too_large() -> String {
    "the deal's amounts are too large to add up".to_string()
}

/// Turns deals into trades: what the positions need to know.
pub struct Booker<'a> {
    pub prefix: &'a str,
    pub brand: &'a Id,
    pub group_of: &'a dyn Fn(&str) -> String,
    pub spread_per_lot: &'a BTreeMap<String, Decimal>,
}

impl Booker<'_> {
    fn trade_id(&self, ticket: u64) -> String {
        format!("{}{ticket}", self.prefix)
    }

    /// Applies the window's deals (sorted by time, then ticket) to the open
    /// positions, adding trades and per-deal errors to `page`.
    pub fn apply_all(&self, cur: &mut DealCursor, page: &mut Page, deals: Vec<(Deal, Value)>) {
        for (deal, raw) in deals {
            if deal.paid_to_client {
                page.note(POSITIVE_COMMISSION);
            }
            if let Err(e) = self.apply(cur, page, &deal) {
                page.errors.push(
                    RecordError::new(format!("deal {}", deal.ticket), e)
                        .waiting(self.trade_id(deal.ticket), &raw),
                );
            }
        }
    }

    fn apply(&self, cur: &mut DealCursor, page: &mut Page, d: &Deal) -> Result<(), String> {
        if d.action > 1 {
            // Balance, credit, charges…: not trading.
            return Ok(());
        }
        match d.entry {
            0 => {
                let p = cur.open.entry(d.position.clone()).or_insert(OpenPosition {
                    login: d.login.clone(),
                    symbol: d.symbol.clone(),
                    time_msc: d.time_msc,
                    volume_ext: 0,
                    volume: 0,
                    commission: Decimal::ZERO,
                });
                // A platform's figures can be anything: too large to add
                // up is the deal's error, never a panic.
                p.volume_ext = p
                    .volume_ext
                    .checked_add(d.volume_ext)
                    .ok_or_else(too_large)?;
                p.commission = p.commission.checked_add(d.revenue).ok_or_else(too_large)?;
            }
            1 | 3 => {
                self.close(cur, page, d, d.volume_ext)?;
            }
            2 => {
                // In/out: closes the position and opens the reverse with the rest.
                let closed = self.close(cur, page, d, d.volume_ext)?;
                if d.volume_ext > closed {
                    cur.open.insert(
                        d.position.clone(),
                        OpenPosition {
                            login: d.login.clone(),
                            symbol: d.symbol.clone(),
                            time_msc: d.time_msc,
                            volume_ext: d.volume_ext - closed,
                            volume: 0,
                            commission: Decimal::ZERO,
                        },
                    );
                }
            }
            other => return Err(format!("Entry {other} is not a deal direction MT5 defines")),
        }
        Ok(())
    }

    /// Closes up to `volume` of the deal's position; answers what it closed.
    fn close(
        &self,
        cur: &mut DealCursor,
        page: &mut Page,
        d: &Deal,
        volume: u64,
    ) -> Result<u64, String> {
        let open = cur.open.get_mut(&d.position).ok_or_else(|| {
            format!(
                "closes position {}, whose opening deal is not in the synced range: set 'from' earlier and sync again from the start",
                d.position
            )
        })?;
        let closed = volume.min(open.volume_ext);
        // The opening commission is booked pro rata on the closing trades.
        let share = if open.volume_ext == 0 {
            Decimal::ZERO
        } else {
            open.commission
                .checked_mul(Decimal::from(closed))
                .and_then(|c| c.checked_div(Decimal::from(open.volume_ext)))
                .ok_or_else(too_large)?
                .round_dp(8)
        };
        let lots = (Decimal::from(closed) / Decimal::from(EXT_PER_LOT)).normalize();
        let group = (self.group_of)(&open.symbol);
        let spread = self
            .spread_per_lot
            .get(&group)
            .map(|p| p.checked_mul(lots).map(|s| s.round_dp(8)))
            .unwrap_or(Some(Decimal::ZERO))
            .ok_or_else(too_large)?;
        let open_time = DateTime::from_timestamp_millis(open.time_msc)
            .ok_or_else(|| "open time out of range".to_string())?;
        let close_time = DateTime::from_timestamp_millis(d.time_msc)
            .ok_or_else(|| "close time out of range".to_string())?;
        page.trades.push(Trade {
            trade_id: Id::parse("Deal", &self.trade_id(d.ticket)).map_err(|e| e.to_string())?,
            customer_id: Id::parse("Login", &format!("{}{}", self.prefix, open.login))
                .map_err(|e| e.to_string())?,
            brand_id: self.brand.clone(),
            symbol: open.symbol.clone(),
            instrument_group: group,
            lots,
            open_time,
            close_time,
            commission: share
                .checked_add(d.revenue)
                .ok_or_else(too_large)?
                .normalize(),
            spread_revenue: spread.normalize(),
        });
        open.volume_ext -= closed;
        open.commission = open.commission.checked_sub(share).ok_or_else(too_large)?;
        if open.volume_ext == 0 {
            cur.open.remove(&d.position);
        }
        Ok(closed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn deal(v: Value) -> Deal {
        parse(&v, &Zone::default()).expect("a deal")
    }

    #[test]
    fn volume_ext_wins_over_volume_and_commission_keeps_its_sign() {
        let d = deal(
            json!({"Deal": "7", "TimeMsc": "1783000000000", "Action": "0", "Entry": "0",
            "Login": "5", "Symbol": "EURUSD", "Volume": "1234", "VolumeExt": "12345000",
            "PositionID": "9", "Commission": "-3.50"}),
        );
        // 12,345,000 / 10^8 = 0.12345 lot (Volume says 0.1234).
        assert_eq!(d.volume_ext, 12_345_000);
        assert_eq!(d.revenue.to_string(), "3.50", "charged 3.50 → revenue 3.50");
        let d = deal(
            json!({"Deal": 8, "TimeMsc": 1783000000000u64, "Action": 1, "Entry": 1,
            "Login": 5, "Symbol": "EURUSD", "Volume": 1234, "PositionID": 9, "Commission": "1.25"}),
        );
        // No VolumeExt: 1,234 × 10,000 = 12,340,000 (0.1234 lot).
        assert_eq!(d.volume_ext, 12_340_000);
        assert_eq!(
            (d.revenue, d.paid_to_client),
            (Decimal::ZERO, true),
            "paid to the client"
        );
    }

    #[test]
    fn rewind_goes_back_overlap_and_advance_prunes() {
        let h = 3600;
        let mut c = DealCursor::starting(0);
        for w in 1..=10 {
            c.advance(w * 6 * h, 24 * h);
        }
        // At 60 h with a 24 h overlap: checkpoints from 36 h on are kept.
        let ats: Vec<i64> = c.checkpoints.iter().map(|k| k.at / h).collect();
        assert_eq!(ats, [36, 42, 48, 54, 60]);
        c.rewind(24 * h);
        assert_eq!(
            c.from,
            36 * h,
            "back to the newest checkpoint ≥ 24 h before 60 h"
        );
        assert_eq!(c.checkpoints.len(), 1);
        // A stream younger than the overlap goes back to its start.
        let mut young = DealCursor::starting(100);
        young.advance(100 + 6 * h, 24 * h);
        young.rewind(24 * h);
        assert_eq!(young.from, 100);
    }

    #[test]
    fn old_cursors_read_their_volumes_in_volume_ext_units() {
        let c = DealCursor::read(
            r#"{"from": 5, "open": {"9": {"login": "1", "symbol": "EURUSD", "time_msc": 1, "volume": 1500, "commission": "2"}}}"#,
        )
        .unwrap();
        assert_eq!(c.open["9"].volume_ext, 15_000_000, "0.15 lot");
        assert!(c.checkpoints.is_empty());
    }
}
