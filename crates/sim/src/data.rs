//! The simulator's data: an import folder (RULES.md; usually made by
//! crates/gen) turned into what each platform would hold.

use crate::SimError;
use chrono::{DateTime, NaiveDate, NaiveDateTime, Timelike, Utc};
use rust_decimal::Decimal;
use std::collections::HashMap;
use std::path::Path;
use std::str::FromStr;

#[derive(Debug, Clone)]
pub struct Account {
    pub login: u64,
    pub agent: String,
    pub country: String,
    pub registered: i64,
}

/// One MT5 deal, already in the Web API's terms.
#[derive(Debug, Clone)]
pub struct Deal {
    pub ticket: u64,
    pub login: u64,
    pub time_msc: i64,
    pub action: u8,
    pub entry: u8,
    pub symbol: String,
    /// In 1/100,000,000 lot (MT5's `VolumeExt`).
    pub volume_ext: u64,
    pub position: u64,
    /// As MT5 writes it: negative when charged to the client.
    pub commission: Decimal,
}

#[derive(Debug, Clone)]
pub struct Player {
    pub id: String,
    pub btag: String,
    pub country: String,
    pub registered_at: String,
    pub status: String,
}

#[derive(Debug, Clone)]
pub struct Activity {
    pub player_id: String,
    pub date: String,
    pub amounts: [String; 7],
    pub updated_at: String,
}

/// A WooCommerce order; times are GMT.
#[derive(Debug, Clone)]
pub struct Order {
    pub id: u64,
    pub customer: u64,
    pub product: String,
    pub total: String,
    pub coupon: String,
    /// The buyer's referral code (order meta), empty for none.
    pub referral: String,
    pub country: String,
    pub created: NaiveDateTime,
    pub modified: NaiveDateTime,
    /// `pending`, `processing`, `on-hold`, `completed`, `cancelled`,
    /// `refunded`, `failed`.
    pub status: String,
    /// Refund amounts (positive decimal text).
    pub refunds: Vec<String>,
    /// Modified by the simulator while a sync paged.
    pub touched: bool,
}

impl Order {
    /// A paid order (a purchase, refunded or not).
    pub fn is_purchase(&self) -> bool {
        matches!(
            self.status.as_str(),
            "processing" | "completed" | "refunded"
        )
    }
    pub fn is_refunded(&self) -> bool {
        self.status == "refunded" || !self.refunds.is_empty()
    }
}

/// Everything the simulator serves.
#[derive(Debug, Default)]
pub struct SimData {
    pub accounts: Vec<Account>,
    /// Sorted by time, then ticket.
    pub deals: Vec<Deal>,
    /// Sorted by registered_at (the players' `updated_at`), then id.
    pub players: Vec<Player>,
    /// Sorted by updated_at, then player and date.
    pub activity: Vec<Activity>,
    /// Orders (paid ones from `purchases.csv` and unpaid ones besides).
    pub orders: Vec<Order>,
    /// Round-turn trades behind the deals (what a full sync must yield).
    pub trades: u64,
}

fn number_of(customer_id: &str) -> u64 {
    customer_id
        .chars()
        .filter(|c| c.is_ascii_digit())
        .collect::<String>()
        .parse()
        .unwrap_or(0)
}

fn millis(raw: &str) -> Result<i64, SimError> {
    DateTime::parse_from_rfc3339(raw)
        .map(|t| t.with_timezone(&Utc).timestamp_millis())
        .map_err(|_| SimError::Data(format!("'{raw}' is not an RFC 3339 time")))
}

fn gmt(raw: &str) -> Result<NaiveDateTime, SimError> {
    let t = DateTime::from_timestamp_millis(millis(raw)?)
        .ok_or_else(|| SimError::Data(format!("'{raw}' is out of range")))?;
    // WooCommerce keeps times to the second.
    Ok(t.naive_utc().with_nanosecond(0).unwrap_or(t.naive_utc()))
}

fn read(dir: &Path, file: &str) -> Result<Vec<HashMap<String, String>>, SimError> {
    let path = dir.join(file);
    if !path.exists() {
        return Ok(Vec::new());
    }
    let mut r = csv::Reader::from_path(&path)
        .map_err(|e| SimError::Data(format!("{}: {e}", path.display())))?;
    let headers = r
        .headers()
        .map_err(|e| SimError::Data(format!("{}: {e}", path.display())))?
        .clone();
    let mut out = Vec::new();
    for rec in r.records() {
        let rec = rec.map_err(|e| SimError::Data(format!("{}: {e}", path.display())))?;
        out.push(
            headers
                .iter()
                .zip(rec.iter())
                .map(|(h, v)| (h.to_string(), v.to_string()))
                .collect(),
        );
    }
    Ok(out)
}

fn get<'a>(row: &'a HashMap<String, String>, k: &str) -> &'a str {
    row.get(k).map(String::as_str).unwrap_or("")
}

