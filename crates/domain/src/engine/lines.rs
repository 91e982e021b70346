//! The period's book of amounts per (partner, brand, kind) in brand currency,
//! sub-partner overrides on top, then conversion and the one rounding.

use super::HashMap;
use super::{overflow, Engine, EngineError};
use crate::commission::{Explanation, Kind, Line};
use crate::money::round_cents;
use crate::period::Period;
use rust_decimal::Decimal;
use serde_json::{json, Map, Value};
use std::collections::BTreeMap;

#[derive(Default)]
pub(crate) struct Entry {
    pub amount: Decimal,
    pub explanation: Map<String, Value>,
    /// Keep the line even at 0 (it explains a carry-over).
    pub keep_if_zero: bool,
}

#[derive(Default)]
pub(crate) struct Book {
    entries: BTreeMap<(usize, usize, Kind), Entry>,
}

impl Book {
    pub fn entry(&mut self, partner: usize, brand: usize, kind: Kind) -> &mut Entry {
        self.entries.entry((partner, brand, kind)).or_default()
    }

    pub fn get_mut(&mut self, partner: usize, brand: usize, kind: Kind) -> Option<&mut Entry> {
        self.entries.get_mut(&(partner, brand, kind))
    }

    /// Adds the entries of a book kept apart for other lines (a book per
    /// vertical, or per half of the RevShare keys): books merged never share
    /// a (partner, brand, kind).
    pub fn merge(&mut self, other: Book) -> Result<(), EngineError> {
        for (key, entry) in other.entries {
            match self.entries.entry(key) {
                std::collections::btree_map::Entry::Vacant(v) => {
                    v.insert(entry);
                }
                // Not reached (the kinds differ); summed rather than lost.
                std::collections::btree_map::Entry::Occupied(mut o) => {
                    let kind = o.key().2;
                    let e = o.get_mut();
                    e.amount = e
                        .amount
                        .checked_add(entry.amount)
                        .ok_or_else(|| overflow(format!("two books' {} lines", kind.as_str())))?;
                    e.explanation.extend(entry.explanation);
                    e.keep_if_zero |= entry.keep_if_zero;
                }
            }
        }
        Ok(())
    }

    /// Converts to partner currency, rounds once, and orders the lines. The
    /// second half of the entries is converted on a thread of its own; an
    /// error is the one of the first entry in order that has one.
    pub fn into_lines(self, engine: &Engine, period: Period) -> Result<Vec<Line>, EngineError> {
        let mut first: Vec<((usize, usize, Kind), Entry)> = self.entries.into_iter().collect();
        let second = first.split_off(first.len() / 2);
        let (first, second) = std::thread::scope(|s| {
            let second = s.spawn(|| lines_of(second, engine, period));
            let first = lines_of(first, engine, period);
            let second = second
                .join()
                .unwrap_or_else(|p| std::panic::resume_unwind(p));
            (first, second)
        });
        let mut out = first?;
        out.extend(second?);
        out.sort_by(|a, b| {
            (
                a.partner_id.as_str().as_bytes(),
                a.brand_id.as_str().as_bytes(),
                a.kind.as_str().as_bytes(),
            )
                .cmp(&(
                    b.partner_id.as_str().as_bytes(),
                    b.brand_id.as_str().as_bytes(),
                    b.kind.as_str().as_bytes(),
                ))
        });
        Ok(out)
    }
}

/// The lines of `entries` (zero ones left out unless kept), unordered.
fn lines_of(
    entries: Vec<((usize, usize, Kind), Entry)>,
    engine: &Engine,
    period: Period,
) -> Result<Vec<Line>, EngineError> {
    let mut out = Vec::with_capacity(entries.len());
    for ((partner, brand, kind), e) in entries {
        if e.amount.is_zero() && !e.keep_if_zero {
            continue;
        }
        // A zero line (kept to explain a carry-over) needs no rate.
        let conv = match engine.conversion(brand, partner, period) {
            Err(_) if e.amount.is_zero() => super::Conversion {
                from: engine.brands[brand].currency,
                to: engine.partners[partner].currency,
                rate: Decimal::ONE,
                date: None,
                inverse: false,
            },
            other => other?,
        };
        let overflows = || {
            overflow(format!(
                "the {} line of {} in {period} ({} {}) converted at {}/{} {}",
                kind.as_str(),
                engine.who(partner, brand),
                e.amount,
                conv.from,
                conv.from,
                conv.to,
                conv.rate
            ))
        };
        let amount = round_cents(conv.apply(e.amount).ok_or_else(overflows)?);
        let fx_rate = conv.multiplier().ok_or_else(overflows)?;
        let mut explanation = e.explanation;
        explanation.insert(
            "amount_in_brand_currency".into(),
            json!(e.amount.normalize().to_string()),
        );
        if conv.from != conv.to {
            explanation.insert(
                    "fx".into(),
                    json!({"from": conv.from.as_str(), "to": conv.to.as_str(), "rate": conv.rate.normalize().to_string(),
                           "pair": if conv.inverse { format!("{}/{} (inverse, divided)", conv.to, conv.from) } else { format!("{}/{}", conv.from, conv.to) },
                           "date": conv.date.map(|d| d.to_string())}),
                );
        }
        out.push(Line {
            partner_id: engine.partners[partner].partner_id.clone(),
            brand_id: engine.brands[brand].id.clone(),
            period,
            kind,
            amount,
            currency: conv.to,
            amount_brand: e.amount,
            brand_currency: conv.from,
            fx_rate,
            // Written as text here, while its values are fresh in memory,
            // and freed at once (their memory goes to the next line's).
            explanation: Explanation::of(&Value::Object(explanation)),
        });
    }
    Ok(out)
}

