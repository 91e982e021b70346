//! A small reference for REPORTS.md, written from its words alone: it reads
//! the import folder (and commission lines as exported), never the
//! roll-ups, and prints the CSV a report must be.

use rust_decimal::Decimal;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::Path;
use std::str::FromStr;

mod table;

type Row = HashMap<String, String>;

fn read(dir: &Path, file: &str) -> Vec<Row> {
    let path = dir.join(file);
    if !path.exists() {
        return Vec::new();
    }
    let mut r = csv::Reader::from_path(&path).expect("a readable CSV");
    let header: Vec<String> = r.headers().unwrap().iter().map(str::to_string).collect();
    r.records()
        .map(|rec| {
            let rec = rec.unwrap();
            header
                .iter()
                .cloned()
                .zip(rec.iter().map(str::to_string))
                .collect()
        })
        .collect()
}

fn d(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap_or_else(|_| panic!("decimal '{s}'"))
}

/// UTC day of an RFC 3339 time.
fn utc_day(t: &str) -> String {
    chrono::DateTime::parse_from_rfc3339(t)
        .unwrap()
        .with_timezone(&chrono::Utc)
        .date_naive()
        .to_string()
}

/// A plan's `cpa` component: what qualifies a customer.
struct CpaTerms {
    min_deposits: Option<Decimal>,
    min_bets: Decimal,
    window: Option<i64>,
    countries: Vec<String>,
    cap: Option<usize>,
}

/// Each plan's CPA terms (None: the plan has no `cpa` component).
fn cpa_terms(dir: &Path) -> HashMap<String, Option<CpaTerms>> {
    let Ok(text) = std::fs::read_to_string(dir.join("plans.json")) else {
        return HashMap::new();
    };
    let plans: serde_json::Value = serde_json::from_str(&text).unwrap();
    plans
        .as_array()
        .unwrap()
        .iter()
        .map(|plan| {
            let cpa = plan["components"]
                .as_array()
                .unwrap()
                .iter()
                .find(|c| c["type"] == "cpa")
                .map(|c| CpaTerms {
                    min_deposits: c["min_deposits"].as_str().map(d),
                    min_bets: c["min_bets"].as_str().map(d).unwrap_or_default(),
                    window: c["window_days"].as_i64(),
                    countries: c["countries"]
                        .as_array()
                        .map(|a| a.iter().map(|x| x.as_str().unwrap().to_string()).collect())
                        .unwrap_or_default(),
                    cap: c["cap_per_period"].as_u64().map(|n| n as usize),
                });
            (plan["plan_id"].as_str().unwrap().to_string(), cpa)
        })
        .collect()
}

/// One figure: where it belongs and how much.
#[derive(Clone, Debug)]
struct Fact {
    day: Option<String>,
    period: String,
    brand: Option<String>,
    partner: Option<String>,
    country: String,
    code: String,
    currency: String,
    measure: &'static str,
    value: Decimal,
}

pub struct Reference {
    brands: HashMap<String, (String, String)>,
    codes: HashMap<(String, String), (String, String)>,
    currencies: HashMap<String, String>,
    parents: HashMap<String, Option<String>>,
    kinds: HashMap<String, String>,
    fx: Vec<(String, String, String, Decimal)>,
    facts: Vec<Fact>,
}

const AMOUNTS: [&str; 14] = [
    "ftd_amount",
    "deposits",
    "withdrawals",
    "bets",
    "wins",
    "bonuses",
    "chargebacks",
    "taxes",
    "trading_revenue",
    "purchase_amount",
    "refund_amount",
    "commission",
    "paid",
    "ggr",
];

