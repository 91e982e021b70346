//! Commission plans: the components of RULES.md, parsed strictly from the
//! `plans.json` form (decimals as strings; unknown types and fields refused).

use crate::codes::CountryCode;
use crate::error::FieldError;
use crate::ids::Id;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};
use std::collections::BTreeMap;
use std::str::FromStr;

mod components;
mod fields;

use components::*;
use fields::*;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Plan {
    pub plan_id: Id,
    pub name: String,
    pub components: Components,
}

/// At most one component of each type.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Components {
    pub revshare: Option<RevShare>,
    pub cpa: Option<Cpa>,
    pub lot_rebate: Option<LotRebate>,
    pub spread_share: Option<SpreadShare>,
    pub purchase_share: Option<PurchaseShare>,
    pub sub_override: Option<SubOverride>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TierMetric {
    Ftds,
    Ngr,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TierMode {
    Flat,
    Progressive,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Split {
    Difference,
    Levels,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tier {
    pub from: Decimal,
    pub rate: Decimal,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RevShare {
    /// The flat rate; ignored when `tiers` is present.
    pub rate: Option<Decimal>,
    pub admin_fee_rate: Decimal,
    pub payment_fee_rate: Decimal,
    pub negative_carryover: bool,
    pub tier_metric: TierMetric,
    pub tier_mode: TierMode,
    /// Sorted by `from`.
    pub tiers: Option<Vec<Tier>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cpa {
    pub amount: Decimal,
    pub geo_amounts: BTreeMap<CountryCode, Decimal>,
    /// None: any deposit (> 0).
    pub min_deposits: Option<Decimal>,
    pub min_bets: Decimal,
    /// None: no limit. Registration day is day 1.
    pub window_days: Option<u32>,
    /// Empty: all countries.
    pub countries: Vec<CountryCode>,
    pub cap_per_period: Option<u32>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LotRebate {
    pub rates: BTreeMap<String, Decimal>,
    pub min_hold_seconds: i64,
    pub split: Split,
    pub level_shares: Vec<Decimal>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SpreadShare {
    pub rate: Decimal,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PurchaseShare {
    pub first_rate: Decimal,
    pub repeat_rate: Decimal,
    pub first_purchase_cpa: Decimal,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SubOverride {
    pub levels: Vec<Decimal>,
}

/// The component types, in the words of RULES.md.
pub const COMPONENT_TYPES: [&str; 6] = [
    "revshare",
    "cpa",
    "lot_rebate",
    "spread_share",
    "purchase_share",
    "sub_override",
];

impl Plan {
    /// Parses one plan object of `plans.json`.
    pub fn from_json(v: &Value) -> Result<Plan, FieldError> {
        let f = Fields::new(v, "plan", &["plan_id", "name", "components"])?;
        let plan_id = match f.get("plan_id").and_then(Value::as_str) {
            Some(s) => Id::parse("plan_id", s)?,
            None => return Err(FieldError::new("plan_id", "is required (a string)")),
        };
        let name = crate::partner::parse_name(
            "name",
            f.get("name").and_then(Value::as_str).unwrap_or(""),
        )?;
        let comps = f
            .get("components")
            .and_then(Value::as_array)
            .ok_or_else(|| FieldError::new("components", "is required: a list of components"))?;
        let mut components = Components::default();
        for (i, c) in comps.iter().enumerate() {
            let path = format!("components[{i}]");
            let ty = c.get("type").and_then(Value::as_str).ok_or_else(|| {
                FieldError::new(
                    format!("{path}.type"),
                    format!("is required; one of: {}", COMPONENT_TYPES.join(", ")),
                )
            })?;
            let dup = || {
                FieldError::new(
                    format!("{path}.type"),
                    format!("a plan has at most one '{ty}' component"),
                )
            };
            match ty {
                "revshare" => {
                    if components.revshare.is_some() {
                        return Err(dup());
                    }
                    components.revshare = Some(parse_revshare(c, &path)?);
                }
                "cpa" => {
                    if components.cpa.is_some() {
                        return Err(dup());
                    }
                    components.cpa = Some(parse_cpa(c, &path)?);
                }
                "lot_rebate" => {
                    if components.lot_rebate.is_some() {
                        return Err(dup());
                    }
                    components.lot_rebate = Some(parse_lot_rebate(c, &path)?);
                }
                "spread_share" => {
                    if components.spread_share.is_some() {
                        return Err(dup());
                    }
                    let f = Fields::new(c, &path, &["type", "rate"])?;
                    components.spread_share = Some(SpreadShare {
                        rate: req_decimal(&f, "rate", &path)?,
                    });
                }
                "purchase_share" => {
                    if components.purchase_share.is_some() {
                        return Err(dup());
                    }
                    let f = Fields::new(
                        c,
                        &path,
                        &["type", "first_rate", "repeat_rate", "first_purchase_cpa"],
                    )?;
                    components.purchase_share = Some(PurchaseShare {
                        first_rate: req_decimal(&f, "first_rate", &path)?,
                        repeat_rate: req_decimal(&f, "repeat_rate", &path)?,
                        first_purchase_cpa: opt_decimal(&f, "first_purchase_cpa", &path)?
                            .unwrap_or_default(),
                    });
                }
                "sub_override" => {
                    if components.sub_override.is_some() {
                        return Err(dup());
                    }
                    let f = Fields::new(c, &path, &["type", "levels"])?;
                    let levels = decimal_list(&f, "levels", &path)?.ok_or_else(|| {
                        FieldError::new(
                            format!("{path}.levels"),
                            "is required: a list of rates, one per level",
                        )
                    })?;
                    components.sub_override = Some(SubOverride { levels });
                }
                other => {
                    return Err(FieldError::new(
                        format!("{path}.type"),
                        format!(
                            "{} is not a component type; allowed: {}",
                            crate::limits::shown(other),
                            COMPONENT_TYPES.join(", ")
                        ),
                    ))
                }
            }
        }
        Ok(Plan {
            plan_id,
            name,
            components,
        })
    }

    /// The plan in the `plans.json` form, every default written out. Two plans
    /// with the same meaning have the same text, which versioning compares.
    pub fn to_json(&self) -> Value {
        let d = |x: &Decimal| Value::String(x.normalize().to_string());
        let mut comps = Vec::new();
        let c = &self.components;
        if let Some(r) = &c.revshare {
            let mut m = json!({
                "type": "revshare",
                "admin_fee_rate": d(&r.admin_fee_rate), "payment_fee_rate": d(&r.payment_fee_rate),
                "negative_carryover": r.negative_carryover,
                "tier_metric": match r.tier_metric { TierMetric::Ftds => "ftds", TierMetric::Ngr => "ngr" },
                "tier_mode": match r.tier_mode { TierMode::Flat => "flat", TierMode::Progressive => "progressive" },
            });
            if let Some(rate) = &r.rate {
                m["rate"] = d(rate);
            }
            if let Some(tiers) = &r.tiers {
                m["tiers"] = tiers
                    .iter()
                    .map(|t| json!({"from": d(&t.from), "rate": d(&t.rate)}))
                    .collect();
            }
            comps.push(m);
        }
        if let Some(p) = &c.cpa {
            let mut m = json!({
                "type": "cpa", "amount": d(&p.amount),
                "geo_amounts": p.geo_amounts.iter().map(|(k, v)| (k.to_string(), d(v))).collect::<Map<_, _>>(),
                "min_bets": d(&p.min_bets),
                "countries": p.countries.iter().map(|c| c.to_string()).collect::<Vec<_>>(),
            });
            if let Some(x) = &p.min_deposits {
                m["min_deposits"] = d(x);
            }
            if let Some(x) = p.window_days {
                m["window_days"] = x.into();
            }
            if let Some(x) = p.cap_per_period {
                m["cap_per_period"] = x.into();
            }
            comps.push(m);
        }
        if let Some(l) = &c.lot_rebate {
            comps.push(json!({
                "type": "lot_rebate",
                "rates": l.rates.iter().map(|(k, v)| (k.clone(), d(v))).collect::<Map<_, _>>(),
                "min_hold_seconds": l.min_hold_seconds,
                "split": match l.split { Split::Difference => "difference", Split::Levels => "levels" },
                "level_shares": l.level_shares.iter().map(d).collect::<Vec<_>>(),
            }));
        }
        if let Some(s) = &c.spread_share {
            comps.push(json!({"type": "spread_share", "rate": d(&s.rate)}));
        }
        if let Some(p) = &c.purchase_share {
            comps.push(json!({"type": "purchase_share", "first_rate": d(&p.first_rate), "repeat_rate": d(&p.repeat_rate), "first_purchase_cpa": d(&p.first_purchase_cpa)}));
        }
        if let Some(o) = &c.sub_override {
            comps.push(json!({"type": "sub_override", "levels": o.levels.iter().map(d).collect::<Vec<_>>()}));
        }
        json!({"plan_id": self.plan_id.as_str(), "name": self.name, "components": comps})
    }
}

/// Parses the whole `plans.json` document (an array of plans). Errors name the
/// plan's position and field.
pub fn parse_plans_document(text: &str) -> Result<Vec<Plan>, FieldError> {
    // Editors on Windows start UTF-8 files with a byte-order mark; the CSV
    // files are read with one too.
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let v: Value = serde_json::from_str(text)
        .map_err(|e| FieldError::new("", format!("is not valid JSON: {e}")))?;
    let arr = v
        .as_array()
        .ok_or_else(|| FieldError::new("", "must be a JSON array of plans"))?;
    arr.iter()
        .enumerate()
        .map(|(i, p)| {
            Plan::from_json(p).map_err(|e| {
                let who = p
                    .get("plan_id")
                    .and_then(Value::as_str)
                    .map(|s| format!(" {}", crate::limits::shown(s)))
                    .unwrap_or_default();
                e.within(&format!("plan [{i}]{who}"))
            })
        })
        .collect()
}

/// Parses a decimal from text (for callers outside the JSON form).
pub fn decimal_from_str(s: &str) -> Option<Decimal> {
    Decimal::from_str(s).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    const EXAMPLE: &str = r#"[{ "plan_id": "casino-hybrid", "name": "Casino hybrid 2026",
      "components": [
        { "type": "revshare", "rate": "0.25", "admin_fee_rate": "0.10", "payment_fee_rate": "0.02",
          "negative_carryover": true, "tier_metric": "ftds", "tier_mode": "flat",
          "tiers": [ {"from": "10", "rate": "0.30"}, {"from": "0", "rate": "0.25"} ] },
        { "type": "cpa", "amount": "100", "geo_amounts": {"DE": "150"},
          "min_deposits": "50", "min_bets": "100", "window_days": 30,
          "countries": ["DE", "AT"], "cap_per_period": 100 },
        { "type": "lot_rebate", "rates": {"fx_major": "8", "metals": "10"},
          "min_hold_seconds": 60, "split": "difference", "level_shares": [] },
        { "type": "spread_share", "rate": "0.20" },
        { "type": "purchase_share", "first_rate": "0.15", "repeat_rate": "0.10", "first_purchase_cpa": "0" },
        { "type": "sub_override", "levels": ["0.05", "0.02"] } ] }]"#;

    #[test]
    fn parses_the_rules_example_and_round_trips() {
        let plans = parse_plans_document(EXAMPLE).unwrap();
        let p = &plans[0];
        let r = p.components.revshare.as_ref().unwrap();
        assert_eq!(
            r.tiers.as_ref().unwrap()[0].from.to_string(),
            "0",
            "tiers are sorted by from"
        );
        assert!(r.negative_carryover);
        assert_eq!(p.components.cpa.as_ref().unwrap().window_days, Some(30));
        let again = Plan::from_json(&p.to_json()).unwrap();
        assert_eq!(&again, p, "to_json then from_json gives the same plan");
    }

    #[test]
    fn a_byte_order_mark_is_accepted() {
        let plans = parse_plans_document(
            "\u{feff}[{\"plan_id\":\"p\",\"name\":\"P\",\"components\":[{\"type\":\"spread_share\",\"rate\":\"0.2\"}]}]",
        )
        .unwrap();
        assert_eq!(plans[0].plan_id.as_str(), "p");
    }

    #[test]
    fn amounts_beyond_the_limit_and_dirty_keys_are_refused() {
        let e = parse_plans_document(r#"[{"plan_id":"p","name":"P","components":[{"type":"cpa","amount":"1000000000000000"}]}]"#).unwrap_err();
        assert!(e.to_string().contains("at most 15 digits"), "{e}");
        let key = "k".repeat(5000);
        let doc = format!(
            r#"[{{"plan_id":"p","name":"P","components":[{{"type":"spread_share","rate":"0.1","{key}":"1"}}]}}]"#
        );
        let e = parse_plans_document(&doc).unwrap_err().to_string();
        assert!(e.len() < 400, "the error shows a cut key: {e}");
        let doc = r#"[{"plan_id":"p","name":"P","components":[{"type":"cpa","amount":"1","geo_amounts":{"[2J":"5"}}]}]"#;
        let e = parse_plans_document(doc).unwrap_err().to_string();
        assert!(!e.contains('\u{1b}'), "{e}");
    }

    #[test]
    fn defaults_apply() {
        let plans = parse_plans_document(r#"[{"plan_id":"p","name":"P","components":[{"type":"revshare","rate":"0.3"},{"type":"lot_rebate","rates":{"fx":"5"}}]}]"#).unwrap();
        let r = plans[0].components.revshare.as_ref().unwrap();
        assert_eq!(
            (r.tier_metric, r.tier_mode, r.negative_carryover),
            (TierMetric::Ftds, TierMode::Flat, false)
        );
        let l = plans[0].components.lot_rebate.as_ref().unwrap();
        assert_eq!((l.split, l.min_hold_seconds), (Split::Difference, 0));
    }

    #[test]
    fn refuses_unknown_types_fields_and_negatives() {
        let e = parse_plans_document(
            r#"[{"plan_id":"p","name":"P","components":[{"type":"fixed_fee","amount":"5"}]}]"#,
        )
        .unwrap_err();
        assert!(
            e.to_string().contains("components[0].type") && e.to_string().contains("fixed_fee"),
            "{e}"
        );
        let e = parse_plans_document(r#"[{"plan_id":"p","name":"P","components":[{"type":"revshare","rate":"0.3","rte":"1"}]}]"#).unwrap_err();
        assert!(e.to_string().contains("components[0].rte"), "{e}");
        let e = parse_plans_document(
            r#"[{"plan_id":"p","name":"P","components":[{"type":"spread_share","rate":"-0.1"}]}]"#,
        )
        .unwrap_err();
        assert!(e.to_string().contains("negative"), "{e}");
        let e = parse_plans_document(
            r#"[{"plan_id":"p","name":"P","components":[{"type":"spread_share","rate":0.1}]}]"#,
        )
        .unwrap_err();
        assert!(e.to_string().contains("string"), "{e}");
        let e = parse_plans_document(r#"[{"plan_id":"p","name":"P","components":[{"type":"cpa","amount":"1"},{"type":"cpa","amount":"2"}]}]"#).unwrap_err();
        assert!(e.to_string().contains("at most one"), "{e}");
    }
}
