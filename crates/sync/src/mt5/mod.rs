//! MetaTrader 5 Web API, as MetaQuotes documents it for managers
//! (support.metaquotes.net, "Web API"):
//!
//! * the session belongs to one connection ([`session`]): `/api/auth/start`
//!   then `/api/auth/answer` on it, every command after on it too;
//! * `/api/user/get_batch?group=…`: the accounts (the `Agent` field is the
//!   IB's agent account: our `agent` tracking code; `Country` is free text;
//!   `Registration` is server time);
//! * deals by time range (server time in seconds, both ends included),
//!   either `/api/deal/get_batch?group=…&from=…&to=…` or, per login from
//!   `/api/user/logins?group=…`, `/api/deal/get_total?login=…&from=…&to=…`
//!   (answer `{"Total": "10"}`, "Deals / Get Total") and
//!   `/api/deal/get_page?login=…&from=…&to=…&offset=…&total=…` (at most 100
//!   a page, "Deals / Get Paged"); `deals_api` chooses, `auto` falls back to
//!   pages when the server does not know get_batch (HTTP 404/405/501 or the
//!   retcodes 12000 "not implemented" and 12002 "not supported").
//!
//! Every field is read as the documentation spells it, numbers as JSON
//! strings or numbers. Deals become trades in [`deals`].

pub mod auth;
pub mod deals;
pub mod link;
pub mod session;

pub use auth::{password_hash, rand_answer, srv_rand_answer};
pub use deals::{DealCursor, OpenPosition};

use crate::config::{symbol_matches, DealsApi, Mt5Config};
use crate::country::{Aliases, Country};
use crate::error::{RecordError, SyncError};
use crate::http::{base_url, Http};
use crate::json;
use crate::zone::Zone;
use crate::{Connector, Credentials, Page, UnmappedCountry};
use chrono::{NaiveDate, Utc};
use partnerdesk_domain::data::{Customer, CustomerStatus};
use partnerdesk_domain::Id;
use serde::Serialize;
use serde_json::Value;
use session::Session;
use std::collections::BTreeMap;
use std::sync::atomic::Ordering;
use std::time::Duration;