impl SimData {
    /// Reads an import folder: forex customers become MT5 accounts and their
    /// trades deal pairs; customers of `gaming_brand` become players; prop
    /// purchases become WooCommerce orders.
    pub fn from_folder(dir: &Path, gaming_brand: Option<&str>) -> Result<Self, SimError> {
        let brands = read(dir, "brands.csv")?;
        let vertical: HashMap<String, String> = brands
            .iter()
            .map(|b| {
                (
                    get(b, "brand_id").to_string(),
                    get(b, "vertical").to_string(),
                )
            })
            .collect();
        let gaming_brand = gaming_brand.map(str::to_string).or_else(|| {
            brands
                .iter()
                .find(|b| get(b, "vertical") == "igaming")
                .map(|b| get(b, "brand_id").to_string())
        });
        let mut data = SimData::default();
        let mut registered: HashMap<String, String> = HashMap::new();
        let mut country_of: HashMap<String, String> = HashMap::new();
        let mut code_of: HashMap<String, String> = HashMap::new();
        for c in read(dir, "customers.csv")? {
            let id = get(&c, "customer_id").to_string();
            let brand = get(&c, "brand_id");
            registered.insert(id.clone(), get(&c, "registered_at").to_string());
            country_of.insert(id.clone(), get(&c, "country").to_string());
            code_of.insert(id.clone(), get(&c, "tracking_code").to_string());
            match vertical.get(brand).map(String::as_str) {
                Some("forex") => data.accounts.push(Account {
                    login: number_of(&id),
                    agent: get(&c, "tracking_code").to_string(),
                    country: get(&c, "country").to_string(),
                    registered: millis(get(&c, "registered_at"))? / 1000,
                }),
                Some("igaming") if Some(brand) == gaming_brand.as_deref() => {
                    data.players.push(Player {
                        id: id.clone(),
                        btag: get(&c, "tracking_code").to_string(),
                        country: get(&c, "country").to_string(),
                        registered_at: get(&c, "registered_at").to_string(),
                        status: get(&c, "status").to_string(),
                    })
                }
                _ => {}
            }
        }
        for a in read(dir, "igaming_activity.csv")? {
            if Some(get(&a, "brand_id")) != gaming_brand.as_deref() {
                continue;
            }
            let date = get(&a, "date").to_string();
            let day = NaiveDate::from_str(&date)
                .map_err(|_| SimError::Data(format!("'{date}' is not a date")))?;
            let updated = format!("{}T23:59:59Z", day);
            data.activity.push(Activity {
                player_id: get(&a, "customer_id").to_string(),
                amounts: [
                    "deposits",
                    "withdrawals",
                    "bets",
                    "wins",
                    "bonuses",
                    "chargebacks",
                    "taxes",
                ]
                .map(|k| get(&a, k).to_string()),
                date,
                updated_at: updated,
            });
        }
        let mut position = 0u64;
        for t in read(dir, "trades.csv")? {
            position += 1;
            let login = number_of(get(&t, "customer_id"));
            let lots = Decimal::from_str(get(&t, "lots"))
                .map_err(|_| SimError::Data(format!("lots '{}'", get(&t, "lots"))))?;
            let volume_ext = (lots * Decimal::from(100_000_000u64))
                .trunc()
                .to_string()
                .parse::<u64>()
                .unwrap_or(0);
            let commission = Decimal::from_str(get(&t, "commission")).unwrap_or_default();
            let action = (position % 2) as u8;
            let symbol = get(&t, "symbol").to_string();
            data.deals.push(Deal {
                ticket: position * 2 - 1,
                login,
                time_msc: millis(get(&t, "open_time"))?,
                action,
                entry: 0,
                symbol: symbol.clone(),
                volume_ext,
                position,
                commission: -commission,
            });
            data.deals.push(Deal {
                ticket: position * 2,
                login,
                time_msc: millis(get(&t, "close_time"))?,
                action: 1 - action,
                entry: 1,
                symbol,
                volume_ext,
                position,
                commission: Decimal::ZERO,
            });
        }
        data.trades = position;
        data.deals.sort_by_key(|d| (d.time_msc, d.ticket));
        let mut order = 0u64;
        const UNPAID: [&str; 4] = ["pending", "failed", "cancelled", "on-hold"];
        let mut unpaid = Vec::new();
        for p in read(dir, "purchases.csv")? {
            order += 1;
            let customer = get(&p, "customer_id").to_string();
            let refunded_at = get(&p, "refunded_at");
            let created = gmt(get(&p, "purchased_at"))?;
            let total = get(&p, "amount").to_string();
            // Refunded orders: half say so by status, half were refunded
            // later while the status stayed `completed`.
            let (status, refunds) = match (refunded_at.is_empty(), order % 2) {
                (true, _) if order % 3 == 0 => ("processing", vec![]),
                (true, _) => ("completed", vec![]),
                (false, 0) => ("refunded", vec![total.clone()]),
                (false, _) => ("completed", vec![total.clone()]),
            };
            let o = Order {
                id: order,
                customer: number_of(&customer),
                product: get(&p, "product").to_string(),
                total,
                coupon: get(&p, "coupon_code").to_string(),
                referral: code_of.get(&customer).cloned().unwrap_or_default(),
                country: country_of.get(&customer).cloned().unwrap_or_default(),
                created,
                modified: if refunded_at.is_empty() {
                    created
                } else {
                    gmt(refunded_at)?
                },
                status: status.to_string(),
                refunds,
                touched: false,
            };
            // Every 5th buyer also left an order that was never paid.
            if order % 5 == 0 {
                unpaid.push(Order {
                    id: 1_000_000 + order,
                    status: UNPAID[(order as usize / 5) % UNPAID.len()].to_string(),
                    created: created - chrono::Duration::minutes(10),
                    modified: created - chrono::Duration::minutes(5),
                    refunds: vec![],
                    ..o.clone()
                });
            }
            data.orders.push(o);
        }
        data.orders.extend(unpaid);
        data.orders
            .sort_by(|a, b| (a.modified, a.id).cmp(&(b.modified, b.id)));
        data.players
            .sort_by(|a, b| (&a.registered_at, &a.id).cmp(&(&b.registered_at, &b.id)));
        data.activity.sort_by(|a, b| {
            (&a.updated_at, &a.player_id, &a.date).cmp(&(&b.updated_at, &b.player_id, &b.date))
        });
        let _ = registered;
        Ok(data)
    }

