//! iGaming: NGR, FTDs, RevShare with tiers and carry-over, CPA qualification.

use super::lines::Book;
use super::HashMap;
use super::{overflow, Carried, Engine, EngineError};
use crate::commission::Kind;
use crate::data::DayAmounts;
use crate::period::Period;
use crate::plan::{Cpa, RevShare, TierMetric, TierMode};
use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde_json::json;
use std::collections::BTreeSet;

#[derive(Default, Clone)]
pub(crate) struct Sums {
    pub deposits: Decimal,
    pub withdrawals: Decimal,
    pub bets: Decimal,
    pub wins: Decimal,
    pub bonuses: Decimal,
    pub chargebacks: Decimal,
    pub taxes: Decimal,
    pub rows: u64,
}

/// The period's activity, gathered row by row.
#[derive(Default)]
pub(crate) struct PeriodActivity {
    /// (partner, brand) → sums over its own earning customers.
    sums: HashMap<(usize, usize), Sums>,
    /// Customers without an FTD yet → their first deposit day in this period.
    ftd: HashMap<usize, NaiveDate>,
    /// CPA candidates' days (customer, date, deposits, bets), in the order
    /// they came; put in customer and date order at the end.
    cpa_days: Vec<(usize, NaiveDate, Decimal, Decimal)>,
    has_cpa: HashMap<(usize, usize), bool>,
}

impl Sums {
    /// Adds a day's amounts; None when a sum would overflow (then nothing
    /// is added).
    fn add(&mut self, row: &DayAmounts) -> Option<()> {
        let next = Sums {
            deposits: self.deposits.checked_add(row.deposits)?,
            withdrawals: self.withdrawals.checked_add(row.withdrawals)?,
            bets: self.bets.checked_add(row.bets)?,
            wins: self.wins.checked_add(row.wins)?,
            bonuses: self.bonuses.checked_add(row.bonuses)?,
            chargebacks: self.chargebacks.checked_add(row.chargebacks)?,
            taxes: self.taxes.checked_add(row.taxes)?,
            rows: self.rows + 1,
        };
        *self = next;
        Some(())
    }
}

impl PeriodActivity {
    pub fn add(
        &mut self,
        engine: &Engine,
        carried: &mut [Carried],
        period: Period,
        c: usize,
        row: &DayAmounts,
    ) -> Result<(), EngineError> {
        let (partner, brand) = {
            let cs = &engine.customers[c];
            match cs.partner {
                Some(p) if cs.earns => (p, cs.brand),
                _ => return Ok(()), // unattributed or excluded: earns nobody anything
            }
        };
        let row_overflows = || {
            overflow(format!(
                "the activity of customer '{}' on {} summed with the {} of {}",
                engine.customers.id(c),
                row.date,
                period,
                engine.who(partner, brand)
            ))
        };
        let s = self.sums.entry((partner, brand)).or_default();
        s.add(row).ok_or_else(row_overflows)?;

        let k = &carried[c];
        if k.ftd.is_none() && row.deposits > Decimal::ZERO {
            let d = self.ftd.entry(c).or_insert(row.date);
            if row.date < *d {
                *d = row.date;
            }
        }
        if k.cpa_done {
            return Ok(());
        }
        let candidate = match self.has_cpa.get(&(partner, brand)) {
            Some(&b) => b,
            None => {
                let b = engine
                    .plan_for(partner, brand, period)
                    .is_some_and(|p| p.components.cpa.is_some());
                self.has_cpa.insert((partner, brand), b);
                b
            }
        };
        if candidate {
            self.cpa_days.push((c, row.date, row.deposits, row.bets));
        } else if row.date >= engine.customers[c].registered {
            // Sums keep running over days that are not candidates.
            let k = &mut carried[c];
            k.cum_deposits = k
                .cum_deposits
                .checked_add(row.deposits)
                .ok_or_else(row_overflows)?;
            k.cum_bets = k.cum_bets.checked_add(row.bets).ok_or_else(row_overflows)?;
        }
        Ok(())
    }

