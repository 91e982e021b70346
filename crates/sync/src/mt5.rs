//! MetaTrader 5 Web API, as MetaQuotes documents it for managers:
//!
//! * `GET /api/auth/start?version=…&agent=…&login=…&type=manager` answers
//!   `srv_rand` (hex);
//! * `GET /api/auth/answer?srv_rand_answer=…&cli_rand=…` where
//!   `srv_rand_answer = MD5(password_hash ‖ srv_rand bytes)` and
//!   `password_hash = MD5(MD5(UTF-16LE(password)) ‖ "WebAPI")`; the server
//!   proves it knows the password too with `cli_rand_answer =
//!   MD5(password_hash ‖ cli_rand bytes)`, which we check;
//! * `GET /api/user/get_batch?group=…` (the `Agent` field is the IB's agent
//!   account: our `agent` tracking code);
//! * deals by time range (Unix seconds, both ends included), either
//!   `GET /api/deal/get_batch?group=…&from=…&to=…` or, per login from
//!   `GET /api/user/logins?group=…`, `GET /api/deal/get_total?login=…&from=…&to=…`
//!   (answer `{"total": n}`) and `GET /api/deal/get_page?login=…&from=…&to=…&offset=…&total=…`
//!   (at most 100 a page); `deals_api` chooses, `auto` falls back to pages when
//!   the server does not know get_batch.
//!
//! Deals become round-turn trades: an entry-in deal opens (or adds to) a
//! position, an entry-out deal closes part or all of it and yields one trade
//! with the open and close times, the closed volume in lots (MT5 volume is in
//! 1/10,000 lot) and the commission of both sides. Positions still open at
//! the end of a window travel in the cursor, so a window can be replayed.

use crate::config::{symbol_matches, DealsApi, Mt5Config};
use crate::error::{RecordError, SyncError};
use crate::http::{base_url, join, Answer, Http, Request};
use crate::json;
use crate::{Connector, Credentials, Page};
use chrono::{DateTime, NaiveDate, Utc};
use md5::{Digest, Md5};
use partnerdesk_domain::data::{Customer, CustomerStatus, Trade};
use partnerdesk_domain::Id;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;

/// `MD5(MD5(UTF-16LE(password)) ‖ "WebAPI")`.
pub fn password_hash(password: &str) -> [u8; 16] {
    let utf16: Vec<u8> = password
        .encode_utf16()
        .flat_map(|u| u.to_le_bytes())
        .collect();
    let inner = Md5::digest(&utf16);
    let mut h = Md5::new();
    h.update(inner);
    h.update(b"WebAPI");
    h.finalize().into()
}

/// `MD5(password_hash ‖ random bytes)` as lowercase hex: the answer to a
/// server's `srv_rand` (or the server's to our `cli_rand`).
pub fn rand_answer(password: &str, random: &[u8]) -> String {
    let mut h = Md5::new();
    h.update(password_hash(password));
    h.update(random);
    hex::encode(h.finalize())
}

/// The answer to `srv_rand` as the server sends it (hex).
pub fn srv_rand_answer(password: &str, srv_rand_hex: &str) -> Result<String, SyncError> {
    let bytes = hex::decode(srv_rand_hex.trim()).map_err(|_| {
        SyncError::Auth(format!(
            "the server's srv_rand '{srv_rand_hex}' is not hex: is this an MT5 Web API address?"
        ))
    })?;
    Ok(rand_answer(password, &bytes))
}

pub struct Mt5 {
    cfg: Mt5Config,
    password: String,
    http: Http,
    base: url::Url,
    cookie: Option<String>,
    /// `auto`: whether get_batch answered (None: not tried yet).
    batch_works: Option<bool>,
    /// The logins in the groups (pages mode), asked once per run.
    logins: Option<Vec<String>>,
}

/// Where the deals stream stands.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct DealCursor {
    /// Deals before this time (Unix seconds) are synced.
    pub from: i64,
    /// Positions open at `from`, by position id.
    pub open: BTreeMap<String, OpenPosition>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OpenPosition {
    pub login: String,
    pub symbol: String,
    /// Unix milliseconds of the first entry-in.
    pub time_msc: i64,
    /// Open volume in 1/10,000 lot.
    pub volume: u64,
    /// Commission of the entry deals not yet booked on a trade.
    pub commission: Decimal,
}

