//! Forex: lot rebates split up the IB tree (difference or levels) and spread share.

use super::lines::Book;
use super::Engine;
use super::HashMap;
use crate::commission::Kind;
use crate::data::TradeFigures;
use crate::period::Period;
use crate::plan::Split;
use chrono::TimeDelta;
use rust_decimal::Decimal;
use serde_json::json;
use std::collections::BTreeMap;

#[derive(Default)]
struct Lots {
    lots: Decimal,
    trades: u64,
}

#[derive(Default)]
pub(crate) struct PeriodTrades {
    /// (direct IB, brand) → instrument group → eligible lots.
    lots: BTreeMap<(usize, usize), BTreeMap<String, Lots>>,
    /// (direct IB, brand) → Σ (commission + spread_revenue), trade count.
    revenue: BTreeMap<(usize, usize), (Decimal, u64)>,
    min_hold: HashMap<(usize, usize), Option<i64>>,
    ineligible: BTreeMap<(usize, usize), u64>,
}

impl PeriodTrades {
    pub fn add(&mut self, engine: &Engine, period: Period, c: usize, t: &TradeFigures<'_>) {
        let cs = &engine.customers[c];
        let Some(ib) = cs.partner.filter(|_| cs.earns) else {
            return;
        };
        let key = (ib, cs.brand);
        let r = self.revenue.entry(key).or_default();
        r.0 += t.commission + t.spread_revenue;
        r.1 += 1;
        let min_hold = *self.min_hold.entry(key).or_insert_with(|| {
            engine
                .plan_for(ib, cs.brand, period)
                .and_then(|p| p.components.lot_rebate.as_ref())
                .map(|l| l.min_hold_seconds)
        });
        let Some(min_hold) = min_hold else { return };
        if t.held >= TimeDelta::seconds(min_hold) {
            let groups = self.lots.entry(key).or_default();
            // The group's name is copied once per group, not once per trade.
            let l = match groups.get_mut(t.instrument_group) {
                Some(l) => l,
                None => groups.entry(t.instrument_group.to_string()).or_default(),
            };
            l.lots += t.lots;
            l.trades += 1;
        } else {
            *self.ineligible.entry(key).or_default() += 1;
        }
    }

    pub fn finish(self, engine: &Engine, period: Period, book: &mut Book) {
        for ((ib, brand), (revenue, trades)) in &self.revenue {
            let Some(rule) = engine
                .plan_for(*ib, *brand, period)
                .and_then(|p| p.components.spread_share.clone())
            else {
                continue;
            };
            let e = book.entry(*ib, *brand, Kind::SpreadShare);
            e.amount += rule.rate * revenue;
            e.explanation
                .insert("basis".into(), json!(revenue.normalize().to_string()));
            e.explanation
                .insert("rate".into(), json!(rule.rate.normalize().to_string()));
            e.explanation.insert("trades".into(), json!(trades));
        }
        let lots = self
            .lots
            .iter()
            .flat_map(|((d, b), groups)| groups.iter().map(move |(g, l)| (d, b, g, l)));
        for (direct, brand, group, l) in lots {
            let Some(rule) = engine
                .plan_for(*direct, *brand, period)
                .and_then(|p| p.components.lot_rebate.clone())
            else {
                continue;
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
                            payees.push((ib, r - running_max, level));
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
                        payees.push((ib, *share * rate, level as u32));
                        node = engine.parent[ib];
                    }
                }
            }
            for (ib, per_lot, level) in payees {
                if per_lot.is_zero() {
                    continue;
                }
                let e = book.entry(ib, *brand, Kind::LotRebate);
                e.amount += per_lot * l.lots;
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
        for ((ib, brand), n) in &self.ineligible {
            if let Some(e) = book.get_mut(*ib, *brand, Kind::LotRebate) {
                e.explanation
                    .insert("trades_below_min_hold".into(), json!(n));
            }
        }
    }
}