    /// Books the period's CPA and RevShare lines, moving what customers
    /// carry (`carried`) and the RevShare carry-over (`carry`) past it.
    pub fn finish(
        self,
        engine: &Engine,
        carried: &mut [Carried],
        carry: &mut HashMap<(usize, usize), Decimal>,
        period: Period,
        book: &mut Book,
    ) -> Result<(), EngineError> {
        let mut ftds: HashMap<(usize, usize), u64> = HashMap::default();
        for (c, day) in &self.ftd {
            carried[*c].ftd = Some(*day);
            let cs = &engine.customers[*c];
            if let Some(p) = cs.partner {
                *ftds.entry((p, cs.brand)).or_default() += 1;
            }
        }
        cpa(engine, carried, period, self.cpa_days, book)?;
        revshare(engine, carry, period, &self.sums, &ftds, book)
    }
}

fn cpa(
    engine: &Engine,
    carried: &mut [Carried],
    period: Period,
    mut days: Vec<(usize, NaiveDate, Decimal, Decimal)>,
    book: &mut Book,
) -> Result<(), EngineError> {
    // (partner, brand) → qualifiers (day, customer)
    let mut qualified: HashMap<(usize, usize), Vec<(NaiveDate, usize)>> = HashMap::default();
    // Each customer's days together, by date (a stable sort: days of the
    // same date keep the order they came in).
    days.sort_by_key(|(c, d, _, _)| (*c, *d));
    for rows in days.chunk_by(|a, b| a.0 == b.0) {
        let c = rows[0].0;
        let rows = rows.iter().map(|(_, d, dep, bets)| (*d, *dep, *bets));
        let (partner, brand) = match engine.customers[c].partner {
            Some(p) => (p, engine.customers[c].brand),
            None => continue,
        };
        let Some(rule) = engine
            .plan_for(partner, brand, period)
            .and_then(|p| p.components.cpa.as_ref())
        else {
            continue;
        };
        let cs = &engine.customers[c];
        let k = &mut carried[c];
        for (day, deposits, bets) in rows {
            if day < cs.registered {
                continue; // sums run from the registration date on
            }
            let cumulative = || {
                overflow(format!(
                    "the cumulative CPA sums of customer '{}' on {day} ({})",
                    engine.customers.id(c),
                    engine.who(partner, brand)
                ))
            };
            k.cum_deposits = k
                .cum_deposits
                .checked_add(deposits)
                .ok_or_else(cumulative)?;
            k.cum_bets = k.cum_bets.checked_add(bets).ok_or_else(cumulative)?;
            if qualifies(
                &rule,
                cs.registered,
                day,
                k.cum_deposits,
                k.cum_bets,
                cs.country,
            ) {
                k.cpa_done = true;
                qualified
                    .entry((partner, brand))
                    .or_default()
                    .push((day, c));
                break;
            }
        }
    }
    let mut keys: Vec<_> = qualified.keys().copied().collect();
    keys.sort();
    for key in keys {
        let mut q = qualified.remove(&key).unwrap_or_default();
        q.sort_by(|a, b| {
            a.0.cmp(&b.0).then_with(|| {
                engine
                    .customers
                    .id(a.1)
                    .as_bytes()
                    .cmp(engine.customers.id(b.1).as_bytes())
            })
        });
        let Some(rule) = engine
            .plan_for(key.0, key.1, period)
            .and_then(|p| p.components.cpa.as_ref())
        else {
            continue;
        };
        let cap = rule
            .cap_per_period
            .map(|n| n as usize)
            .unwrap_or(usize::MAX);
        let entry = book.entry(key.0, key.1, Kind::Cpa);
        let mut paid = Vec::new();
        let mut capped = Vec::new();
        for (i, (day, c)) in q.into_iter().enumerate() {
            let cs = &engine.customers[c];
            if i < cap {
                // An unknown country has no geo amount: the plan's amount.
                let amount = cs
                    .country
                    .and_then(|country| rule.geo_amounts.get(&country).copied())
                    .unwrap_or(rule.amount);
                entry.amount = entry.amount.checked_add(amount).ok_or_else(|| {
                    overflow(format!(
                        "the CPA of {} in {period}",
                        engine.who(key.0, key.1)
                    ))
                })?;
                paid.push(json!({"customer_id": engine.customers.id(c), "qualified_on": day.to_string(), "country": cs.country.as_ref().map_or("", |c| c.as_str()), "amount": amount.normalize().to_string()}));
            } else {
                capped.push(
                    json!({"customer_id": engine.customers.id(c), "qualified_on": day.to_string()}),
                );
            }
        }
        entry
            .explanation
            .insert("qualifiers".into(), json!(paid.len()));
        entry.explanation.insert("customers".into(), json!(paid));
        if !capped.is_empty() {
            entry
                .explanation
                .insert("cap_per_period".into(), json!(rule.cap_per_period));
            entry
                .explanation
                .insert("capped_customers".into(), json!(capped));
        }
    }
    Ok(())
}

