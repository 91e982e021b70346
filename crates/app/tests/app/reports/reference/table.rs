//! The reference's output: a report's CSV as REPORTS.md words it, from the
//! facts [`Reference::new`] read (groups, partner trees, FX conversion,
//! totals, sorting and quoting). Split from reference.rs.

use super::{Reference, AMOUNTS};
use rust_decimal::{Decimal, RoundingStrategy};
use std::collections::{BTreeMap, HashMap};

fn is_amount_measure(m: &str) -> bool {
    AMOUNTS.contains(&m) || m.starts_with("commission") || m == "net_gaming" || m == "cost_per_ftd"
}

impl Reference {
    fn chain(&self, p: &str) -> Vec<String> {
        let mut out = vec![p.to_string()];
        let mut at = p.to_string();
        while let Some(Some(parent)) = self.parents.get(&at) {
            out.push(parent.clone());
            at = parent.clone();
        }
        out
    }

    /// The rate from `from` to `to` for `period` by RULES.md's rule.
    fn rate(&self, from: &str, to: &str, period: &str) -> Decimal {
        if from == to {
            return Decimal::ONE;
        }
        let y: i32 = period[..4].parse().unwrap();
        let m: u32 = period[5..7].parse().unwrap();
        let next = if m == 12 {
            chrono::NaiveDate::from_ymd_opt(y + 1, 1, 1)
        } else {
            chrono::NaiveDate::from_ymd_opt(y, m + 1, 1)
        };
        let last = (next.unwrap() - chrono::Duration::days(1)).to_string();
        let mut best: Option<(String, bool, Decimal)> = None; // (date, direct, rate)
        for (date, base, quote, rate) in &self.fx {
            if *date > last {
                continue;
            }
            let cand = if base == from && quote == to {
                (date.clone(), true, *rate)
            } else if base == to && quote == from {
                (date.clone(), false, Decimal::ONE / *rate)
            } else {
                continue;
            };
            best = match best {
                None => Some(cand),
                Some(b) if (cand.0.clone(), cand.1) > (b.0.clone(), b.1) => Some(cand),
                b => b,
            };
        }
        best.unwrap_or_else(|| panic!("no rate {from}/{to} for {period}"))
            .2
    }