impl Mt5 {
    pub fn new(cfg: Mt5Config, credentials: &Credentials, http: Http) -> Result<Self, SyncError> {
        let password = credentials
            .get("password")
            .filter(|p| !p.is_empty())
            .cloned()
            .ok_or_else(|| {
                SyncError::MissingSecret(
                    "the MT5 manager password is not in the keyring: edit the connection and enter it"
                        .into(),
                )
            })?;
        let base = base_url(&cfg.base_url)?;
        Ok(Self {
            cfg,
            password,
            http,
            base,
            cookie: None,
            batch_works: None,
            logins: None,
        })
    }

    fn url(&self, path: &str, query: &[(&str, &str)]) -> Result<url::Url, SyncError> {
        let mut u = join(&self.base, path)?;
        u.query_pairs_mut().extend_pairs(query);
        Ok(u)
    }

    /// An answer's JSON, with a `retcode` that must be `0 …`.
    fn parse(a: Answer) -> Result<Value, SyncError> {
        if a.status == 401 || a.status == 403 {
            return Err(SyncError::Auth(format!("session refused ({})", a.status)));
        }
        if a.status >= 400 {
            return Err(SyncError::Status {
                status: a.status,
                url: a.url.clone(),
                detail: crate::http::snippet(&a.body),
            });
        }
        let v = a.json()?;
        let retcode = json::text(&v, "retcode").map_err(|e| SyncError::BadJson {
            url: a.url.clone(),
            detail: e,
        })?;
        if !retcode.starts_with("0 ") && retcode != "0" {
            return Err(SyncError::Platform(format!(
                "MT5 answered retcode '{retcode}' for {}",
                a.url
            )));
        }
        Ok(v)
    }

    /// The handshake; keeps the session cookie.
    pub async fn authenticate(&mut self) -> Result<(), SyncError> {
        self.cookie = None;
        let login = self.cfg.login.trim().to_string();
        let url = self.url(
            "/api/auth/start",
            &[
                ("version", "3470"),
                ("agent", "Partnerdesk"),
                ("login", &login),
                ("type", "manager"),
            ],
        )?;
        let (start, cookies) = self
            .http
            .send_parsed(&Request::get(url), |a| {
                let c = set_cookies(&a);
                Ok((Self::parse(a), c))
            })
            .await?;
        let start = start.map_err(|e| match e {
            SyncError::Platform(m) => SyncError::Auth(format!(
                "{m}: check the manager login {login} and that it may use the Web API"
            )),
            other => other,
        })?;
        let srv_rand = json::text(&start, "srv_rand")
            .map_err(|e| SyncError::Auth(format!("auth/start: {e}")))?;
        let answer = srv_rand_answer(&self.password, &srv_rand)?;
        let cli_rand: [u8; 16] = rand::random();
        let mut req = Request::get(self.url(
            "/api/auth/answer",
            &[
                ("srv_rand_answer", &answer),
                ("cli_rand", &hex::encode(cli_rand)),
            ],
        )?);
        if let Some(c) = &cookies {
            req = req.header("Cookie", c.clone());
        }
        let (done, more) = self
            .http
            .send_parsed(&req, |a| {
                let c = set_cookies(&a);
                Ok((Self::parse(a), c))
            })
            .await?;
        let done = done.map_err(|e| match e {
            SyncError::Platform(m) | SyncError::Auth(m) => {
                SyncError::Auth(format!("{m}: check the manager login and password"))
            }
            other => other,
        })?;
        let theirs = json::text(&done, "cli_rand_answer")
            .map_err(|e| SyncError::Auth(format!("auth/answer: {e}")))?;
        if !theirs.eq_ignore_ascii_case(&rand_answer(&self.password, &cli_rand)) {
            return Err(SyncError::Auth(
                "the server's cli_rand_answer is wrong: it does not know this manager's password (is this the right server?)"
                    .into(),
            ));
        }
        self.cookie = more.or(cookies);
        Ok(())
    }

