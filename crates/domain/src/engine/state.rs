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
use chrono::NaiveDate;
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
        self.restore_parsed(ParsedState::parse(text)?)
    }

    /// [`Engine::restore`] from a state parsed beforehand (on another thread
    /// while this engine was being built, say): its rows are matched by id
    /// to this engine's. On error the engine is left as it was.
    pub fn restore_parsed(&mut self, state: ParsedState<'_>) -> Result<Period, StateError> {
        if self.last.is_some() {
            return Err(StateError(
                "the engine has already computed a period".into(),
            ));
        }
        // Match everything before changing anything.
        let mut customers = Vec::with_capacity(state.customers.len());
        // A snapshot lists customers in the engine's order.
        let mut hint = 0;
        for (n, id, record) in state.customers {
            let c = self
                .customer_index_near(id, &mut hint)
                .ok_or_else(|| bad(n, format!("unknown customer '{id}'")))?;
            customers.push((c, record));
        }
        let order_ix: super::HashMap<&str, usize> = self
            .purchases
            .iter()
            .enumerate()
            .map(|(i, p)| (p.purchase.order_id.as_str(), i))
            .collect();
        let mut purchases = Vec::with_capacity(state.purchases.len());
        for (n, order, earned) in state.purchases {
            let i = order_ix
                .get(order)
                .copied()
                .ok_or_else(|| bad(n, format!("unknown purchase '{order}'")))?;
            purchases.push((i, earned));
        }
        let mut carry = super::HashMap::default();
        for (n, partner, brand, v) in state.carry {
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
            carry.insert((p, b), v);
        }
        for (c, r) in customers {
            let cs = &mut self.customers[c];
            cs.cum_deposits = r.cum_deposits;
            cs.cum_bets = r.cum_bets;
            cs.cpa_done = r.cpa_done;
            cs.ftd = r.ftd;
        }
        for (i, earned) in purchases {
            self.purchases[i].earned = earned;
        }
        self.carry = carry;
        self.last = Some(state.period);
        Ok(state.period)
    }
}

/// What a customer carries past a period.
struct CustomerRecord {
    cum_deposits: Decimal,
    cum_bets: Decimal,
    cpa_done: bool,
    ftd: Option<NaiveDate>,
}

/// A stored state read and checked record by record, with the ids it names
/// not yet matched to an engine's rows (see [`Engine::restore_parsed`]).
/// Each record keeps its line's index, for errors.
pub struct ParsedState<'t> {
    period: Period,
    customers: Vec<(usize, &'t str, CustomerRecord)>,
    purchases: Vec<(usize, &'t str, Decimal)>,
    carry: Vec<(usize, &'t str, &'t str, Decimal)>,
}

impl<'t> ParsedState<'t> {
    /// Reads a [`Engine::snapshot`]: the format, every field, every decimal and date.
    pub fn parse(text: &'t str) -> Result<Self, StateError> {
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
        let mut state = Self {
            period,
            customers: Vec::new(),
            purchases: Vec::new(),
            carry: Vec::new(),
        };
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
                    let ftd = match ftd {
                        "-" => None,
                        d => Some(
                            crate::data::parse_date("ftd", d)
                                .map_err(|e| bad(n, format!("'{d}' is not a date ({e})")))?,
                        ),
                    };
                    let cpa_done = match done {
                        "0" => false,
                        "1" => true,
                        x => return Err(bad(n, format!("'{x}' is not 0 or 1"))),
                    };
                    state.customers.push((
                        n,
                        id,
                        CustomerRecord {
                            cum_deposits: dec(n, dep)?,
                            cum_bets: dec(n, bets)?,
                            cpa_done,
                            ftd,
                        },
                    ));
                }
                (3, "p") => {
                    let [_, order, earned, ..] = f;
                    state.purchases.push((n, order, dec(n, earned)?));
                }
                (4, "k") => {
                    let [_, partner, brand, v, ..] = f;
                    state.carry.push((n, partner, brand, dec(n, v)?));
                }
                _ => return Err(bad(n, "not a state record")),
            }
        }
        Ok(state)
    }

    /// The period the state was taken after.
    pub fn period(&self) -> Period {
        self.period
    }
}
