//! What the engine carries from one period to the next, as a compact binary
//! record that can be stored after a period and restored into a fresh
//! engine, so a later run starts at the first period whose data changed
//! instead of the first one.
//!
//! The record names customers, purchases, partners and brands by id (never
//! by position), so it stays meaningful while the world it was taken from
//! gains rows; anything it names that the world does not know, and any byte
//! out of place, is an error and the caller computes from the first period
//! instead.
//!
//! Layout (see `bytes` for varints, decimals and ids written after the one
//! before them): `PDES`, version (u32 LE); the period (varint-length text);
//! the customers with anything to carry, in the engine's order (a varint
//! count, then each: id after the previous customer's, cumulative deposits,
//! cumulative bets, a flags byte (1: CPA paid, 2: has an FTD), the FTD as i32
//! LE days from 0001-01-01 when it has one); the purchases that earned (a
//! count, then each: order id after the previous one's, earned); the
//! carry-over (a count, then each: partner id, brand id, amount). Nothing
//! follows.

use super::bytes::{put_dec, put_id_after, put_str, put_varint, Malformed, Reader};
use super::{Carried, Engine};
use crate::period::Period;
use chrono::{Datelike, NaiveDate};
use rust_decimal::Decimal;
use std::ops::Range;

const MAGIC: &[u8; 4] = b"PDES";
const VERSION: u32 = 2;
const CPA_DONE: u8 = 1;
const HAS_FTD: u8 = 2;

/// A stored state that cannot be restored (written by another version, or
/// naming rows the world does not have).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("engine state cannot be restored: {0}")]
pub struct StateError(pub String);

fn bad(what: &str, n: usize, why: impl std::fmt::Display) -> StateError {
    StateError(format!("{what} record {}: {why}", n + 1))
}

impl From<Malformed> for StateError {
    fn from(m: Malformed) -> Self {
        StateError(m.0)
    }
}

impl Engine {
    /// The period last computed, if any.
    pub fn last_period(&self) -> Option<Period> {
        self.last
    }