/// Sub-partner overrides: `r_k × basis(D)` for each descendant D exactly k
/// levels below, basis = D's revshare + cpa + purchase share (brand currency,
/// unrounded, possibly negative).
pub(crate) fn overrides(
    engine: &Engine,
    period: Period,
    book: &mut Book,
) -> Result<(), EngineError> {
    let mut basis: BTreeMap<(usize, usize), Decimal> = BTreeMap::new();
    for ((partner, brand, kind), e) in &book.entries {
        if matches!(kind, Kind::Revshare | Kind::Cpa | Kind::PurchaseShare) {
            let b = basis.entry((*partner, *brand)).or_default();
            *b = b.checked_add(e.amount).ok_or_else(|| {
                overflow(format!(
                    "the override basis of {} in {period}",
                    engine.who(*partner, *brand)
                ))
            })?;
        }
    }
    let mut levels_cache: HashMap<(usize, usize), Option<Vec<Decimal>>> = HashMap::default();
    for ((d, brand), b) in basis {
        if b.is_zero() {
            continue;
        }
        let mut node = engine.parent[d];
        let mut k = 1usize;
        while let Some(a) = node {
            let levels = levels_cache.entry((a, brand)).or_insert_with(|| {
                engine
                    .plan_for(a, brand, period)
                    .and_then(|p| p.components.sub_override.as_ref())
                    .map(|o| o.levels.clone())
            });
            if let Some(rate) = levels.as_ref().and_then(|l| l.get(k - 1)).copied() {
                let e = book.entry(a, brand, Kind::SubOverride);
                e.amount = rate
                    .checked_mul(b)
                    .and_then(|x| e.amount.checked_add(x))
                    .ok_or_else(|| {
                        overflow(format!(
                            "the override of {} on partner '{}' in {period}",
                            engine.who(a, brand),
                            engine.partners[d].partner_id
                        ))
                    })?;
                let item = json!({"descendant": engine.partners[d].partner_id.as_str(), "level": k,
                    "basis": b.normalize().to_string(), "rate": rate.normalize().to_string()});
                match e.explanation.get_mut("descendants") {
                    Some(Value::Array(v)) => v.push(item),
                    _ => {
                        e.explanation.insert("descendants".into(), json!([item]));
                    }
                }
            }
            node = engine.parent[a];
            k += 1;
            if k > 10_000 {
                break; // a cycle in bad data must not hang the run
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merging_books_keeps_every_entry_of_both() {
        let mut igaming = Book::default();
        igaming.entry(0, 0, Kind::Revshare).amount = Decimal::new(1250, 2);
        igaming
            .entry(0, 0, Kind::Revshare)
            .explanation
            .insert("rate".into(), json!("0.25"));
        let mut forex = Book::default();
        forex.entry(0, 0, Kind::LotRebate).amount = Decimal::new(40, 0);
        forex.entry(1, 2, Kind::SpreadShare).keep_if_zero = true;
        igaming.merge(forex).unwrap();
        let keys: Vec<_> = igaming.entries.keys().copied().collect();
        assert_eq!(
            keys,
            [
                (0, 0, Kind::Revshare),
                (0, 0, Kind::LotRebate),
                (1, 2, Kind::SpreadShare)
            ]
        );
        let revshare = &igaming.entries[&(0, 0, Kind::Revshare)];
        assert_eq!(revshare.amount.to_string(), "12.50");
        assert_eq!(revshare.explanation["rate"], json!("0.25"));
        assert_eq!(
            igaming.entries[&(0, 0, Kind::LotRebate)].amount,
            Decimal::new(40, 0)
        );
        assert!(igaming.entries[&(1, 2, Kind::SpreadShare)].keep_if_zero);
        // The same key in both: summed, not lost.
        let mut again = Book::default();
        again.entry(0, 0, Kind::Revshare).amount = Decimal::new(50, 2);
        igaming.merge(again).unwrap();
        assert_eq!(
            igaming.entries[&(0, 0, Kind::Revshare)].amount.to_string(),
            "13.00"
        );
    }
}
