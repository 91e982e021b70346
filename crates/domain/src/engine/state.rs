//! What the engine carries from one period to the next, as text that can be
//! stored after a period and restored into a fresh engine, so a later run
//! starts at the first period whose data changed instead of the first one.
//!
//! The text names customers, purchases, partners and brands by id (never by
//! position), so it stays meaningful while the world it was taken from gains
//! rows; anything it names that the world does not know is an error and the
//! caller computes from the first period instead.
//!
//! Format (one record per line, fields separated by tabs; ids never contain
//! control characters):
//! ```text
//! partnerdesk-engine-state 1
//! period  2026-07
//! c       <customer_id> <cum_deposits> <cum_bets> <cpa_done 0|1> <ftd YYYY-MM-DD|->
//! p       <order_id> <earned>
//! k       <partner_id> <brand_id> <carry>
//! ```

use super::Engine;
use crate::period::Period;
use rust_decimal::Decimal;
use std::fmt::Write as _;
use std::str::FromStr;

const HEADER: &str = "partnerdesk-engine-state 1";

/// A stored state that cannot be restored (written by another version, or
/// naming rows the world does not have).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("engine state cannot be restored: {0}")]
pub struct StateError(pub String);

fn bad(line: usize, what: impl std::fmt::Display) -> StateError {
    StateError(format!("line {}: {what}", line + 1))
}

fn dec(line: usize, s: &str) -> Result<Decimal, StateError> {
    Decimal::from_str(s).map_err(|e| bad(line, format!("'{s}' is not a decimal ({e})")))
}

impl Engine {
    /// The period last computed, if any.
    pub fn last_period(&self) -> Option<Period> {
        self.last
    }

    /// The state carried past the last computed period, as text (None before any period).
    pub fn snapshot(&self) -> Option<String> {
        let last = self.last?;
        let mut out = String::with_capacity(64 + self.customers.len() * 16);
        let _ = writeln!(out, "{HEADER}");
        let _ = writeln!(out, "period\t{last}");
        for c in &self.customers {
            if c.cum_deposits.is_zero() && c.cum_bets.is_zero() && !c.cpa_done && c.ftd.is_none() {
                continue;
            }
            let _ = write!(
                out,
                "c\t{}\t{}\t{}\t{}\t",
                c.id.as_str(),
                c.cum_deposits,
                c.cum_bets,
                u8::from(c.cpa_done)
            );
            match c.ftd {
                Some(d) => {
                    let _ = writeln!(out, "{d}");
                }
                None => out.push_str("-\n"),
            }
        }
        for p in &self.purchases {
            if !p.earned.is_zero() {
                let _ = writeln!(out, "p\t{}\t{}", p.purchase.order_id.as_str(), p.earned);
            }
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
        for (p, b, v) in carry {
            let _ = writeln!(out, "k\t{p}\t{b}\t{v}");
        }
        Some(out)
    }

    /// Loads a [`Engine::snapshot`] into an engine that has computed nothing
    /// yet; the next period to compute is the one after the snapshot's.
    /// On error the engine is left as it was.
    pub fn restore(&mut self, text: &str) -> Result<Period, StateError> {
        if self.last.is_some() {
            return Err(StateError(
                "the engine has already computed a period".into(),
            ));
        }
        let mut lines = text.lines().enumerate();
        match lines.next() {
            Some((_, h)) if h == HEADER => {}
            _ => return Err(StateError("unknown format".into())),
        }
        let period = match lines.next() {
            Some((n, l)) => {
                let p = l
                    .strip_prefix("period\t")
                    .ok_or_else(|| bad(n, "expected the period"))?;
                Period::parse("period", p).map_err(|e| bad(n, e))?
            }
            None => return Err(StateError("no period".into())),
        };
        // Validate everything before changing anything.
        let mut customers = Vec::new();
        let mut purchases = Vec::new();
        let mut carry = super::HashMap::default();
        let order_ix: super::HashMap<&str, usize> = self
            .purchases
            .iter()
            .enumerate()
            .map(|(i, p)| (p.purchase.order_id.as_str(), i))
            .collect();
        for (n, l) in lines {
            // At most six fields: no record has more, so a seventh is refused below.
            let mut split = l.splitn(7, '\t');
            let mut f: [&str; 7] = [""; 7];
            let mut count = 0;
            for (slot, field) in f.iter_mut().zip(&mut split) {
                *slot = field;
                count += 1;
            }
            match (count, f[0]) {
                (6, "c") => {
                    let [_, id, dep, bets, done, ftd, _] = f;
                    let c = self
                        .customer_ix
                        .get(id)
                        .copied()
                        .ok_or_else(|| bad(n, format!("unknown customer '{id}'")))?;
                    let ftd = match ftd {
                        "-" => None,
                        d => Some(
                            crate::data::parse_date("ftd", d)
                                .map_err(|e| bad(n, format!("'{d}' is not a date ({e})")))?,
                        ),
                    };
                    let done = match done {
                        "0" => false,
                        "1" => true,
                        x => return Err(bad(n, format!("'{x}' is not 0 or 1"))),
                    };
                    customers.push((c, dec(n, dep)?, dec(n, bets)?, done, ftd));
                }
                (3, "p") => {
                    let [_, order, earned, ..] = f;
                    let i = order_ix
                        .get(order)
                        .copied()
                        .ok_or_else(|| bad(n, format!("unknown purchase '{order}'")))?;
                    purchases.push((i, dec(n, earned)?));
                }
                (4, "k") => {
                    let [_, partner, brand, v, ..] = f;
                    let p = self
                        .partner_ix
                        .get(partner)
                        .copied()
                        .ok_or_else(|| bad(n, format!("unknown partner '{partner}'")))?;
                    let b = self
                        .brand_ix
                        .get(brand)
                        .copied()
                        .ok_or_else(|| bad(n, format!("unknown brand '{brand}'")))?;
                    carry.insert((p, b), dec(n, v)?);
                }
                _ => return Err(bad(n, "not a state record")),
            }
        }
        for (c, dep, bets, done, ftd) in customers {
            let cs = &mut self.customers[c];
            cs.cum_deposits = dep;
            cs.cum_bets = bets;
            cs.cpa_done = done;
            cs.ftd = ftd;
        }
        for (i, earned) in purchases {
            self.purchases[i].earned = earned;
        }
        self.carry = carry;
        self.last = Some(period);
        Ok(period)
    }
}