    /// A Web API call in the session; an expired session is renewed once.
    async fn call(&mut self, path: &str, query: &[(&str, &str)]) -> Result<Value, SyncError> {
        if self.cookie.is_none() {
            self.authenticate().await?;
        }
        for renewed in [false, true] {
            let mut req = Request::get(self.url(path, query)?);
            if let Some(c) = &self.cookie {
                req = req.header("Cookie", c.clone());
            }
            match self.http.send_parsed(&req, Self::parse).await {
                Err(SyncError::Auth(_)) if !renewed => self.authenticate().await?,
                other => return other,
            }
        }
        Err(SyncError::Auth(
            "the MT5 session could not be renewed".into(),
        ))
    }

    fn customer_id(&self, login: &str, field: &str) -> Result<Id, String> {
        Id::parse(field, &format!("{}{}", self.cfg.customer_prefix, login))
            .map_err(|e| e.to_string())
    }

    fn group_of(&self, symbol: &str) -> String {
        self.cfg
            .symbol_groups
            .iter()
            .find(|(p, _)| symbol_matches(p, symbol))
            .map(|(_, g)| g.clone())
            .unwrap_or_else(|| "other".to_string())
    }

    fn brand(&self) -> Result<Id, SyncError> {
        Id::parse("brand_id", &self.cfg.brand_id).map_err(|e| SyncError::Config(e.to_string()))
    }

    async fn users(&mut self) -> Result<Page, SyncError> {
        let groups = self.cfg.groups.clone();
        let v = self
            .call("/api/user/get_batch", &[("group", &groups)])
            .await?;
        self.read_users(&v)
    }

    /// The accounts in the server's answer `v` to `/api/user/get_batch`.
    /// Every field the server sent is checked here.
    pub fn read_users(&self, v: &Value) -> Result<Page, SyncError> {
        let list = json::array(v, "answer").map_err(|e| SyncError::BadJson {
            url: "/api/user/get_batch".into(),
            detail: e,
        })?;
        let brand = self.brand()?;
        let mut page = Page {
            fetched: list.len() as u64,
            done: true,
            ..Page::default()
        };
        for u in list {
            let login = json::text(u, "Login").unwrap_or_default();
            match self.user(u, &brand) {
                Ok(c) => page.customers.push(c),
                Err(e) => page.errors.push(RecordError::new(
                    format!("user {}", if login.is_empty() { "?" } else { &login }),
                    e,
                )),
            }
        }
        Ok(page)
    }

    fn user(&self, u: &Value, brand: &Id) -> Result<Customer, String> {
        let login = json::uint(u, "Login")?.to_string();
        let agent = json::opt_text(u, "Agent")?.filter(|a| a != "0");
        let raw_country = json::text(u, "Country")?;
        let country = json::country(&raw_country).ok_or_else(|| {
            format!(
                "country {} is not a country we know (ISO code or English name)",
                json::shown(&raw_country)
            )
        })?;
        let registered_at = json::time(u, "Registration")?;
        Ok(Customer {
            customer_id: self.customer_id(&login, "Login")?,
            brand_id: brand.clone(),
            tracking_code: agent,
            country,
            registered_at,
            status: CustomerStatus::Active,
        })
    }

    fn start_of_sync(&self) -> Result<i64, SyncError> {
        let d = NaiveDate::parse_from_str(self.cfg.from.trim(), "%Y-%m-%d").map_err(|_| {
            SyncError::Config(format!(
                "'from' '{}' is not a date (YYYY-MM-DD)",
                self.cfg.from
            ))
        })?;
        Ok(d.and_hms_opt(0, 0, 0)
            .map(|t| t.and_utc().timestamp())
            .unwrap_or(0))
    }

    async fn deals(&mut self, cursor: Option<&str>) -> Result<Page, SyncError> {
        let mut cur: DealCursor = match cursor {
            Some(c) => serde_json::from_str(c).map_err(|e| {
                SyncError::Config(format!(
                    "the stored deals cursor is unreadable ({e}): reset the connection's cursor"
                ))
            })?,
            None => DealCursor {
                from: self.start_of_sync()?,
                open: BTreeMap::new(),
            },
        };
        let now = Utc::now().timestamp();
        if cur.from >= now {
            return Ok(Page {
                cursor: Some(to_json(&cur)),
                done: true,
                ..Page::default()
            });
        }
        let to = cur
            .from
            .saturating_add(i64::from(self.cfg.window_hours) * 3600)
            .min(now);
        let owned = self.window_deals(cur.from, to - 1).await?;
        let mut page = self.read_deals(&mut cur, &owned)?;
        cur.from = to;
        page.done = to >= now;
        page.cursor = Some(to_json(&cur));
        Ok(page)
    }