impl Reference {
    /// From the import folder and the exported commission lines (CSV text
    /// of each period's `commissions export`).
    pub fn new(dir: &Path, exports: &[String]) -> Reference {
        let brands: HashMap<String, (String, String)> = read(dir, "brands.csv")
            .into_iter()
            .map(|r| {
                (
                    r["brand_id"].clone(),
                    (r["vertical"].clone(), r["currency"].clone()),
                )
            })
            .collect();
        let blocked: HashSet<(String, String)> = read(dir, "brand_geo_blocks.csv")
            .into_iter()
            .map(|r| (r["brand_id"].clone(), r["country"].clone()))
            .collect();
        let mut parents = HashMap::new();
        let mut kinds = HashMap::new();
        let mut currencies = HashMap::new();
        for r in read(dir, "partners.csv") {
            let parent = Some(r["parent_id"].clone()).filter(|s| !s.is_empty());
            parents.insert(r["partner_id"].clone(), parent);
            kinds.insert(r["partner_id"].clone(), r["kind"].clone());
            currencies.insert(r["partner_id"].clone(), r["currency"].clone());
        }
        let codes: HashMap<(String, String), (String, String)> = read(dir, "tracking_codes.csv")
            .into_iter()
            .map(|r| {
                (
                    (r["brand_id"].clone(), r["code"].clone()),
                    (r["partner_id"].clone(), r["kind"].clone()),
                )
            })
            .collect();
        let fx = read(dir, "fx_rates.csv")
            .into_iter()
            .map(|r| {
                (
                    r["date"].clone(),
                    r["base"].clone(),
                    r["quote"].clone(),
                    d(&r["rate"]),
                )
            })
            .collect();

        struct Cust {
            id: String,
            registered: String,
            brand: String,
            code: String,
            country: String,
            partner: Option<String>,
            out: bool,
            currency: String,
        }
        let mut customers: HashMap<String, Cust> = HashMap::new();
        let mut facts = Vec::new();
        let fact = |day: &str,
                    brand: &str,
                    partner: Option<String>,
                    c: &Cust,
                    m: &'static str,
                    v: Decimal| Fact {
            day: Some(day.to_string()),
            period: day[..7].to_string(),
            brand: Some(brand.to_string()),
            partner,
            country: c.country.clone(),
            code: c.code.clone(),
            currency: c.currency.clone(),
            measure: m,
            value: v,
        };
        for r in read(dir, "customers.csv") {
            let brand = r["brand_id"].clone();
            let code = r["tracking_code"].clone();
            let partner = codes
                .get(&(brand.clone(), code.clone()))
                .map(|(p, _)| p.clone());
            let out = r["status"] == "excluded"
                || blocked.contains(&(brand.clone(), r["country"].clone()));
            let c = Cust {
                id: r["customer_id"].clone(),
                registered: utc_day(&r["registered_at"]),
                brand: brand.clone(),
                code,
                country: r["country"].clone(),
                partner: partner.clone(),
                out,
                currency: brands[&brand].1.clone(),
            };
            let day = utc_day(&r["registered_at"]);
            if out {
                if partner.is_some() {
                    facts.push(fact(
                        &day,
                        &brand,
                        partner,
                        &c,
                        "excluded_registrations",
                        Decimal::ONE,
                    ));
                }
            } else {
                facts.push(fact(
                    &day,
                    &brand,
                    partner,
                    &c,
                    "registrations",
                    Decimal::ONE,
                ));
            }
            customers.insert(r["customer_id"].clone(), c);
        }
        // Activity and FTDs.
        let mut first_deposit: HashMap<String, (String, Decimal)> = HashMap::new();
        let activity = read(dir, "igaming_activity.csv");
        for r in &activity {
            let c = &customers[&r["customer_id"]];
            let dep = d(&r["deposits"]);
            if dep > Decimal::ZERO {
                let e = first_deposit
                    .entry(r["customer_id"].clone())
                    .or_insert((r["date"].clone(), dep));
                if r["date"] < e.0 {
                    *e = (r["date"].clone(), dep);
                }
            }
            if c.out {
                continue;
            }
            for m in [
                "deposits",
                "withdrawals",
                "bets",
                "wins",
                "bonuses",
                "chargebacks",
                "taxes",
            ] {
                facts.push(fact(
                    &r["date"],
                    &c.brand,
                    c.partner.clone(),
                    c,
                    m,
                    d(&r[m]),
                ));
            }
        }
        for (id, (day, amount)) in &first_deposit {
            let c = &customers[id];
            if !c.out {
                facts.push(fact(
                    day,
                    &c.brand,
                    c.partner.clone(),
                    c,
                    "ftds",
                    Decimal::ONE,
                ));
                facts.push(fact(
                    day,
                    &c.brand,
                    c.partner.clone(),
                    c,
                    "ftd_amount",
                    *amount,
                ));
            }
        }
        for r in read(dir, "trades.csv") {
            let c = &customers[&r["customer_id"]];
            if c.out {
                continue;
            }
            let day = utc_day(&r["close_time"]);
            facts.push(fact(
                &day,
                &c.brand,
                c.partner.clone(),
                c,
                "trades",
                Decimal::ONE,
            ));
            facts.push(fact(
                &day,
                &c.brand,
                c.partner.clone(),
                c,
                "lots",
                d(&r["lots"]),
            ));
            let rev = d(&r["commission"]) + d(&r["spread_revenue"]);
            facts.push(fact(
                &day,
                &c.brand,
                c.partner.clone(),
                c,
                "trading_revenue",
                rev,
            ));
        }
        // Purchases: the coupon wins; else the customer's partner; an
        // unattributed customer joins the partner of its first coupon.
        let mut purchases = read(dir, "purchases.csv");
        purchases.sort_by(|a, b| {
            let ka = (
                a["customer_id"].clone(),
                chrono::DateTime::parse_from_rfc3339(&a["purchased_at"]).unwrap(),
                a["order_id"].clone(),
            );
            let kb = (
                b["customer_id"].clone(),
                chrono::DateTime::parse_from_rfc3339(&b["purchased_at"]).unwrap(),
                b["order_id"].clone(),
            );
            ka.cmp(&kb)
        });
        let mut seen: HashSet<String> = HashSet::new();
        let mut adopted: HashMap<String, String> = HashMap::new();
        for r in &purchases {
            let id = &r["customer_id"];
            let c = &customers[id];
            let first = seen.insert(id.clone());
            let coupon = codes
                .get(&(c.brand.clone(), r["coupon_code"].clone()))
                .filter(|(_, kind)| kind == "coupon" && !r["coupon_code"].is_empty())
                .map(|(p, _)| p.clone());
            let partner = match (&coupon, &c.partner) {
                (Some(cp), own) => {
                    if own.is_none() && !adopted.contains_key(id) {
                        adopted.insert(id.clone(), cp.clone());
                    }
                    Some(cp.clone())
                }
                (None, Some(own)) => Some(own.clone()),
                (None, None) => adopted.get(id).cloned(),
            };
            if c.out {
                continue;
            }
            let amount = d(&r["amount"]);
            let day = utc_day(&r["purchased_at"]);
            facts.push(fact(
                &day,
                &c.brand,
                partner.clone(),
                c,
                "purchases",
                Decimal::ONE,
            ));
            if first {
                facts.push(fact(
                    &day,
                    &c.brand,
                    partner.clone(),
                    c,
                    "first_purchases",
                    Decimal::ONE,
                ));
            }
            facts.push(fact(
                &day,
                &c.brand,
                partner.clone(),
                c,
                "purchase_amount",
                amount,
            ));
            if !r["refunded_at"].is_empty() {
                let day = utc_day(&r["refunded_at"]);
                facts.push(fact(
                    &day,
                    &c.brand,
                    partner.clone(),
                    c,
                    "refunds",
                    Decimal::ONE,
                ));
                facts.push(fact(
                    &day,
                    &c.brand,
                    partner.clone(),
                    c,
                    "refund_amount",
                    amount,
                ));
            }
        }
        // Commission lines as exported.
        for text in exports {
            for line in text.lines().skip(1) {
                let f: Vec<&str> = line.split(',').collect();
                let (partner, brand, period, kind, amount, currency) =
                    (f[0], f[1], f[2], f[3], d(f[4]), f[5]);
                let base = Fact {
                    day: None,
                    period: period.to_string(),
                    brand: Some(brand.to_string()),
                    partner: Some(partner.to_string()),
                    country: String::new(),
                    code: String::new(),
                    currency: currency.to_string(),
                    measure: "commission",
                    value: amount,
                };
                let kind_measure: &'static str =
                    Box::leak(format!("commission_{kind}").into_boxed_str());
                facts.push(Fact {
                    measure: kind_measure,
                    ..base.clone()
                });
                facts.push(base);
            }
        }
        // CPA qualifiers (RULES.md's CPA words): counted in the period of
        // the qualification day, in the partner's currency.
        let plans = cpa_terms(dir);
        let assignments = read(dir, "assignments.csv");
        let in_force = |partner: &str, brand: &str, day: &str| -> Option<&CpaTerms> {
            assignments
                .iter()
                .find(|a| {
                    a["partner_id"] == partner
                        && a["brand_id"] == brand
                        && a["valid_from"].as_str() <= day
                        && (a["valid_to"].is_empty() || day <= a["valid_to"].as_str())
                })
                .and_then(|a| plans.get(&a["plan_id"]))
                .and_then(Option::as_ref)
        };
        let mut days_of: HashMap<&str, Vec<&Row>> = HashMap::new();
        for r in &activity {
            days_of
                .entry(r["customer_id"].as_str())
                .or_default()
                .push(r);
        }
        // (partner, brand, period) -> [(day, customer)]
        let mut qualified: BTreeMap<(String, String, String), Vec<(String, String)>> =
            BTreeMap::new();
        for c in customers.values() {
            let (Some(partner), false) = (&c.partner, c.out) else {
                continue;
            };
            let mut rows: Vec<&Row> = days_of.get(c.id.as_str()).cloned().unwrap_or_default();
            rows.retain(|r| r["date"] >= c.registered);
            rows.sort_by(|a, b| a["date"].cmp(&b["date"]));
            let (mut deposits, mut bets) = (Decimal::ZERO, Decimal::ZERO);
            let registered = chrono::NaiveDate::parse_from_str(&c.registered, "%Y-%m-%d").unwrap();
            for r in rows {
                deposits += d(&r["deposits"]);
                bets += d(&r["bets"]);
                let Some(t) = in_force(partner, &c.brand, &r["date"]) else {
                    continue;
                };
                let day = chrono::NaiveDate::parse_from_str(&r["date"], "%Y-%m-%d").unwrap();
                let nth = (day - registered).num_days() + 1;
                let ok = t.window.is_none_or(|w| nth <= w)
                    && deposits > Decimal::ZERO
                    && t.min_deposits.is_none_or(|m| deposits >= m)
                    && bets >= t.min_bets
                    && (t.countries.is_empty() || t.countries.contains(&c.country));
                if ok {
                    qualified
                        .entry((partner.clone(), c.brand.clone(), r["date"][..7].to_string()))
                        .or_default()
                        .push((r["date"].clone(), c.id.clone()));
                    break;
                }
            }
        }
        for ((partner, brand, period), mut who) in qualified {
            who.sort();
            let day = format!("{period}-01");
            let cap = in_force(&partner, &brand, &day).and_then(|t| t.cap);
            for (_, id) in who.into_iter().take(cap.unwrap_or(usize::MAX)) {
                let c = &customers[&id];
                facts.push(Fact {
                    day: None,
                    period: period.clone(),
                    brand: Some(brand.clone()),
                    partner: Some(partner.clone()),
                    country: c.country.clone(),
                    code: c.code.clone(),
                    currency: currencies[&partner].clone(),
                    measure: "qualified_cpas",
                    value: Decimal::ONE,
                });
            }
        }
        Reference {
            brands,
            codes,
            currencies,
            parents,
            kinds,
            fx,
            facts,
        }
    }

