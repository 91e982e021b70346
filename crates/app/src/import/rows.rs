//! Parsing and checking the rows of each import file (RULES.md's table).

use super::csvfile::{Problems, Row, Source};
use super::{overlapping, Keys};
use crate::Result;
use partnerdesk_domain::data::{
    parse_date, parse_time, parse_valid_from, parse_valid_to, ActivityDay, Assignment, Customer,
    CustomerStatus, FxRate, Purchase, Trade,
};
use partnerdesk_domain::money::{parse_non_negative, parse_positive};
use partnerdesk_domain::partner::{
    parse_code, parse_email, parse_name, Brand, PartnerKind, PartnerStatus, TrackingCode,
    TrackingKind, Vertical,
};
use partnerdesk_domain::{CountryCode, CurrencyCode, FieldError, Id};
use partnerdesk_store::partners::PartnerRecord;
use std::collections::{HashMap, HashSet};

type Parsed<T> = std::result::Result<T, FieldError>;

/// Reads every row of a small file with `parse`, keeping the good ones with their line.
fn read_all<T>(
    src: Source,
    file: &str,
    cols: &[&str],
    p: &mut Problems,
    mut parse: impl FnMut(&Row) -> Parsed<T>,
) -> Result<Vec<(u64, T)>> {
    let mut out = Vec::new();
    if let Some(mut f) = src.open(file, cols, p)? {
        while let Some(row) = f.next_row(p) {
            match parse(&row) {
                Ok(t) => out.push((row.line(), t)),
                Err(e) => p.add(file, row.line(), e),
            }
        }
    }
    Ok(out)
}

fn id(row: &Row, i: usize, col: &str) -> Parsed<Id> {
    Id::parse(col, row.req(i, col)?)
}

pub fn brands(src: Source, p: &mut Problems) -> Result<Vec<(u64, Brand)>> {
    let rows = read_all(
        src,
        "brands.csv",
        &["brand_id", "name", "vertical", "currency"],
        p,
        |r| {
            Ok(Brand {
                id: id(r, 0, "brand_id")?,
                name: parse_name("name", r.cell(1))?,
                vertical: Vertical::parse("vertical", r.cell(2))?,
                currency: CurrencyCode::parse("currency", r.cell(3))?,
            })
        },
    )?;
    let mut keys = Keys::new();
    for (line, b) in &rows {
        if !keys.first(&b.id) {
            p.add(
                "brands.csv",
                *line,
                format!("brand_id '{}' appears twice", b.id),
            );
        }
    }
    Ok(rows)
}

pub fn geo_blocks(
    src: Source,
    p: &mut Problems,
    brands: &HashSet<String>,
) -> Result<Vec<(Id, CountryCode)>> {
    let rows = read_all(
        src,
        "brand_geo_blocks.csv",
        &["brand_id", "country"],
        p,
        |r| {
            let b = id(r, 0, "brand_id")?;
            if !brands.contains(b.as_str()) {
                return Err(FieldError::new(
                    "brand_id",
                    format!("brand '{b}' does not exist"),
                ));
            }
            Ok((b, CountryCode::parse("country", r.cell(1))?))
        },
    )?;
    let mut keys = Keys::new();
    for (line, k) in &rows {
        if !keys.first(k) {
            p.add(
                "brand_geo_blocks.csv",
                *line,
                format!("brand '{}' blocks '{}' twice", k.0, k.1),
            );
        }
    }
    Ok(rows.into_iter().map(|(_, k)| k).collect())
}