    /// The trades the deals `list` of one window close, moving the open
    /// positions in `cur` on. Every field the server sent is checked here.
    pub fn read_deals(&self, cur: &mut DealCursor, list: &[Value]) -> Result<Page, SyncError> {
        let brand = self.brand()?;
        let mut page = Page {
            fetched: list.len() as u64,
            ..Page::default()
        };
        let mut deals: Vec<(i64, u64, &Value)> = Vec::with_capacity(list.len());
        for d in list {
            let ticket = json::uint(d, "Deal");
            let time = deal_time(d);
            match (ticket, time) {
                (Ok(tk), Ok(t)) => deals.push((t, tk, d)),
                (Err(e), _) | (_, Err(e)) => page.errors.push(RecordError::new(
                    format!(
                        "deal {}",
                        json::text(d, "Deal").unwrap_or_else(|_| "?".into())
                    ),
                    e,
                )),
            }
        }
        deals.sort_by_key(|(t, tk, _)| (*t, *tk));
        // A platform that repeats a deal must not open a position twice.
        deals.dedup_by_key(|(_, tk, _)| *tk);
        for (time_msc, ticket, d) in deals {
            if let Err(e) = self.apply_deal(cur, &mut page, &brand, ticket, time_msc, d) {
                page.errors
                    .push(RecordError::new(format!("deal {ticket}"), e));
            }
        }
        Ok(page)
    }

    /// The deals from `from` to `to` (Unix seconds, both included) the
    /// configured way.
    async fn window_deals(&mut self, from: i64, to: i64) -> Result<Vec<Value>, SyncError> {
        let use_batch = match self.cfg.deals_api {
            DealsApi::Batch => true,
            DealsApi::Pages => false,
            DealsApi::Auto => self.batch_works != Some(false),
        };
        if use_batch {
            match self.batch_deals(from, to).await {
                Ok(v) => {
                    self.batch_works = Some(true);
                    return Ok(v);
                }
                // A server without get_batch (404, or MT5's "not found"
                // retcode 13): page per login instead.
                Err(e)
                    if self.cfg.deals_api == DealsApi::Auto
                        && self.batch_works.is_none()
                        && batch_unknown(&e) =>
                {
                    self.batch_works = Some(false);
                }
                Err(e) => return Err(e),
            }
        }
        self.paged_deals(from, to).await
    }

    async fn batch_deals(&mut self, from: i64, to: i64) -> Result<Vec<Value>, SyncError> {
        let groups = self.cfg.groups.clone();
        let (f, t) = (from.to_string(), to.to_string());
        let v = self
            .call(
                "/api/deal/get_batch",
                &[("group", &groups), ("from", &f), ("to", &t)],
            )
            .await?;
        answer_list(v, "/api/deal/get_batch")
    }

    /// `get_total` then `get_page` for each login in the groups.
    async fn paged_deals(&mut self, from: i64, to: i64) -> Result<Vec<Value>, SyncError> {
        let logins = match self.logins.take() {
            Some(l) => l,
            None => {
                let groups = self.cfg.groups.clone();
                let v = self.call("/api/user/logins", &[("group", &groups)]).await?;
                answer_list(v, "/api/user/logins")?
                    .iter()
                    .map(|l| match l {
                        Value::String(s) => s.trim().to_string(),
                        other => other.to_string(),
                    })
                    .filter(|l| !l.is_empty())
                    .collect()
            }
        };
        let result = self.paged_deals_of(&logins, from, to).await;
        self.logins = Some(logins);
        result
    }