    /// The CSV REPORTS.md gives for the report.
    #[allow(clippy::too_many_arguments)]
    pub fn csv(
        &self,
        from: &str,
        to: &str,
        by: &[&str],
        measures: &[&str],
        brand: Option<&str>,
        partner: Option<&str>,
        tree: Option<&str>,
        currency: Option<&str>,
    ) -> String {
        const U: &str = "(unattributed)";
        let passes = |p: &Option<String>| -> bool {
            if partner.is_none() && tree.is_none() {
                return true;
            }
            let Some(p) = p else { return false };
            partner.is_none_or(|x| x == p)
                && tree.is_none_or(|t| self.chain(p).iter().any(|a| a == t))
        };
        let with_currency = measures.iter().any(|m| is_amount_measure(m));
        // (dims, currency shown) → measure → (source currency, period) → sum
        let mut groups: BTreeMap<
            (Vec<String>, String),
            HashMap<&str, HashMap<(String, String), Decimal>>,
        > = BTreeMap::new();
        for f in &self.facts {
            let in_range = match &f.day {
                Some(day) => day.as_str() >= from && day.as_str() <= to,
                None => {
                    let first = format!("{}-01", f.period);
                    first.as_str() >= from && first.as_str() <= to
                }
            };
            if !in_range
                || brand.is_some_and(|b| f.brand.as_deref() != Some(b))
                || !passes(&f.partner)
            {
                continue;
            }
            let trees: Vec<String> = if by.contains(&"tree") {
                match &f.partner {
                    None => vec![U.to_string()],
                    Some(p) => self
                        .chain(p)
                        .into_iter()
                        .filter(|x| passes(&Some(x.clone())))
                        .collect(),
                }
            } else {
                vec![String::new()]
            };
            for t in trees {
                let key: Vec<String> = by
                    .iter()
                    .map(|dim| match *dim {
                        "day" => f.day.clone().unwrap_or_default(),
                        "period" => f.period.clone(),
                        "brand" => f.brand.clone().unwrap_or_default(),
                        "vertical" => f
                            .brand
                            .as_ref()
                            .map(|b| self.brands[b].0.clone())
                            .unwrap_or_default(),
                        "partner" => f.partner.clone().unwrap_or(U.to_string()),
                        "tree" => t.clone(),
                        "partner_kind" => f
                            .partner
                            .as_ref()
                            .map(|p| self.kinds[p].clone())
                            .unwrap_or(U.to_string()),
                        "country" => f.country.clone(),
                        "tracking_code" => f.code.clone(),
                        other => panic!("dimension {other}"),
                    })
                    .collect();
                let shown = match currency {
                    Some(c) if with_currency => c.to_string(),
                    None if with_currency => f.currency.clone(),
                    _ => String::new(),
                };
                *groups
                    .entry((key, shown))
                    .or_default()
                    .entry(f.measure)
                    .or_default()
                    .entry((f.currency.clone(), f.period.clone()))
                    .or_default() += f.value;
            }
        }
        let mut rows: Vec<(Vec<String>, String, Vec<String>)> = Vec::new();
        for ((key, shown), sums) in groups {
            let total = |m: &str| -> Decimal {
                let Some(parts) = sums.get(m) else {
                    return Decimal::ZERO;
                };
                parts
                    .iter()
                    .map(|((cur, period), v)| match currency {
                        Some(to) if AMOUNTS.contains(&m) || m.starts_with("commission") => {
                            *v * self.rate(cur, to, period)
                        }
                        _ => *v,
                    })
                    .sum()
            };
            let amount = |v: Decimal| {
                let mut r = v.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero);
                if r.is_zero() {
                    r = Decimal::ZERO;
                }
                r.rescale(2);
                r.to_string()
            };
            let pct = |n: Decimal, dd: Decimal| {
                if dd.is_zero() {
                    return String::new();
                }
                let mut r = (n * Decimal::ONE_HUNDRED / dd)
                    .round_dp_with_strategy(1, RoundingStrategy::MidpointAwayFromZero);
                r.rescale(1);
                r.to_string()
            };
            let figures: Vec<String> = measures
                .iter()
                .map(|m| match *m {
                    "registrations"
                    | "excluded_registrations"
                    | "ftds"
                    | "trades"
                    | "purchases"
                    | "first_purchases"
                    | "refunds"
                    | "qualified_cpas"
                    | "clicks"
                    | "unique_clicks" => total(m).to_string(),
                    "ggr" => amount(total("bets") - total("wins")),
                    "net_gaming" => amount(
                        total("bets")
                            - total("wins")
                            - total("bonuses")
                            - total("chargebacks")
                            - total("taxes"),
                    ),
                    "conversion" => pct(total("ftds"), total("registrations")),
                    "unique_click_to_registration" => {
                        pct(total("registrations"), total("unique_clicks"))
                    }
                    "cost_per_ftd" => {
                        let f = total("ftds");
                        if f.is_zero() {
                            String::new()
                        } else {
                            amount(total("commission") / f)
                        }
                    }
                    m => amount(total(m)),
                })
                .collect();
            let something = figures
                .iter()
                .any(|f| f.chars().any(|c| c.is_ascii_digit() && c != '0'));
            if something {
                rows.push((key, shown, figures));
            }
        }
        let order = |s: &String| -> (u8, Vec<u8>) {
            match s.as_str() {
                "" => (0, Vec::new()),
                U => (1, Vec::new()),
                v => (2, v.as_bytes().to_vec()),
            }
        };
        rows.sort_by(|a, b| {
            let ka: Vec<_> = a.0.iter().map(order).collect();
            let kb: Vec<_> = b.0.iter().map(order).collect();
            (ka, a.1.clone()).cmp(&(kb, b.1.clone()))
        });
        let quote = |s: &str| {
            if s.contains([',', '"', '\n', '\r']) {
                format!("\"{}\"", s.replace('"', "\"\""))
            } else {
                s.to_string()
            }
        };
        let mut header: Vec<String> = by.iter().map(|s| s.to_string()).collect();
        if with_currency {
            header.push("currency".into());
        }
        header.extend(measures.iter().map(|s| s.to_string()));
        let mut out = header.join(",") + "\n";
        for (key, shown, figures) in rows {
            let mut fields: Vec<String> = key.iter().map(|k| quote(k)).collect();
            if with_currency {
                fields.push(shown);
            }
            fields.extend(figures);
            out.push_str(&fields.join(","));
            out.push('\n');
        }
        out
    }
}