/// Partners, ordered so that every parent comes before its children; cycles refused.
pub fn partners(
    src: Source,
    p: &mut Problems,
    stored: &[(String, Option<String>, String)],
) -> Result<Vec<(u64, PartnerRecord)>> {
    let rows = read_all(
        src,
        "partners.csv",
        &[
            "partner_id",
            "name",
            "kind",
            "parent_id?",
            "email?",
            "country?",
            "currency",
            "status",
        ],
        p,
        |r| {
            let partner_id = id(r, 0, "partner_id")?.into_string();
            let parent_id = r
                .opt(3)
                .map(|s| Id::parse("parent_id", s))
                .transpose()?
                .map(Id::into_string);
            let rec = PartnerRecord {
                name: parse_name("name", r.cell(1))?,
                kind: PartnerKind::parse("kind", r.cell(2))?,
                email: r.opt(4).map(|e| parse_email("email", e)).transpose()?,
                country: r
                    .opt(5)
                    .map(|c| CountryCode::parse("country", c))
                    .transpose()?,
                currency: CurrencyCode::parse("currency", r.cell(6))?,
                status: PartnerStatus::parse("status", r.cell(7))?,
                tags: Vec::new(),
                notes: String::new(),
                contact_name: None,
                phone: None,
                archived: false,
                created_at: String::new(),
                updated_at: String::new(),
                row_version: 1,
                updated_by: String::new(),
                children: 0,
                partner_id,
                parent_id,
            };
            Ok(rec)
        },
    )?;
    let mut parents: HashMap<&str, Option<&str>> = stored
        .iter()
        .map(|(id, parent, _)| (id.as_str(), parent.as_deref()))
        .collect();
    let mut line_of: HashMap<&str, u64> = HashMap::new();
    for (line, r) in &rows {
        if line_of.insert(&r.partner_id, *line).is_some() {
            p.add(
                "partners.csv",
                *line,
                format!("partner_id '{}' appears twice", r.partner_id),
            );
        }
        parents.insert(&r.partner_id, r.parent_id.as_deref());
    }
    for (line, r) in &rows {
        if let Some(parent) = &r.parent_id {
            if !parents.contains_key(parent.as_str()) {
                p.add(
                    "partners.csv",
                    *line,
                    format!("parent_id '{parent}' is not a known partner"),
                );
                continue;
            }
            // Walk up; reaching the partner again means a cycle.
            let mut cursor = Some(parent.as_str());
            let mut steps = 0;
            while let Some(c) = cursor {
                if c == r.partner_id || steps > parents.len() {
                    p.add("partners.csv", *line, format!("parent_id '{parent}' would make a cycle: '{}' would be its own ancestor", r.partner_id));
                    break;
                }
                cursor = parents.get(c).copied().flatten();
                steps += 1;
            }
        }
    }
    // Order parents before children (depth within the import).
    let in_import: HashMap<&str, &PartnerRecord> = rows
        .iter()
        .map(|(_, r)| (r.partner_id.as_str(), r))
        .collect();
    let depth = |start: &PartnerRecord| -> usize {
        let mut d = 0usize;
        let mut cursor = start.parent_id.as_deref();
        while let Some(parent) = cursor {
            match in_import.get(parent) {
                Some(r) if d <= in_import.len() => {
                    d += 1;
                    cursor = r.parent_id.as_deref();
                }
                _ => break,
            }
        }
        d
    };
    let mut with_depth: Vec<(usize, u64, PartnerRecord)> = rows
        .iter()
        .map(|(l, r)| (depth(r), *l, r.clone()))
        .collect();
    with_depth.sort_by_key(|(d, l, _)| (*d, *l));
    Ok(with_depth.into_iter().map(|(_, l, r)| (l, r)).collect())
}