    async fn paged_deals_of(
        &mut self,
        logins: &[String],
        from: i64,
        to: i64,
    ) -> Result<Vec<Value>, SyncError> {
        let (f, t) = (from.to_string(), to.to_string());
        let size = u64::from(self.cfg.deal_page_size.clamp(1, 100));
        let size_text = size.to_string();
        let mut out = Vec::new();
        for login in logins {
            let v = self
                .call(
                    "/api/deal/get_total",
                    &[("login", login), ("from", &f), ("to", &t)],
                )
                .await?;
            let total = json::at(&v, "answer")
                .ok_or_else(|| "answer is missing".to_string())
                .and_then(|a| json::uint(a, "total"))
                .map_err(|e| SyncError::BadJson {
                    url: "/api/deal/get_total".into(),
                    detail: e,
                })?;
            let mut offset = 0u64;
            while offset < total {
                let o = offset.to_string();
                let v = self
                    .call(
                        "/api/deal/get_page",
                        &[
                            ("login", login),
                            ("from", &f),
                            ("to", &t),
                            ("offset", &o),
                            ("total", &size_text),
                        ],
                    )
                    .await?;
                let page = answer_list(v, "/api/deal/get_page")?;
                if page.is_empty() {
                    // Fewer deals than get_total said (deleted meanwhile).
                    break;
                }
                // A server that repeats deals in a page still moves on by
                // what was asked for (the repeats are dropped later).
                offset += (page.len() as u64).min(size);
                out.extend(page);
            }
        }
        Ok(out)
    }

    fn apply_deal(
        &self,
        cur: &mut DealCursor,
        page: &mut Page,
        brand: &Id,
        ticket: u64,
        time_msc: i64,
        d: &Value,
    ) -> Result<(), String> {
        let action = json::uint(d, "Action")?;
        if action > 1 {
            // Balance, credit, charges…: not trading.
            return Ok(());
        }
        let entry = json::uint(d, "Entry")?;
        let login = json::uint(d, "Login")?.to_string();
        let symbol = json::text(d, "Symbol")?;
        let volume = json::uint(d, "Volume")?;
        let position = json::text(d, "PositionID")?;
        let commission = json::decimal_or_zero(d, "Commission")?.abs();
        let too_large = || "the deal's amounts are too large to add up".to_string();
        let close = |cur: &mut DealCursor, page: &mut Page, vol: u64| -> Result<u64, String> {
            let open = cur.open.get_mut(&position).ok_or_else(|| {
                format!("closes position {position}, whose opening deal is not in the synced range (sync from an earlier date)")
            })?;
            let closed = vol.min(open.volume);
            // The opening commission is booked pro rata on the closing trades.
            let share = if open.volume == 0 {
                Decimal::ZERO
            } else {
                open.commission
                    .checked_mul(Decimal::from(closed))
                    .and_then(|c| c.checked_div(Decimal::from(open.volume)))
                    .ok_or_else(too_large)?
                    .round_dp(8)
            };
            let lots = (Decimal::from(closed) / Decimal::from(10_000u32)).normalize();
            let group = self.group_of(&open.symbol);
            let spread = self
                .cfg
                .spread_per_lot
                .get(&group)
                .map(|p| p.checked_mul(lots).map(|s| s.round_dp(8)))
                .unwrap_or(Some(Decimal::ZERO))
                .ok_or_else(too_large)?;
            let open_time = DateTime::from_timestamp_millis(open.time_msc)
                .ok_or_else(|| "open time out of range".to_string())?;
            let close_time = DateTime::from_timestamp_millis(time_msc)
                .ok_or_else(|| "close time out of range".to_string())?;
            page.trades.push(Trade {
                trade_id: Id::parse("Deal", &format!("{}{}", self.cfg.customer_prefix, ticket))
                    .map_err(|e| e.to_string())?,
                customer_id: self.customer_id(&open.login, "Login")?,
                brand_id: brand.clone(),
                symbol: open.symbol.clone(),
                instrument_group: group,
                lots,
                open_time,
                close_time,
                commission: share
                    .checked_add(commission)
                    .ok_or_else(too_large)?
                    .normalize(),
                spread_revenue: spread.normalize(),
            });
            open.volume -= closed;
            open.commission = open.commission.checked_sub(share).ok_or_else(too_large)?;
            if open.volume == 0 {
                cur.open.remove(&position);
            }
            Ok(closed)
        };
        match entry {
            0 => {
                let p = cur.open.entry(position.clone()).or_insert(OpenPosition {
                    login,
                    symbol,
                    time_msc,
                    volume: 0,
                    commission: Decimal::ZERO,
                });
                p.volume = p.volume.checked_add(volume).ok_or_else(too_large)?;
                p.commission = p.commission.checked_add(commission).ok_or_else(too_large)?;
            }
            1 | 3 => {
                close(cur, page, volume)?;
            }
            2 => {
                // In/out: closes the position and opens the reverse with the rest.
                let closed = close(cur, page, volume)?;
                if volume > closed {
                    cur.open.insert(
                        position.clone(),
                        OpenPosition {
                            login,
                            symbol,
                            time_msc,
                            volume: volume - closed,
                            commission: Decimal::ZERO,
                        },
                    );
                }
            }
            other => return Err(format!("Entry {other} is not a deal direction MT5 defines")),
        }
        Ok(())
    }
}