/// Does a day qualify a customer for CPA under `rule`?
pub(crate) fn qualifies(
    rule: &Cpa,
    registered: NaiveDate,
    day: NaiveDate,
    cum_deposits: Decimal,
    cum_bets: Decimal,
    country: Option<crate::codes::CountryCode>,
) -> bool {
    let day_number = (day - registered).num_days() + 1;
    let in_window = rule.window_days.is_none_or(|w| day_number <= i64::from(w));
    let deposits_ok =
        cum_deposits > Decimal::ZERO && rule.min_deposits.is_none_or(|m| cum_deposits >= m);
    in_window
        && deposits_ok
        && cum_bets >= rule.min_bets
        // An unknown country matches no list (RULES.md).
        && (rule.countries.is_empty() || country.is_some_and(|c| rule.countries.contains(&c)))
}

/// NGR from a period's sums under a revshare component's fees: (GGR,
/// NGR before the admin fee, NGR); None when a step would overflow.
pub(crate) fn ngr(s: &Sums, r: &RevShare) -> Option<(Decimal, Decimal, Decimal)> {
    let ggr = s.bets.checked_sub(s.wins)?;
    let payment_fees = r
        .payment_fee_rate
        .checked_mul(s.deposits.checked_add(s.withdrawals)?)?;
    let pre = ggr
        .checked_sub(s.bonuses)?
        .checked_sub(s.chargebacks)?
        .checked_sub(s.taxes)?
        .checked_sub(payment_fees)?;
    let ngr = if pre > Decimal::ZERO {
        pre.checked_mul(Decimal::ONE.checked_sub(r.admin_fee_rate)?)?
    } else {
        pre
    };
    Some((ggr, pre, ngr))
}

/// The commission on `effective` (> 0) and a description of the rate
/// used; None when it would overflow.
pub(crate) fn revshare_commission(
    r: &RevShare,
    effective: Decimal,
    ftds: u64,
    ngr: Decimal,
) -> Option<(Decimal, serde_json::Value)> {
    let Some(tiers) = &r.tiers else {
        let rate = r.rate.unwrap_or_default();
        return Some((
            effective.checked_mul(rate)?,
            json!({"rate": rate.normalize().to_string()}),
        ));
    };
    match r.tier_mode {
        TierMode::Flat => {
            let metric = match r.tier_metric {
                TierMetric::Ftds => Decimal::from(ftds),
                TierMetric::Ngr => ngr,
            };
            let tier = tiers.iter().rev().find(|t| t.from <= metric);
            let rate = tier.map(|t| t.rate).unwrap_or_default();
            Some((
                effective.checked_mul(rate)?,
                json!({"tier_mode": "flat", "tier_metric": if r.tier_metric == TierMetric::Ftds {"ftds"} else {"ngr"},
                       "metric": metric.normalize().to_string(), "tier_from": tier.map(|t| t.from.normalize().to_string()),
                       "rate": rate.normalize().to_string()}),
            ))
        }
        TierMode::Progressive => {
            let mut total = Decimal::ZERO;
            let mut slices = Vec::new();
            for (i, t) in tiers.iter().enumerate() {
                if effective <= t.from {
                    break;
                }
                let top = tiers
                    .get(i + 1)
                    .map(|n| n.from.min(effective))
                    .unwrap_or(effective);
                let slice = top.checked_sub(t.from)?;
                total = total.checked_add(slice.checked_mul(t.rate)?)?;
                slices.push(json!({"from": t.from.normalize().to_string(), "slice": slice.normalize().to_string(), "rate": t.rate.normalize().to_string()}));
            }
            Some((total, json!({"tier_mode": "progressive", "slices": slices})))
        }
    }
}