pub struct Mt5 {
    cfg: Mt5Config,
    session: Session,
    zone: Zone,
    aliases: Aliases,
    base: url::Url,
    /// `auto`: whether get_batch answered (None: not tried yet).
    batch_works: Option<bool>,
    /// The logins in the groups (pages mode), asked once per run.
    logins: Option<Vec<String>>,
    /// This run went back over the overlap already.
    rewound: bool,
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
        let zone = Zone::parse(&cfg.server_timezone)
            .map_err(|e| SyncError::Config(format!("server_timezone: {e}")))?;
        let aliases = Aliases::parse(&cfg.country_aliases)?;
        let session = Session::new(
            base.clone(),
            cfg.login.trim().to_string(),
            password,
            http,
            Duration::from_secs(u64::from(cfg.keepalive_seconds)),
        );
        Ok(Self {
            cfg,
            session,
            zone,
            aliases,
            base,
            batch_works: None,
            logins: None,
            rewound: false,
        })
    }

    fn brand(&self) -> Result<Id, SyncError> {
        Id::parse("brand_id", &self.cfg.brand_id).map_err(|e| SyncError::Config(e.to_string()))
    }

    fn group_of(&self, symbol: &str) -> String {
        self.cfg
            .symbol_groups
            .iter()
            .find(|(p, _)| symbol_matches(p, symbol))
            .map(|(_, g)| g.clone())
            .unwrap_or_else(|| "other".to_string())
    }

    async fn users(&mut self) -> Result<Page, SyncError> {
        let groups = self.cfg.groups.clone();
        let v = self
            .session
            .call("/api/user/get_batch", &[("group", &groups)])
            .await?;
        self.read_users(&v)
    }

    /// The accounts in the server's answer `v` to `/api/user/get_batch`.
    /// Every field the server sent is checked here (the fuzz targets feed
    /// it anything).
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
            self.user_into(u, &brand, &mut page);
        }
        Ok(page)
    }

    /// One account into `page`: a customer, or an error that waits with it.
    fn user_into(&self, u: &Value, brand: &Id, page: &mut Page) {
        let login = json::text(u, "Login").unwrap_or_default();
        match self.user(u, brand) {
            Ok((c, country)) => {
                if let Country::Unknown(Some(text)) = country {
                    page.unmapped_countries.push(UnmappedCountry {
                        customer_id: c.customer_id.to_string(),
                        text,
                    });
                }
                page.customers.push(c);
            }
            Err(e) => {
                let label = format!("user {}", if login.is_empty() { "?" } else { &login });
                let err = RecordError::new(label, e);
                page.errors.push(if login.is_empty() {
                    err
                } else {
                    err.waiting(format!("{}{login}", self.cfg.customer_prefix), u)
                });
            }
        }
    }

    fn user(&self, u: &Value, brand: &Id) -> Result<(Customer, Country), String> {
        let login = json::uint(u, "Login")?.to_string();
        let agent = json::opt_text(u, "Agent")?.filter(|a| a != "0");
        // Free text, often empty: never a reason to refuse the account.
        let country = self
            .aliases
            .read(&json::opt_text(u, "Country")?.unwrap_or_default());
        let registered_at = deals::server_time(u, "Registration", &self.zone)?;
        let customer = Customer {
            customer_id: Id::parse("Login", &format!("{}{login}", self.cfg.customer_prefix))
                .map_err(|e| e.to_string())?,
            brand_id: brand.clone(),
            tracking_code: agent,
            country: country.code(),
            registered_at,
            status: CustomerStatus::Active,
        };
        Ok((customer, country))
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
        let mut cur = match cursor {
            Some(c) => DealCursor::read(c).map_err(|e| {
                SyncError::Config(format!(
                    "the stored deals cursor is unreadable ({e}): reset the connection's cursor"
                ))
            })?,
            None => DealCursor::starting(self.start_of_sync()?),
        };
        let overlap = i64::from(self.cfg.overlap_hours) * 3600;
        if !self.rewound {
            self.rewound = true;
            cur.rewind(overlap);
        }
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
        // The server's clock: the window in its wall-clock seconds.
        let (from_srv, to_srv) = (
            self.zone.utc_to_server_secs(cur.from),
            self.zone.utc_to_server_secs(to) - 1,
        );
        let list = self.window_deals(from_srv, to_srv).await?;
        let mut page = self.read_deals(&mut cur, list)?;
        cur.advance(to, overlap);
        page.done = to >= now;
        page.cursor = Some(to_json(&cur));
        Ok(page)
    }

    /// The trades the deals `list` of one window close, moving the open
    /// positions in `cur` on. Every field the server sent is checked here
    /// (the fuzz targets feed it anything).
    pub fn read_deals(&self, cur: &mut DealCursor, list: Vec<Value>) -> Result<Page, SyncError> {
        let brand = self.brand()?;
        let mut page = Page {
            fetched: list.len() as u64,
            ..Page::default()
        };
        let mut parsed = Vec::with_capacity(list.len());
        for d in list {
            match deals::parse(&d, &self.zone) {
                Ok(deal) => parsed.push((deal, d)),
                Err(e) => {
                    let ticket = json::text(&d, "Deal").unwrap_or_else(|_| "?".into());
                    let err = RecordError::new(format!("deal {ticket}"), e);
                    page.errors.push(if ticket == "?" {
                        err
                    } else {
                        err.waiting(format!("{}{ticket}", self.cfg.customer_prefix), &d)
                    });
                }
            }
        }
        parsed.sort_by_key(|(d, _)| (d.time_msc, d.ticket));
        // A platform that repeats a deal must not open a position twice.
        parsed.dedup_by_key(|(d, _)| d.ticket);
        let group_of = |s: &str| self.group_of(s);
        let booker = deals::Booker {
            prefix: &self.cfg.customer_prefix,
            brand: &brand,
            group_of: &group_of,
            spread_per_lot: &self.cfg.spread_per_lot,
        };
        booker.apply_all(cur, &mut page, parsed);
        Ok(page)
    }

    /// The deals from `from` to `to` (server seconds, both included) the
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
            .session
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
                let v = self
                    .session
                    .call("/api/user/logins", &[("group", &groups)])
                    .await?;
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
                .session
                .call(
                    "/api/deal/get_total",
                    &[("login", login), ("from", &f), ("to", &t)],
                )
                .await?;
            let total = total_of(&v).map_err(|e| SyncError::BadJson {
                url: "/api/deal/get_total".into(),
                detail: e,
            })?;
            let mut offset = 0u64;
            while offset < total {
                let o = offset.to_string();
                let v = self
                    .session
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
}