    /// A payment marked paid on `day` (`YYYY-MM-DD`): `paid` counts it in
    /// that day's period, for the partner, in the payment's currency.
    pub fn paid(&mut self, partner: &str, currency: &str, amount: Decimal, day: &str) {
        assert_eq!(
            self.currencies[partner], currency,
            "paid in the partner's currency"
        );
        self.facts.push(Fact {
            day: None,
            period: day[..7].to_string(),
            brand: None,
            partner: Some(partner.to_string()),
            country: String::new(),
            code: String::new(),
            currency: currency.to_string(),
            measure: "paid",
            value: amount,
        });
    }

    /// A human click the tracking server recorded on a link of `code` in
    /// `brand` on `day` (`YYYY-MM-DD`), seen from `country` ('' unknown):
    /// it counts for the code's partner, in the brand's currency; a click
    /// is no customer, so exclusions and geo blocks leave it alone.
    pub fn click(&mut self, brand: &str, code: &str, country: &str, day: &str, unique: bool) {
        let partner = self
            .codes
            .get(&(brand.to_string(), code.to_string()))
            .map(|(p, _)| p.clone());
        let base = Fact {
            day: Some(day.to_string()),
            period: day[..7].to_string(),
            brand: Some(brand.to_string()),
            partner,
            country: country.to_string(),
            code: code.to_string(),
            currency: self.brands[brand].1.clone(),
            measure: "clicks",
            value: Decimal::ONE,
        };
        if unique {
            self.facts.push(Fact {
                measure: "unique_clicks",
                ..base.clone()
            });
        }
        self.facts.push(base);
    }
}