pub fn assignments(
    src: Source,
    p: &mut Problems,
    partners: &HashSet<String>,
    brands: &HashSet<String>,
    plans: &HashSet<String>,
    stored: &[Assignment],
) -> Result<Vec<(u64, Assignment)>> {
    let rows = read_all(
        src,
        "assignments.csv",
        &[
            "partner_id",
            "brand_id",
            "plan_id",
            "valid_from",
            "valid_to?",
        ],
        p,
        |r| {
            let a = Assignment {
                partner_id: id(r, 0, "partner_id")?,
                brand_id: id(r, 1, "brand_id")?,
                plan_id: id(r, 2, "plan_id")?,
                valid_from: parse_valid_from("valid_from", r.req(3, "valid_from")?)?,
                valid_to: r
                    .opt(4)
                    .map(|s| parse_valid_to("valid_to", s))
                    .transpose()?,
            };
            if !partners.contains(a.partner_id.as_str()) {
                return Err(FieldError::new(
                    "partner_id",
                    format!("partner '{}' does not exist", a.partner_id),
                ));
            }
            if !brands.contains(a.brand_id.as_str()) {
                return Err(FieldError::new(
                    "brand_id",
                    format!("brand '{}' does not exist", a.brand_id),
                ));
            }
            if !plans.contains(a.plan_id.as_str()) {
                return Err(FieldError::new(
                    "plan_id",
                    format!(
                        "plan '{}' does not exist (not in plans.json nor stored)",
                        a.plan_id
                    ),
                ));
            }
            if a.valid_to.is_some_and(|to| to < a.valid_from) {
                return Err(FieldError::new("valid_to", "ends before valid_from"));
            }
            Ok(a)
        },
    )?;
    let mut keys = Keys::new();
    for (line, a) in &rows {
        if !keys.first(&(a.partner_id.as_str(), a.brand_id.as_str(), a.valid_from)) {
            p.add(
                "assignments.csv",
                *line,
                format!(
                    "a second assignment of '{}' for '{}' from {}",
                    a.partner_id,
                    a.brand_id,
                    a.valid_from.first_day()
                ),
            );
        }
    }
    // Overlaps: among the import's rows, and with stored rows the import does not replace.
    let replaced: HashSet<(&str, &str, partnerdesk_domain::Period)> = rows
        .iter()
        .map(|(_, a)| (a.partner_id.as_str(), a.brand_id.as_str(), a.valid_from))
        .collect();
    let kept: Vec<&Assignment> = stored
        .iter()
        .filter(|s| !replaced.contains(&(s.partner_id.as_str(), s.brand_id.as_str(), s.valid_from)))
        .collect();
    // Only a partner and brand's own assignments can overlap: compare within
    // those groups (the earlier rows of the import first, then the kept ones).
    type Group<'a> = (Vec<&'a Assignment>, Vec<&'a Assignment>);
    let mut groups: HashMap<(&str, &str), Group> = HashMap::new();
    for s in &kept {
        groups
            .entry((s.partner_id.as_str(), s.brand_id.as_str()))
            .or_default()
            .1
            .push(s);
    }
    for (line, a) in &rows {
        let (earlier, kept) = groups
            .entry((a.partner_id.as_str(), a.brand_id.as_str()))
            .or_default();
        let found = overlapping(a, earlier.iter().chain(kept.iter()).copied());
        earlier.push(a);
        if let Some(o) = found {
            p.add(
                "assignments.csv",
                *line,
                format!(
                    "overlaps the assignment of plan '{}' from {} for the same partner and brand; a partner has at most one plan per brand at a time",
                    o.plan_id,
                    o.valid_from.first_day()
                ),
            );
        }
    }
    Ok(rows)
}

pub fn tracking_codes(
    src: Source,
    p: &mut Problems,
    partners: &HashSet<String>,
    brands: &HashSet<String>,
) -> Result<Vec<(u64, TrackingCode)>> {
    let rows = read_all(
        src,
        "tracking_codes.csv",
        &["code", "partner_id", "brand_id", "kind"],
        p,
        |r| {
            let t = TrackingCode {
                code: parse_code("code", r.req(0, "code")?)?,
                partner_id: id(r, 1, "partner_id")?,
                brand_id: id(r, 2, "brand_id")?,
                kind: TrackingKind::parse("kind", r.cell(3))?,
            };
            if !partners.contains(t.partner_id.as_str()) {
                return Err(FieldError::new(
                    "partner_id",
                    format!("partner '{}' does not exist", t.partner_id),
                ));
            }
            if !brands.contains(t.brand_id.as_str()) {
                return Err(FieldError::new(
                    "brand_id",
                    format!("brand '{}' does not exist", t.brand_id),
                ));
            }
            Ok(t)
        },
    )?;
    let mut keys = Keys::new();
    for (line, t) in &rows {
        if !keys.first(&(t.brand_id.as_str(), t.code.as_str())) {
            p.add(
                "tracking_codes.csv",
                *line,
                format!("code '{}' appears twice for brand '{}'", t.code, t.brand_id),
            );
        }
    }
    Ok(rows)
}

pub fn customers(
    src: Source,
    p: &mut Problems,
    brands: &HashSet<String>,
) -> Result<Vec<(u64, Customer)>> {
    let rows = read_all(
        src,
        "customers.csv",
        &[
            "customer_id",
            "brand_id",
            "tracking_code?",
            "country?",
            "registered_at",
            "status",
        ],
        p,
        |r| {
            let c = Customer {
                customer_id: id(r, 0, "customer_id")?,
                brand_id: id(r, 1, "brand_id")?,
                tracking_code: r.opt(2).map(str::to_string),
                // Empty: an unknown country (RULES.md).
                country: r
                    .opt(3)
                    .map(|c| CountryCode::parse("country", c))
                    .transpose()?,
                registered_at: parse_time("registered_at", r.req(4, "registered_at")?)?,
                status: CustomerStatus::parse("status", r.cell(5))?,
            };
            c.check()?;
            if !brands.contains(c.brand_id.as_str()) {
                return Err(FieldError::new(
                    "brand_id",
                    format!("brand '{}' does not exist", c.brand_id),
                ));
            }
            Ok(c)
        },
    )?;
    let mut keys = Keys::new();
    for (line, c) in &rows {
        if !keys.first(&c.customer_id) {
            p.add(
                "customers.csv",
                *line,
                format!("customer_id '{}' appears twice", c.customer_id),
            );
        }
    }
    Ok(rows)
}