/// `answer.Total` of `get_total` ("Deals / Get Total": `{"Total": "10"}`,
/// a string); a number, or `total` as older servers and proxies write it,
/// is read too. A retcode "1" (done, no data) may leave it out: 0.
fn total_of(v: &Value) -> Result<u64, String> {
    let Some(a) = json::at(v, "answer") else {
        return Ok(0);
    };
    for key in ["Total", "total"] {
        if json::at(a, key).is_some() {
            return json::uint(a, key);
        }
    }
    Err("answer has no 'Total'".into())
}

/// Does this error say the server has no `get_batch` for deals? HTTP
/// 404/405/501, or the return codes MT_RET_ERR_NOTFOUND (13),
/// MT_RET_ERR_NOTIMPLEMENT (12000) and MT_RET_ERR_NOTSUPPORTED (12002)
/// (MetaQuotes, "Return codes").
fn batch_unknown(e: &SyncError) -> bool {
    match e {
        SyncError::Status { status, .. } => matches!(*status, 404 | 405 | 501),
        SyncError::Platform(m) => [
            "retcode '13 ",
            "retcode '12000",
            "retcode '12002",
            "retcode '501",
        ]
        .iter()
        .any(|c| m.contains(c)),
        _ => false,
    }
}

/// The `answer` array of a Web API reply (none: an empty list, as a
/// retcode "1" without data may answer).
fn answer_list(mut v: Value, url: &str) -> Result<Vec<Value>, SyncError> {
    match v.get_mut("answer").map(Value::take) {
        Some(Value::Array(a)) => Ok(a),
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(other) => Err(SyncError::BadJson {
            url: url.into(),
            detail: format!("answer is not a list but {}", json::kind(&other)),
        }),
    }
}

fn to_json<T: Serialize>(t: &T) -> String {
    serde_json::to_string(t).unwrap_or_default()
}

#[async_trait::async_trait]
impl Connector for Mt5 {
    fn streams(&self) -> Vec<&'static str> {
        vec!["users", "deals"]
    }

    async fn test(&mut self) -> Result<String, SyncError> {
        let groups = self.cfg.groups.clone();
        let v = self
            .session
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

    fn convert(&self, stream: &str, raw: &Value) -> Option<Page> {
        if stream != "users" {
            return None;
        }
        let brand = self.brand().ok()?;
        let mut page = Page {
            fetched: 1,
            ..Page::default()
        };
        self.user_into(raw, &brand, &mut page);
        Some(page)
    }

    fn notes(&self) -> BTreeMap<String, u64> {
        let c = &self.session.counters;
        BTreeMap::from([
            (
                "MT5 sign-ins".to_string(),
                c.sign_ins.load(Ordering::Relaxed),
            ),
            (
                "MT5 connections".to_string(),
                c.connections.load(Ordering::Relaxed),
            ),
            (
                "MT5 keep-alive pings".to_string(),
                c.pings.load(Ordering::Relaxed),
            ),
        ])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn get_total_reads_the_documented_key_and_the_old_one() {
        assert_eq!(
            total_of(&json!({"retcode": "0 Done", "answer": {"Total": "10"}})),
            Ok(10)
        );
        assert_eq!(
            total_of(&json!({"retcode": "0 Done", "answer": {"Total": 7}})),
            Ok(7)
        );
        assert_eq!(
            total_of(&json!({"retcode": "0 Done", "answer": {"total": "3"}})),
            Ok(3)
        );
        assert_eq!(total_of(&json!({"retcode": "1 No data"})), Ok(0));
        assert!(total_of(&json!({"answer": {"Count": "3"}})).is_err());
    }

    #[test]
    fn get_batch_unknown_by_status_or_retcode() {
        let status = |s| SyncError::Status {
            status: s,
            url: String::new(),
            detail: String::new(),
        };
        assert!(batch_unknown(&status(404)));
        assert!(batch_unknown(&status(501)));
        assert!(!batch_unknown(&status(500)));
        let said = |c: &str| {
            SyncError::Platform(format!(
                "MT5 answered retcode '{c}' for /api/deal/get_batch"
            ))
        };
        assert!(batch_unknown(&said("12002 Command not supported")));
        assert!(batch_unknown(&said("12000 Not implemented")));
        assert!(!batch_unknown(&said("3 Invalid parameters")));
    }
}
