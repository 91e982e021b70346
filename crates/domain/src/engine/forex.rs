//! Forex: lot rebates split up the IB tree (difference or levels) and spread share.

use super::lines::Book;
use super::HashMap;
use super::{overflow, Engine, EngineError};
use crate::commission::Kind;
use crate::data::TradeFigures;
use crate::period::Period;
use crate::plan::Split;
use chrono::TimeDelta;
use rust_decimal::Decimal;
use serde_json::json;

#[derive(Default)]
struct Lots {
    lots: Decimal,
    trades: u64,
}

/// Hashed while trades are added (one lookup per trade), put in key order
/// when the lines are booked.
#[derive(Default)]
pub(crate) struct PeriodTrades {
    /// (direct IB, brand) → eligible lots per instrument group (a handful).
    lots: HashMap<(usize, usize), Vec<(String, Lots)>>,
    /// (direct IB, brand) → Σ (commission + spread_revenue), trade count.
    revenue: HashMap<(usize, usize), (Decimal, u64)>,
    min_hold: HashMap<(usize, usize), Option<i64>>,
    ineligible: HashMap<(usize, usize), u64>,
}

/// A map's entries in key order.
fn in_order<K: Ord, V>(map: &HashMap<K, V>) -> Vec<(&K, &V)> {
    let mut entries: Vec<(&K, &V)> = map.iter().collect();
    entries.sort_unstable_by_key(|(k, _)| *k);
    entries
}

impl PeriodTrades {
    pub fn add(
        &mut self,
        engine: &Engine,
        period: Period,
        c: usize,
        t: &TradeFigures<'_>,
    ) -> Result<(), EngineError> {
        let cs = &engine.customers[c];
        let Some(ib) = cs.partner.filter(|_| cs.earns) else {
            return Ok(());
        };
        let key = (ib, cs.brand);
        let overflows = || {
            overflow(format!(
                "trade '{}' of customer '{}' summed with the {period} trades of {}",
                t.trade_id,
                engine.customers.id(c),
                engine.who(ib, cs.brand)
            ))
        };
        let r = self.revenue.entry(key).or_default();
        r.0 = t
            .commission
            .checked_add(t.spread_revenue)
            .and_then(|revenue| r.0.checked_add(revenue))
            .ok_or_else(overflows)?;
        r.1 += 1;
        let min_hold = *self.min_hold.entry(key).or_insert_with(|| {
            engine
                .plan_for(ib, cs.brand, period)
                .and_then(|p| p.components.lot_rebate.as_ref())
                .map(|l| l.min_hold_seconds)
        });
        let Some(min_hold) = min_hold else {
            return Ok(());
        };
        if t.held >= TimeDelta::seconds(min_hold) {
            let groups = self.lots.entry(key).or_default();
            // The group's name is copied once per group, not once per trade.
            let at = match groups.iter().position(|(g, _)| g == t.instrument_group) {
                Some(at) => at,
                None => {
                    groups.push((t.instrument_group.to_string(), Lots::default()));
                    groups.len() - 1
                }
            };
            let l = &mut groups[at].1;
            l.lots = l.lots.checked_add(t.lots).ok_or_else(overflows)?;
            l.trades += 1;
        } else {
            *self.ineligible.entry(key).or_default() += 1;
        }
        Ok(())
    }

    pub fn finish(
        self,
        engine: &Engine,
        period: Period,
        book: &mut Book,
    ) -> Result<(), EngineError> {
        for ((ib, brand), (revenue, trades)) in in_order(&self.revenue) {
            let Some(rule) = engine
                .plan_for(*ib, *brand, period)
                .and_then(|p| p.components.spread_share.as_ref())
            else {
                continue;
            };
            let e = book.entry(*ib, *brand, Kind::SpreadShare);
            e.amount = rule
                .rate
                .checked_mul(*revenue)
                .and_then(|a| e.amount.checked_add(a))
                .ok_or_else(|| {
                    overflow(format!(
                        "the spread share of {} in {period} ({trades} trades)",
                        engine.who(*ib, *brand)
                    ))
                })?;
            e.explanation
                .insert("basis".into(), json!(revenue.normalize().to_string()));
            e.explanation
                .insert("rate".into(), json!(rule.rate.normalize().to_string()));
            e.explanation.insert("trades".into(), json!(trades));
        }
        let lots = in_order(&self.lots)
            .into_iter()
            .flat_map(|((d, b), groups)| {
                let mut groups: Vec<&(String, Lots)> = groups.iter().collect();
                groups.sort_unstable_by(|x, y| x.0.cmp(&y.0));
                groups.into_iter().map(move |(g, l)| (d, b, g, l))
            });
        for (direct, brand, group, l) in lots {
            let Some(rule) = engine
                .plan_for(*direct, *brand, period)
                .and_then(|p| p.components.lot_rebate.as_ref())
            else {
                continue;
            };
            let overflows = || {
                overflow(format!(
                    "the lot rebates of {} lots of {group} traded under {} in {period}",
                    l.lots,
                    engine.who(*direct, *brand)
                ))
            };
            let mut payees: Vec<(usize, Decimal, u32)> = Vec::new(); // (IB, rate per lot earned, levels up)
            match rule.split {
                Split::Difference => {
                    let mut running_max = Decimal::ZERO;
                    let mut node = Some(*direct);
                    let mut level = 0u32;
                    while let Some(ib) = node {
                        let Some(own) = engine
                            .plan_for(ib, *brand, period)
                            .and_then(|p| p.components.lot_rebate.as_ref())
                        else {
                            break;
                        };
                        let r = own.rates.get(group).copied().unwrap_or_default();
                        if r > running_max {
                            let gained = r.checked_sub(running_max).ok_or_else(overflows)?;
                            payees.push((ib, gained, level));
                            running_max = r;
                        }
                        node = engine.parent[ib];
                        level += 1;
                    }
                }
                Split::Levels => {
                    let rate = rule.rates.get(group).copied().unwrap_or_default();
                    let mut node = Some(*direct);
                    for (level, share) in rule.level_shares.iter().enumerate() {
                        let Some(ib) = node else { break };
                        let per_lot = share.checked_mul(rate).ok_or_else(overflows)?;
                        payees.push((ib, per_lot, level as u32));
                        node = engine.parent[ib];
                    }
                }
            }
            for (ib, per_lot, level) in payees {
                if per_lot.is_zero() {
                    continue;
                }
                let e = book.entry(ib, *brand, Kind::LotRebate);
                e.amount = per_lot
                    .checked_mul(l.lots)
                    .and_then(|a| e.amount.checked_add(a))
                    .ok_or_else(overflows)?;
                let item = json!({"from_ib": engine.partners[*direct].partner_id.as_str(), "levels_up": level,
                    "instrument_group": group, "lots": l.lots.normalize().to_string(), "trades": l.trades,
                    "split": if rule.split == Split::Difference {"difference"} else {"levels"},
                    "rate_per_lot": per_lot.normalize().to_string()});
                match e.explanation.get_mut("sources") {
                    Some(serde_json::Value::Array(a)) => a.push(item),
                    _ => {
                        e.explanation.insert("sources".into(), json!([item]));
                    }
                }
            }
        }
        for ((ib, brand), n) in in_order(&self.ineligible) {
            if let Some(e) = book.get_mut(*ib, *brand, Kind::LotRebate) {
                e.explanation
                    .insert("trades_below_min_hold".into(), json!(n));
            }
        }
        Ok(())
    }
}