    /// The state carried past the last computed period (None before any period).
    pub fn snapshot(&self) -> Option<Vec<u8>> {
        let last = self.last?;
        let mut out = Vec::with_capacity(64 + self.customers.len() * 8);
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&VERSION.to_le_bytes());
        put_str(&mut out, &last.to_string());
        let something = |k: &Carried| {
            !(k.cum_deposits.is_zero() && k.cum_bets.is_zero() && !k.cpa_done && k.ftd.is_none())
        };
        put_varint(
            &mut out,
            self.carried.iter().filter(|k| something(k)).count() as u64,
        );
        let mut prev = "";
        for ((id, _), k) in self.customers.iter().zip(&self.carried) {
            if !something(k) {
                continue;
            }
            put_id_after(&mut out, prev, id);
            prev = id;
            put_dec(&mut out, k.cum_deposits);
            put_dec(&mut out, k.cum_bets);
            let flags =
                if k.cpa_done { CPA_DONE } else { 0 } | if k.ftd.is_some() { HAS_FTD } else { 0 };
            out.push(flags);
            if let Some(d) = k.ftd {
                out.extend_from_slice(&d.num_days_from_ce().to_le_bytes());
            }
        }
        let earned = |p: &&super::PurchaseState| !p.earned.is_zero();
        let (elsewhere_ids, elsewhere) = &self.earned_elsewhere;
        put_varint(
            &mut out,
            (self.purchases.iter().filter(earned).count() + elsewhere.len()) as u64,
        );
        let mut prev = "";
        let earned = self
            .purchases
            .iter()
            .filter(earned)
            .map(|p| (p.purchase.order_id.as_str(), p.earned));
        let kept = elsewhere
            .iter()
            .map(|(at, v)| (elsewhere_ids.get(at.clone()).unwrap_or_default(), *v));
        for (order, v) in earned.chain(kept) {
            put_id_after(&mut out, prev, order);
            prev = order;
            put_dec(&mut out, v);
        }
        let mut carry: Vec<(&str, &str, Decimal)> = self
            .carry
            .iter()
            .map(|(&(p, b), &v)| {
                (
                    self.partners[p].partner_id.as_str(),
                    self.brands[b].id.as_str(),
                    v,
                )
            })
            .collect();
        carry.sort();
        put_varint(&mut out, carry.len() as u64);
        for (p, b, v) in carry {
            put_str(&mut out, p);
            put_str(&mut out, b);
            put_dec(&mut out, v);
        }
        Some(out)
    }

    /// Loads a [`Engine::snapshot`] into an engine that has computed nothing
    /// yet; the next period to compute is the one after the snapshot's.
    /// On error the engine is left as it was.
    pub fn restore(&mut self, bytes: &[u8]) -> Result<Period, StateError> {
        self.restore_parsed(ParsedState::parse(bytes)?)
    }

    /// [`Engine::restore`] from a state parsed beforehand (on another thread
    /// while this engine was being built, say): its records are matched by
    /// id to this engine's rows. On error the engine is left as it was.
    pub fn restore_parsed(&mut self, state: ParsedState) -> Result<Period, StateError> {
        if self.last.is_some() {
            return Err(StateError(
                "the engine has already computed a period".into(),
            ));
        }
        // Match everything before changing anything: the customers on this
        // thread, the purchases on another (each a few hundredths of a
        // second at L); an error is the customers' first.
        let ParsedState {
            period,
            ids,
            customers: stored_customers,
            purchases: stored_purchases,
            carry: stored_carry,
        } = state;
        // A partial world holds the purchases of a run from the period after the state's.
        if let Some(from) = self.purchases_from.filter(|f| period.next() != *f) {
            return Err(StateError(format!(
                "it was stored for {period}, but the purchases were read for a run from {from}"
            )));
        }
        let partial = self.purchases_from.is_some();
        let engine: &Engine = self;
        let (customers, purchases) = std::thread::scope(|s| {
            let purchases = s.spawn(|| {
                let order_ix: super::HashMap<&str, usize> = engine
                    .purchases
                    .iter()
                    .enumerate()
                    .map(|(i, p)| (p.purchase.order_id.as_str(), i))
                    .collect();
                // Matched, and (in a partial world) those left out of it.
                let mut matched = Vec::with_capacity(stored_purchases.len());
                let mut elsewhere = Vec::new();
                for (n, (at, earned)) in stored_purchases.into_iter().enumerate() {
                    let order = ids.get(at.clone()).unwrap_or_default();
                    match order_ix.get(order) {
                        Some(&i) => matched.push((i, earned)),
                        None if partial => elsewhere.push((at, earned)),
                        None => {
                            return Err(bad("purchase", n, format!("unknown purchase '{order}'")))
                        }
                    }
                }
                Ok((matched, elsewhere))
            });
            // A snapshot lists customers in the engine's order.
            let mut hint = 0;
            let customers: Result<Vec<_>, StateError> = stored_customers
                .into_iter()
                .enumerate()
                .map(|(n, (at, record))| {
                    let id = ids.get(at).unwrap_or_default();
                    engine
                        .customer_index_near(id, &mut hint)
                        .map(|c| (c, record))
                        .ok_or_else(|| bad("customer", n, format!("unknown customer '{id}'")))
                })
                .collect();
            let purchases = purchases
                .join()
                .unwrap_or_else(|p| std::panic::resume_unwind(p));
            (customers, purchases)
        });
        let (customers, purchases) = (customers?, purchases?);
        let mut carry = super::HashMap::default();
        for (n, (partner, brand, v)) in stored_carry.into_iter().enumerate() {
            let p = self
                .partner_ix
                .get(partner.as_str())
                .copied()
                .ok_or_else(|| bad("carry-over", n, format!("unknown partner '{partner}'")))?;
            let b = self
                .brand_ix
                .get(brand.as_str())
                .copied()
                .ok_or_else(|| bad("carry-over", n, format!("unknown brand '{brand}'")))?;
            carry.insert((p, b), v);
        }
        for (c, r) in customers {
            self.carried[c] = r;
        }
        let (purchases, elsewhere) = purchases;
        for (i, earned) in purchases {
            self.purchases[i].earned = earned;
        }
        self.earned_elsewhere = match elsewhere.is_empty() {
            true => Default::default(),
            false => (ids, elsewhere),
        };
        self.carry = carry;
        self.last = Some(period);
        Ok(period)
    }
}