/// Does this error say the server has no `get_batch` for deals?
fn batch_unknown(e: &SyncError) -> bool {
    match e {
        SyncError::Status { status, .. } => *status == 404 || *status == 405,
        SyncError::Platform(m) => m.contains("retcode '13") || m.contains("retcode '501"),
        _ => false,
    }
}

/// The `answer` array of a Web API reply.
fn answer_list(mut v: Value, url: &str) -> Result<Vec<Value>, SyncError> {
    match v.get_mut("answer").map(Value::take) {
        Some(Value::Array(a)) => Ok(a),
        Some(other) => Err(SyncError::BadJson {
            url: url.into(),
            detail: format!("answer is not a list but {}", kind_of(&other)),
        }),
        None => Err(SyncError::BadJson {
            url: url.into(),
            detail: "answer is missing".into(),
        }),
    }
}

fn kind_of(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "text",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

fn deal_time(d: &Value) -> Result<i64, String> {
    if json::at(d, "TimeMsc").is_some() {
        let ms = json::uint(d, "TimeMsc")?;
        return i64::try_from(ms).map_err(|_| "TimeMsc out of range".to_string());
    }
    Ok(json::time(d, "Time")?.timestamp_millis())
}

fn to_json<T: Serialize>(t: &T) -> String {
    serde_json::to_string(t).unwrap_or_default()
}

fn set_cookies(a: &Answer) -> Option<String> {
    let parts: Vec<String> = a
        .headers
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .filter_map(|v| v.split(';').next())
        .map(|s| s.trim().to_string())
        .collect();
    (!parts.is_empty()).then(|| parts.join("; "))
}

#[async_trait::async_trait]
impl Connector for Mt5 {
    fn streams(&self) -> Vec<&'static str> {
        vec!["users", "deals"]
    }

    async fn test(&mut self) -> Result<String, SyncError> {
        self.authenticate().await?;
        let groups = self.cfg.groups.clone();
        let v = self
            .call("/api/user/get_batch", &[("group", &groups)])
            .await?;
        let n = json::array(&v, "answer").map(|a| a.len()).unwrap_or(0);
        Ok(format!(
            "signed in to MT5 at {} as manager {}; {n} accounts in groups '{}'",
            self.base, self.cfg.login, self.cfg.groups
        ))
    }

    async fn fetch(&mut self, stream: &str, cursor: Option<&str>) -> Result<Page, SyncError> {
        match stream {
            "users" => self.users().await,
            "deals" => self.deals(cursor).await,
            other => Err(SyncError::Config(format!("MT5 has no stream '{other}'"))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Vectors computed independently (Python hashlib, as MetaQuotes'
    /// description reads): password_hash = md5(md5("Password1".encode("utf-16-le")) + b"WebAPI").
    #[test]
    fn handshake_vectors() {
        assert_eq!(hex::encode(password_hash("Password1")), PASSWORD1_HASH);
        let srv_rand = "4f7b3a21c9d8e6f1a2b3c4d5e6f70819";
        assert_eq!(
            srv_rand_answer("Password1", srv_rand).unwrap(),
            PASSWORD1_ANSWER
        );
        assert!(srv_rand_answer("Password1", "zz").is_err());
        assert_ne!(
            srv_rand_answer("password1", srv_rand).unwrap(),
            PASSWORD1_ANSWER
        );
    }

    const PASSWORD1_HASH: &str = "904ba8ecb16273d2f0ae9c3b8a023752";
    const PASSWORD1_ANSWER: &str = "eb65fb6bcc135e53dae91df2911a109e";
}