/// Books the RevShare lines of every (partner, brand) with activity, a deal
/// or a carry-over, and replaces `carry` with what they carry out. The keys
/// are worked through in two halves at once, each into a book of its own.
fn revshare(
    engine: &Engine,
    carry: &mut HashMap<(usize, usize), Decimal>,
    period: Period,
    sums: &HashMap<(usize, usize), Sums>,
    ftds: &HashMap<(usize, usize), u64>,
    book: &mut Book,
) -> Result<(), EngineError> {
    let keys: Vec<(usize, usize)> = sums
        .keys()
        .copied()
        .chain(engine.deal_keys())
        .chain(carry.keys().copied())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let (first, second) = keys.split_at(keys.len() / 2);
    let carry_in: &HashMap<(usize, usize), Decimal> = carry;
    let (first, second) = std::thread::scope(|s| {
        let second = s.spawn(|| revshare_of(engine, carry_in, period, sums, ftds, second));
        let first = revshare_of(engine, carry_in, period, sums, ftds, first);
        let second = second
            .join()
            .unwrap_or_else(|p| std::panic::resume_unwind(p));
        (first, second)
    });
    let mut new_carry = HashMap::default();
    for part in [first, second] {
        let (part, carried_out) = part?;
        book.merge(part)?;
        new_carry.extend(carried_out);
    }
    *carry = new_carry;
    Ok(())
}

/// [`revshare`] for some of the keys: their lines, and what they carry out.
fn revshare_of(
    engine: &Engine,
    carry: &HashMap<(usize, usize), Decimal>,
    period: Period,
    sums: &HashMap<(usize, usize), Sums>,
    ftds: &HashMap<(usize, usize), u64>,
    keys: &[(usize, usize)],
) -> Result<(Book, HashMap<(usize, usize), Decimal>), EngineError> {
    let mut book = Book::default();
    let empty = Sums::default();
    let mut new_carry = HashMap::default();
    for &key in keys {
        let Some(r) = engine
            .plan_for(key.0, key.1, period)
            .and_then(|p| p.components.revshare.as_ref())
        else {
            continue; // no revshare: the carry is dropped
        };
        let s = sums.get(&key).unwrap_or(&empty);
        let n_ftds = ftds.get(&key).copied().unwrap_or(0);
        let overflows = || {
            overflow(format!(
                "the RevShare of {} in {period} ({} activity rows)",
                engine.who(key.0, key.1),
                s.rows
            ))
        };
        let (ggr, pre, ngr) = ngr(s, r).ok_or_else(overflows)?;
        let carry_in = if r.negative_carryover {
            carry.get(&key).copied().unwrap_or_default()
        } else {
            Decimal::ZERO
        };
        let effective = ngr.checked_add(carry_in).ok_or_else(overflows)?;
        let (amount, rate, carry_out) = if effective <= Decimal::ZERO {
            (
                Decimal::ZERO,
                json!(null),
                if r.negative_carryover {
                    effective
                } else {
                    Decimal::ZERO
                },
            )
        } else {
            let (a, rate) = revshare_commission(r, effective, n_ftds, ngr).ok_or_else(overflows)?;
            (a, rate, Decimal::ZERO)
        };
        if !carry_out.is_zero() {
            new_carry.insert(key, carry_out);
        }
        if s.rows == 0 && carry_in.is_zero() && carry_out.is_zero() && amount.is_zero() {
            continue;
        }
        let e = book.entry(key.0, key.1, Kind::Revshare);
        e.amount = e.amount.checked_add(amount).ok_or_else(overflows)?;
        e.keep_if_zero = !carry_in.is_zero() || !carry_out.is_zero() || s.rows > 0;
        let t = |d: Decimal| d.normalize().to_string();
        e.explanation.insert(
            "basis".into(),
            json!({"deposits": t(s.deposits), "withdrawals": t(s.withdrawals), "bets": t(s.bets), "wins": t(s.wins),
                   "bonuses": t(s.bonuses), "chargebacks": t(s.chargebacks), "taxes": t(s.taxes), "activity_rows": s.rows,
                   "ggr": t(ggr), "ngr_before_admin_fee": t(pre), "admin_fee_rate": t(r.admin_fee_rate),
                   "payment_fee_rate": t(r.payment_fee_rate), "ngr": t(ngr), "ftds": n_ftds}),
        );
        e.explanation.insert("carry_in".into(), json!(t(carry_in)));
        e.explanation
            .insert("effective".into(), json!(t(effective)));
        e.explanation
            .insert("carry_out".into(), json!(t(carry_out)));
        e.explanation
            .insert("negative_carryover".into(), json!(r.negative_carryover));
        e.explanation.insert("rate".into(), rate);
    }
    Ok((book, new_carry))
}
