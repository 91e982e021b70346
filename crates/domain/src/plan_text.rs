//! Plain-language summaries of plans, as shown beside the plan editor. This
//! module reads plans; `plan` knows nothing of it (the method lives here).

use crate::plan::{Plan, Split, TierMetric, TierMode};
use rust_decimal::Decimal;

fn pct(d: &Decimal) -> String {
    format!("{}%", (d * Decimal::ONE_HUNDRED).normalize())
}

fn num(d: &Decimal) -> String {
    d.normalize().to_string()
}

impl Plan {
    /// A plain-language summary, e.g. "25% of NGR, 30% from 10 FTDs a month, negative carry-over".
    pub fn describe(&self) -> String {
        describe(self)
    }
}

pub fn describe(plan: &Plan) -> String {
    let c = &plan.components;
    let mut parts = Vec::new();
    if let Some(r) = &c.revshare {
        let mut s = match (&r.tiers, r.tier_mode) {
            (None, _) => format!("{} of NGR", pct(&r.rate.unwrap_or_default())),
            (Some(t), TierMode::Flat) => {
                let unit = if r.tier_metric == TierMetric::Ftds {
                    " FTDs a month"
                } else {
                    " NGR a month"
                };
                t.iter()
                    .enumerate()
                    .map(|(i, t)| {
                        if i == 0 && t.from.is_zero() {
                            format!("{} of NGR", pct(&t.rate))
                        } else {
                            format!("{} from {}{}", pct(&t.rate), num(&t.from), unit)
                        }
                    })
                    .collect::<Vec<_>>()
                    .join(", ")
            }
            (Some(t), TierMode::Progressive) => {
                format!(
                    "NGR in slices: {}",
                    t.iter()
                        .map(|t| format!("{} above {}", pct(&t.rate), num(&t.from)))
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            }
        };
        if !r.admin_fee_rate.is_zero() {
            s.push_str(&format!(" (admin fee {})", pct(&r.admin_fee_rate)));
        }
        if !r.payment_fee_rate.is_zero() {
            s.push_str(&format!(
                " (payment fee {} of deposits and withdrawals)",
                pct(&r.payment_fee_rate)
            ));
        }
        parts.push(s);
        if r.negative_carryover {
            parts.push("negative carry-over".to_string());
        }
    }
    if let Some(p) = &c.cpa {
        let mut s = format!("CPA {}", num(&p.amount));
        if !p.geo_amounts.is_empty() {
            s.push_str(&format!(
                " ({})",
                p.geo_amounts
                    .iter()
                    .map(|(k, v)| format!("{k} {}", num(v)))
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
        let mut conds = Vec::new();
        if let Some(m) = &p.min_deposits {
            conds.push(format!("deposits ≥ {}", num(m)));
        }
        if !p.min_bets.is_zero() {
            conds.push(format!("bets ≥ {}", num(&p.min_bets)));
        }
        if let Some(w) = p.window_days {
            conds.push(format!("within {w} days"));
        }
        if !p.countries.is_empty() {
            conds.push(format!(
                "in {}",
                p.countries
                    .iter()
                    .map(|c| c.to_string())
                    .collect::<Vec<_>>()
                    .join("/")
            ));
        }
        if !conds.is_empty() {
            s.push_str(&format!(" when {}", conds.join(", ")));
        }
        if let Some(cap) = p.cap_per_period {
            s.push_str(&format!(", at most {cap} a month"));
        }
        parts.push(s);
    }
    if let Some(l) = &c.lot_rebate {
        let rates = l
            .rates
            .iter()
            .map(|(g, r)| format!("{} {g}", num(r)))
            .collect::<Vec<_>>()
            .join(", ");
        let split = match l.split {
            Split::Difference => "difference split up the IB tree".to_string(),
            Split::Levels => format!(
                "levels split {}",
                l.level_shares.iter().map(pct).collect::<Vec<_>>().join("/")
            ),
        };
        let mut s = format!("lot rebate per lot: {rates}; {split}");
        if l.min_hold_seconds > 0 {
            s.push_str(&format!("; trades held ≥ {} s", l.min_hold_seconds));
        }
        parts.push(s);
    }
    if let Some(s) = &c.spread_share {
        parts.push(format!("{} of commission and spread", pct(&s.rate)));
    }
    if let Some(p) = &c.purchase_share {
        let mut s = format!(
            "{} of first purchases, {} of repeats",
            pct(&p.first_rate),
            pct(&p.repeat_rate)
        );
        if !p.first_purchase_cpa.is_zero() {
            s.push_str(&format!(
                ", plus {} per first purchase",
                num(&p.first_purchase_cpa)
            ));
        }
        parts.push(s);
    }
    if let Some(o) = &c.sub_override {
        parts.push(format!(
            "sub-partner override {}",
            o.levels.iter().map(pct).collect::<Vec<_>>().join(" / ")
        ));
    }
    if parts.is_empty() {
        "no components: earns nothing".to_string()
    } else {
        parts.join(", ")
    }
}

#[cfg(test)]
mod tests {
    use crate::plan::parse_plans_document;

    #[test]
    fn the_issue_example_reads_naturally() {
        let p = &parse_plans_document(r#"[{"plan_id":"p","name":"P","components":[{"type":"revshare","negative_carryover":true,"tiers":[{"from":"0","rate":"0.25"},{"from":"10","rate":"0.30"}]}]}]"#).unwrap()[0];
        assert_eq!(
            p.describe(),
            "25% of NGR, 30% from 10 FTDs a month, negative carry-over"
        );
    }
}