    /// Generates a data set with crates/gen (`customers` over `days` days
    /// from 2026-07-01) and reads it.
    pub fn generate(customers: usize, days: u32, seed: u64) -> Result<Self, SimError> {
        let dir = tempfile::tempdir().map_err(|e| SimError::Data(e.to_string()))?;
        let opts = partnerdesk_gen::GenOptions::new(
            partnerdesk_gen::Scale::Custom {
                partners: (customers / 20).max(10),
                customers,
                days,
            },
            seed,
        );
        partnerdesk_gen::generate(&opts, dir.path(), &mut |_, _, _| {})
            .map_err(|e| SimError::Data(e.to_string()))?;
        Self::from_folder(dir.path(), None)
    }
}

impl SimData {
    /// A synthetic data set of about `deals` MT5 deals (pairs of entry-in and
    /// entry-out over July 2026) and `activity` daily activity rows, for the
    /// sync benchmark; deterministic.
    pub fn synthetic(deals: usize, activity: usize) -> Self {
        const SYMBOLS: [&str; 6] = ["EURUSD", "GBPUSD", "XAUUSD.m", "US30", "EURJPY", "USDJPY"];
        let base = 1_782_864_000_000i64; // 2026-07-01T00:00:00Z in ms
        let month_ms = 30 * 86_400_000i64;
        let mut data = SimData::default();
        let n_acc = (deals / 100).max(10);
        for login in 1..=n_acc as u64 {
            data.accounts.push(Account {
                login,
                agent: format!("{}", 5000 + login % 97),
                country: "DE".into(),
                registered: 1_780_272_000, // 2026-06-01
            });
        }
        let positions = deals / 2;
        for i in 0..positions as u64 {
            let open = base + (i as i64 * month_ms) / positions.max(1) as i64;
            let close = open + 60_000 + (i as i64 % 3_600) * 1_000;
            let login = i % n_acc as u64 + 1;
            let symbol = SYMBOLS[(i % 6) as usize].to_string();
            let volume_ext = 10_000_000 * (1 + i % 20);
            let position = i + 1;
            data.deals.push(Deal {
                ticket: 2 * i + 1,
                login,
                time_msc: open,
                action: (i % 2) as u8,
                entry: 0,
                symbol: symbol.clone(),
                volume_ext,
                position,
                commission: Decimal::new(-35 * (1 + i as i64 % 20), 2),
            });
            data.deals.push(Deal {
                ticket: 2 * i + 2,
                login,
                time_msc: close,
                action: 1 - (i % 2) as u8,
                entry: 1,
                symbol,
                volume_ext,
                position,
                commission: Decimal::ZERO,
            });
        }
        data.trades = positions as u64;
        data.deals.sort_by_key(|d| (d.time_msc, d.ticket));
        let n_pl = (activity / 30).max(1);
        for p in 0..n_pl {
            data.players.push(Player {
                id: format!("P{p:07}"),
                btag: format!("cas-{}", p % 500),
                country: "GB".into(),
                registered_at: "2026-06-15T10:00:00Z".into(),
                status: "active".into(),
            });
        }
        let start = NaiveDate::from_ymd_opt(2026, 7, 1).unwrap_or_default();
        for k in 0..activity {
            let day = start + chrono::Days::new((k / n_pl) as u64);
            let p = k % n_pl;
            data.activity.push(Activity {
                player_id: format!("P{p:07}"),
                date: day.to_string(),
                amounts: [
                    format!("{}.00", 10 + k % 90),
                    "0.00".into(),
                    format!("{}.50", 100 + k % 400),
                    format!("{}.25", 80 + k % 350),
                    "5.00".into(),
                    "0.00".into(),
                    "0.00".into(),
                ],
                updated_at: format!("{day}T23:59:59Z"),
            });
        }
        data
    }
}