pub fn fx_rates(src: Source, p: &mut Problems) -> Result<Vec<(u64, FxRate)>> {
    let rows = read_all(
        src,
        "fx_rates.csv",
        &["date", "base", "quote", "rate"],
        p,
        |r| {
            let f = FxRate {
                date: parse_date("date", r.req(0, "date")?)?,
                base: CurrencyCode::parse("base", r.cell(1))?,
                quote: CurrencyCode::parse("quote", r.cell(2))?,
                rate: parse_positive("rate", r.cell(3))?,
            };
            f.check()?;
            if f.base == f.quote {
                return Err(FieldError::new("quote", "is the same currency as base"));
            }
            Ok(f)
        },
    )?;
    let mut keys = Keys::new();
    for (line, f) in &rows {
        if !keys.first(&(f.date, f.base, f.quote)) {
            p.add(
                "fx_rates.csv",
                *line,
                format!("a second rate for {}/{} on {}", f.base, f.quote, f.date),
            );
        }
    }
    Ok(rows)
}

pub const ACTIVITY: [&str; 10] = [
    "customer_id",
    "brand_id",
    "date",
    "deposits",
    "withdrawals",
    "bets",
    "wins",
    "bonuses",
    "chargebacks",
    "taxes",
];

pub fn activity(r: &Row) -> Parsed<ActivityDay> {
    let a = ActivityDay {
        customer_id: id(r, 0, "customer_id")?,
        brand_id: id(r, 1, "brand_id")?,
        date: parse_date("date", r.req(2, "date")?)?,
        deposits: parse_non_negative("deposits", r.cell(3))?,
        withdrawals: parse_non_negative("withdrawals", r.cell(4))?,
        bets: parse_non_negative("bets", r.cell(5))?,
        wins: parse_non_negative("wins", r.cell(6))?,
        bonuses: parse_non_negative("bonuses", r.cell(7))?,
        chargebacks: parse_non_negative("chargebacks", r.cell(8))?,
        taxes: parse_non_negative("taxes", r.cell(9))?,
    };
    a.check()?;
    Ok(a)
}

pub const TRADES: [&str; 10] = [
    "trade_id",
    "customer_id",
    "brand_id",
    "symbol",
    "instrument_group",
    "lots",
    "open_time",
    "close_time",
    "commission",
    "spread_revenue",
];

pub fn trade(r: &Row) -> Parsed<Trade> {
    let t = Trade {
        trade_id: id(r, 0, "trade_id")?,
        customer_id: id(r, 1, "customer_id")?,
        brand_id: id(r, 2, "brand_id")?,
        symbol: r.req(3, "symbol")?.to_string(),
        instrument_group: r.req(4, "instrument_group")?.to_string(),
        lots: parse_positive("lots", r.cell(5))?,
        open_time: parse_time("open_time", r.req(6, "open_time")?)?,
        close_time: parse_time("close_time", r.req(7, "close_time")?)?,
        commission: parse_non_negative("commission", r.cell(8))?,
        spread_revenue: parse_non_negative("spread_revenue", r.cell(9))?,
    };
    t.check()?;
    if t.close_time < t.open_time {
        return Err(FieldError::new(
            "close_time",
            format!(
                "{} is before open_time {}; a trade closes after it opens",
                r.cell(7),
                r.cell(6)
            ),
        ));
    }
    Ok(t)
}

pub const PURCHASES: [&str; 8] = [
    "order_id",
    "customer_id",
    "brand_id",
    "product",
    "amount",
    "coupon_code?",
    "purchased_at",
    "refunded_at?",
];

pub fn purchase(r: &Row) -> Parsed<Purchase> {
    let pu = Purchase {
        order_id: id(r, 0, "order_id")?,
        customer_id: id(r, 1, "customer_id")?,
        brand_id: id(r, 2, "brand_id")?,
        product: r.req(3, "product")?.to_string(),
        amount: parse_non_negative("amount", r.cell(4))?,
        coupon_code: r.opt(5).map(str::to_string),
        purchased_at: parse_time("purchased_at", r.req(6, "purchased_at")?)?,
        refunded_at: r.opt(7).map(|s| parse_time("refunded_at", s)).transpose()?,
    };
    pu.check()?;
    if pu.refunded_at.is_some_and(|r| r < pu.purchased_at) {
        return Err(FieldError::new("refunded_at", "is before purchased_at"));
    }
    Ok(pu)
}