/// A stored state read and checked record by record, with the ids it names
/// not yet matched to an engine's rows (see [`Engine::restore_parsed`]).
pub struct ParsedState {
    period: Period,
    /// The customer and order ids, one after the other; records hold their ranges.
    ids: String,
    customers: Vec<(Range<usize>, Carried)>,
    purchases: Vec<(Range<usize>, Decimal)>,
    carry: Vec<(String, String, Decimal)>,
}

impl ParsedState {
    /// Reads a [`Engine::snapshot`]: the format, every field, every decimal and date.
    pub fn parse(bytes: &[u8]) -> Result<Self, StateError> {
        let mut r = Reader::new(bytes);
        if r.take(4).ok() != Some(MAGIC.as_slice()) {
            return Err(StateError("unknown format".into()));
        }
        let version = r.u32()?;
        if version != VERSION {
            return Err(StateError(format!(
                "written in format {version}, not {VERSION}"
            )));
        }
        let period = Period::parse("period", r.str()?).map_err(|e| StateError(e.to_string()))?;
        let mut ids: Vec<u8> = Vec::new();
        let mut id = Vec::new();
        // Each id into `ids`, checked to be text; its range there.
        fn next_id(
            r: &mut Reader<'_>,
            id: &mut Vec<u8>,
            ids: &mut Vec<u8>,
        ) -> Result<Range<usize>, Malformed> {
            r.id_after(id)?;
            std::str::from_utf8(id).map_err(|_| Malformed("an id is not UTF-8".into()))?;
            let start = ids.len();
            ids.extend_from_slice(id);
            Ok(start..ids.len())
        }
        // A customer record takes at least 5 bytes, a purchase 3.
        let n = r.count(5)?;
        let mut customers = Vec::with_capacity(n);
        for i in 0..n {
            let range = next_id(&mut r, &mut id, &mut ids).map_err(|e| bad("customer", i, e.0))?;
            let (cum_deposits, cum_bets, flags) =
                (|| Ok::<_, Malformed>((r.dec()?, r.dec()?, r.u8()?)))()
                    .map_err(|e| bad("customer", i, e.0))?;
            if flags & !(CPA_DONE | HAS_FTD) != 0 {
                return Err(bad("customer", i, format!("unknown flags {flags}")));
            }
            let ftd = match flags & HAS_FTD {
                0 => None,
                _ => {
                    let days = r.i32().map_err(|e| bad("customer", i, e.0))?;
                    Some(
                        NaiveDate::from_num_days_from_ce_opt(days)
                            .ok_or_else(|| bad("customer", i, "the FTD is not a date"))?,
                    )
                }
            };
            customers.push((
                range,
                Carried {
                    cum_deposits,
                    cum_bets,
                    cpa_done: flags & CPA_DONE != 0,
                    ftd,
                },
            ));
        }
        let n = r.count(3)?;
        let mut purchases = Vec::with_capacity(n);
        id.clear();
        for i in 0..n {
            let range = next_id(&mut r, &mut id, &mut ids).map_err(|e| bad("purchase", i, e.0))?;
            let earned = r.dec().map_err(|e| bad("purchase", i, e.0))?;
            purchases.push((range, earned));
        }
        let n = r.count(4)?;
        let mut carry = Vec::with_capacity(n);
        for i in 0..n {
            let record =
                (|| Ok::<_, Malformed>((r.str()?.to_string(), r.str()?.to_string(), r.dec()?)))()
                    .map_err(|e| bad("carry-over", i, e.0))?;
            carry.push(record);
        }
        if !r.bytes.is_empty() {
            return Err(StateError("it has bytes after its last record".into()));
        }
        let ids = String::from_utf8(ids).map_err(|_| StateError("an id is not UTF-8".into()))?;
        Ok(Self {
            period,
            ids,
            customers,
            purchases,
            carry,
        })
    }

    /// The period the state was taken after.
    pub fn period(&self) -> Period {
        self.period
    }
}
