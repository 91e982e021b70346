//! The components with fields of their own to check (revenue share with its
//! tiers, CPA, lot rebates), each parsed from its JSON object.

use super::fields::*;
use super::*;

pub(super) fn parse_revshare(c: &Value, path: &str) -> Result<RevShare, FieldError> {
    let f = Fields::new(
        c,
        path,
        &[
            "type",
            "rate",
            "admin_fee_rate",
            "payment_fee_rate",
            "negative_carryover",
            "tier_metric",
            "tier_mode",
            "tiers",
        ],
    )?;
    let tiers = match f.get("tiers") {
        None => None,
        Some(v) => {
            let arr = v.as_array().ok_or_else(|| {
                FieldError::new(format!("{path}.tiers"), "must be a list of {from, rate}")
            })?;
            let mut tiers = Vec::with_capacity(arr.len());
            for (i, t) in arr.iter().enumerate() {
                let tp = format!("{path}.tiers[{i}]");
                let tf = Fields::new(t, &tp, &["from", "rate"])?;
                tiers.push(Tier {
                    from: req_decimal(&tf, "from", &tp)?,
                    rate: req_decimal(&tf, "rate", &tp)?,
                });
            }
            tiers.sort_by(|a, b| a.from.cmp(&b.from));
            if tiers.windows(2).any(|w| w[0].from == w[1].from) {
                return Err(FieldError::new(
                    format!("{path}.tiers"),
                    "two tiers start at the same 'from'",
                ));
            }
            if tiers.is_empty() {
                return Err(FieldError::new(
                    format!("{path}.tiers"),
                    "must hold at least one tier (or leave it out and give 'rate')",
                ));
            }
            Some(tiers)
        }
    };
    let rate = opt_decimal(&f, "rate", path)?;
    if rate.is_none() && tiers.is_none() {
        return Err(FieldError::new(
            format!("{path}.rate"),
            "is required when there are no tiers",
        ));
    }
    let admin_fee_rate = opt_decimal(&f, "admin_fee_rate", path)?.unwrap_or_default();
    if admin_fee_rate > Decimal::ONE {
        return Err(FieldError::new(
            format!("{path}.admin_fee_rate"),
            "must be between 0 and 1",
        ));
    }
    Ok(RevShare {
        rate,
        admin_fee_rate,
        payment_fee_rate: opt_decimal(&f, "payment_fee_rate", path)?.unwrap_or_default(),
        negative_carryover: opt_bool(&f, "negative_carryover", path)?.unwrap_or(false),
        tier_metric: match opt_word(&f, "tier_metric", path, &["ftds", "ngr"])? {
            Some("ngr") => TierMetric::Ngr,
            _ => TierMetric::Ftds,
        },
        tier_mode: match opt_word(&f, "tier_mode", path, &["flat", "progressive"])? {
            Some("progressive") => TierMode::Progressive,
            _ => TierMode::Flat,
        },
        tiers,
    })
}

pub(super) fn parse_cpa(c: &Value, path: &str) -> Result<Cpa, FieldError> {
    let f = Fields::new(
        c,
        path,
        &[
            "type",
            "amount",
            "geo_amounts",
            "min_deposits",
            "min_bets",
            "window_days",
            "countries",
            "cap_per_period",
        ],
    )?;
    let mut geo_amounts = BTreeMap::new();
    if let Some(v) = f.get("geo_amounts") {
        let obj = v.as_object().ok_or_else(|| {
            FieldError::new(
                format!("{path}.geo_amounts"),
                "must be an object of country → amount",
            )
        })?;
        for (k, v) in obj {
            // The country is checked before it names the field: a key of
            // any length or content never reaches an error message.
            let country = CountryCode::parse(&format!("{path}.geo_amounts"), k)?;
            geo_amounts.insert(country, decimal(v, &format!("{path}.geo_amounts.{k}"))?);
        }
    }
    let mut countries = Vec::new();
    if let Some(v) = f.get("countries") {
        let arr = v.as_array().ok_or_else(|| {
            FieldError::new(
                format!("{path}.countries"),
                "must be a list of country codes",
            )
        })?;
        for (i, c) in arr.iter().enumerate() {
            let cp = format!("{path}.countries[{i}]");
            countries.push(CountryCode::parse(&cp, c.as_str().unwrap_or(""))?);
        }
    }
    let window_days = opt_uint(&f, "window_days", path)?;
    if window_days == Some(0) {
        return Err(FieldError::new(
            format!("{path}.window_days"),
            "must be at least 1 (registration day is day 1)",
        ));
    }
    let to_u32 = |x: Option<u64>, key: &str| -> Result<Option<u32>, FieldError> {
        x.map(|v| {
            u32::try_from(v).map_err(|_| FieldError::new(format!("{path}.{key}"), "is too large"))
        })
        .transpose()
    };
    Ok(Cpa {
        amount: req_decimal(&f, "amount", path)?,
        geo_amounts,
        min_deposits: opt_decimal(&f, "min_deposits", path)?,
        min_bets: opt_decimal(&f, "min_bets", path)?.unwrap_or_default(),
        window_days: to_u32(window_days, "window_days")?,
        countries,
        cap_per_period: to_u32(opt_uint(&f, "cap_per_period", path)?, "cap_per_period")?,
    })
}

pub(super) fn parse_lot_rebate(c: &Value, path: &str) -> Result<LotRebate, FieldError> {
    let f = Fields::new(
        c,
        path,
        &["type", "rates", "min_hold_seconds", "split", "level_shares"],
    )?;
    let obj = f.get("rates").and_then(Value::as_object).ok_or_else(|| {
        FieldError::new(
            format!("{path}.rates"),
            "is required: an object of instrument group → rate per lot",
        )
    })?;
    let mut rates = BTreeMap::new();
    for (k, v) in obj {
        if k.is_empty() {
            return Err(FieldError::new(
                format!("{path}.rates"),
                "an instrument group name is empty",
            ));
        }
        crate::limits::check_text(&format!("{path}.rates"), k, crate::limits::TEXT_MAX_CHARS)?;
        rates.insert(k.clone(), decimal(v, &format!("{path}.rates.{k}"))?);
    }
    let min_hold = opt_uint(&f, "min_hold_seconds", path)?.unwrap_or(0);
    Ok(LotRebate {
        rates,
        min_hold_seconds: i64::try_from(min_hold)
            .map_err(|_| FieldError::new(format!("{path}.min_hold_seconds"), "is too large"))?,
        split: match opt_word(&f, "split", path, &["difference", "levels"])? {
            Some("levels") => Split::Levels,
            _ => Split::Difference,
        },
        level_shares: decimal_list(&f, "level_shares", path)?.unwrap_or_default(),
    })
}
