//! A gaming platform's REST/JSON feed: registrations and daily player
//! activity, bearer / API-key / OAuth2 client-credentials auth, cursor or
//! page pagination, a "changed since" delta parameter, and a field mapping
//! from the platform's JSON to our customer and activity fields.
//!
//! The stream cursor is `{"since": …, "page": …, "newest": …}`: the delta
//! value of this pass, the page token within it, and the newest change seen
//! so far (the next pass's `since` once this one is complete).

use crate::config::{GamingAuth, GamingConfig, Pagination};
use crate::country::{Aliases, Country};
use crate::error::{RecordError, SyncError};
use crate::http::{base_url, join, Http, Request};
use crate::json;
use crate::{Connector, Credentials, Page, UnmappedCountry};
use partnerdesk_domain::data::{ActivityDay, Customer, CustomerStatus};
use partnerdesk_domain::Id;
use serde::{Deserialize, Serialize};
use serde_json::Value;

pub struct Gaming {
    cfg: GamingConfig,
    secret: String,
    http: Http,
    base: url::Url,
    token: Option<String>,
    aliases: Aliases,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct FeedCursor {
    #[serde(default)]
    pub since: Option<String>,
    #[serde(default)]
    pub page: Option<String>,
    #[serde(default)]
    pub newest: Option<String>,
}

impl Gaming {
    pub fn new(
        cfg: GamingConfig,
        credentials: &Credentials,
        http: Http,
    ) -> Result<Self, SyncError> {
        let name = match cfg.auth {
            GamingAuth::Bearer => "token",
            GamingAuth::ApiKey { .. } => "api_key",
            GamingAuth::Oauth2 { .. } => "client_secret",
        };
        let secret = credentials
            .get(name)
            .filter(|s| !s.is_empty())
            .cloned()
            .ok_or_else(|| {
                SyncError::MissingSecret(format!(
                    "the platform's {name} is not in the keyring: edit the connection and enter it"
                ))
            })?;
        let base = base_url(&cfg.base_url)?;
        let aliases = Aliases::parse(&cfg.country_aliases)?;
        Ok(Self {
            cfg,
            secret,
            http,
            base,
            token: None,
            aliases,
        })
    }

    async fn oauth_token(&mut self) -> Result<String, SyncError> {
        if let Some(t) = &self.token {
            return Ok(t.clone());
        }
        let GamingAuth::Oauth2 {
            token_url,
            client_id,
            scope,
        } = &self.cfg.auth
        else {
            return Ok(self.secret.clone());
        };
        let url = url::Url::parse(token_url).map_err(|_| SyncError::NotHttp(token_url.clone()))?;
        let mut form = vec![
            ("grant_type".to_string(), "client_credentials".to_string()),
            ("client_id".to_string(), client_id.clone()),
            ("client_secret".to_string(), self.secret.clone()),
        ];
        if let Some(s) = scope {
            form.push(("scope".into(), s.clone()));
        }
        let req = Request {
            method: reqwest::Method::POST,
            url,
            headers: vec![],
            form: Some(form),
        };
        let v = self
            .http
            .send_parsed(&req, |a| {
                if a.status == 400 || a.status == 401 || a.status == 403 {
                    return Err(SyncError::Auth(format!(
                        "the token endpoint refused the client credentials ({}): check client id and secret",
                        a.status
                    )));
                }
                a.json()
            })
            .await?;
        let token = json::text(&v, "access_token")
            .map_err(|e| SyncError::Auth(format!("the token endpoint's answer: {e}")))?;
        self.token = Some(token.clone());
        Ok(token)
    }

    async fn get(&mut self, path: &str, query: &[(String, String)]) -> Result<Value, SyncError> {
        for again in [false, true] {
            let mut url = join(&self.base, path)?;
            url.query_pairs_mut().extend_pairs(query);
            let mut req = Request::get(url).header("Accept", "application/json");
            req = match self.cfg.auth.clone() {
                GamingAuth::Bearer => {
                    req.header("Authorization", format!("Bearer {}", self.secret))
                }
                GamingAuth::ApiKey { header } => req.header(&header, self.secret.clone()),
                GamingAuth::Oauth2 { .. } => {
                    let t = self.oauth_token().await?;
                    req.header("Authorization", format!("Bearer {t}"))
                }
            };
            let r = self
                .http
                .send_parsed(&req, |a| {
                    if a.status == 401 || a.status == 403 {
                        return Err(SyncError::Auth(format!(
                            "the platform refused the credentials ({}): check the token or key",
                            a.status
                        )));
                    }
                    if a.status >= 400 {
                        return Err(SyncError::Status {
                            status: a.status,
                            url: a.url.clone(),
                            detail: crate::http::snippet(&a.body),
                        });
                    }
                    a.json()
                })
                .await;
            match r {
                // An OAuth2 token may expire: get a new one once.
                Err(SyncError::Auth(_))
                    if !again && matches!(self.cfg.auth, GamingAuth::Oauth2 { .. }) =>
                {
                    self.token = None;
                }
                other => return other,
            }
        }
        Err(SyncError::Auth("the platform refused a fresh token".into()))
    }

    async fn page(&mut self, stream: &str, cursor: Option<&str>) -> Result<Page, SyncError> {
        let cur: FeedCursor = match cursor {
            Some(c) => serde_json::from_str(c).map_err(|e| {
                SyncError::Config(format!("the stored {stream} cursor is unreadable ({e})"))
            })?,
            None => FeedCursor::default(),
        };
        let path = if stream == "registrations" {
            self.cfg.registrations_path.clone()
        } else {
            self.cfg.activity_path.clone()
        };
        let mut query: Vec<(String, String)> = Vec::new();
        if let (Some(p), Some(since)) = (&self.cfg.delta_param, &cur.since) {
            query.push((p.clone(), since.clone()));
        }
        if let Some(p) = &self.cfg.page_size_param {
            query.push((p.clone(), self.cfg.page_size.to_string()));
        }
        let page_param = match &self.cfg.pagination {
            Pagination::Cursor { param, .. } | Pagination::Page { param, .. } => param.clone(),
        };
        match (&self.cfg.pagination, &cur.page) {
            (_, Some(p)) => query.push((page_param, p.clone())),
            (Pagination::Page { .. }, None) => query.push((page_param, "1".into())),
            (Pagination::Cursor { .. }, None) => {}
        }
        let v = self.get(&path, &query).await?;
        self.read_page(stream, cur, &path, &v)
    }

    /// The page of `stream` in the platform's answer `v` to `path`, and the
    /// cursor after it (`cur`: the one the request was made with). Every
    /// field the platform sent is checked here; nothing is asked of it.
    pub fn read_page(
        &self,
        stream: &str,
        mut cur: FeedCursor,
        path: &str,
        v: &Value,
    ) -> Result<Page, SyncError> {
        let items = json::array(v, &self.cfg.items_field).map_err(|e| SyncError::BadJson {
            url: path.to_string(),
            detail: e,
        })?;
        let brand = Id::parse("brand_id", &self.cfg.brand_id)
            .map_err(|e| SyncError::Config(e.to_string()))?;
        let mut page = Page {
            fetched: items.len() as u64,
            ..Page::default()
        };
        let updated_field = if stream == "registrations" {
            self.cfg.mapping.customer.updated_at.clone()
        } else {
            self.cfg.mapping.activity.updated_at.clone()
        };
        for item in items {
            if let Some(f) = &updated_field {
                if let Ok(Some(u)) = json::opt_text(item, f) {
                    if cur.newest.as_ref().is_none_or(|n| newer(&u, n)) {
                        cur.newest = Some(u);
                    }
                }
            }
            self.item_into(stream, item, &brand, &mut page);
        }
        let next = match &self.cfg.pagination {
            Pagination::Cursor { next_field, .. } => {
                json::opt_text(v, next_field).map_err(|e| SyncError::BadJson {
                    url: path.to_string(),
                    detail: e,
                })?
            }
            Pagination::Page {
                total_pages_field, ..
            } => {
                let this: u64 = cur.page.as_deref().unwrap_or("1").parse().unwrap_or(1);
                let more = match total_pages_field {
                    Some(f) => json::uint(v, f).map(|total| this < total).unwrap_or(false),
                    None => !items.is_empty(),
                };
                more.then(|| this.saturating_add(1).to_string())
            }
        };
        match next {
            Some(n) if !items.is_empty() => cur.page = Some(n),
            _ => {
                // Pass complete: the next one asks for what changed since the newest seen.
                cur.page = None;
                if cur.newest.is_some() {
                    cur.since = cur.newest.take();
                }
                page.done = true;
            }
        }
        page.cursor = Some(serde_json::to_string(&cur).unwrap_or_default());
        Ok(page)
    }

    /// One record of `stream` into `page`; one that cannot be read waits
    /// with its platform record.
    fn item_into(&self, stream: &str, item: &Value, brand: &Id, page: &mut Page) {
        if stream == "registrations" {
            let m = &self.cfg.mapping.customer;
            match self.customer(item, brand) {
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
                    let err = RecordError::new(format!("player {}", self.ext_id(item, &m.id)), e);
                    page.errors.push(match self.id(item, &m.id) {
                        Ok(id) => err.waiting(id.to_string(), item),
                        Err(_) => err,
                    });
                }
            }
        } else {
            let m = &self.cfg.mapping.activity;
            match self.activity(item, brand) {
                Ok(a) => page.activity.push(a),
                Err(e) => {
                    let player = self.ext_id(item, &m.player_id);
                    let date = self.ext_id(item, &m.date);
                    let err = RecordError::new(format!("activity of player {player} on {date}"), e);
                    // The key of the day as it would be stored.
                    let day = json::date(item, &m.date)
                        .map(|d| d.to_string())
                        .unwrap_or(date);
                    page.errors.push(match self.id(item, &m.player_id) {
                        Ok(id) => err.waiting(format!("{id} {day}"), item),
                        Err(_) => err,
                    });
                }
            }
        }
    }

    fn ext_id(&self, item: &Value, field: &str) -> String {
        json::text(item, field).unwrap_or_else(|_| "?".into())
    }

    fn id(&self, item: &Value, field: &str) -> Result<Id, String> {
        let raw = json::text(item, field)?;
        Id::parse(
            field,
            &format!("{}{}", self.cfg.customer_prefix, raw.trim()),
        )
        .map_err(|e| e.to_string())
    }

    fn customer(&self, item: &Value, brand: &Id) -> Result<(Customer, Country), String> {
        let m = &self.cfg.mapping.customer;
        // Free text or a code, often empty: never a reason to refuse a player.
        let country = self
            .aliases
            .read(&json::opt_text(item, &m.country)?.unwrap_or_default());
        let status = match &m.status {
            Some(f) => match json::opt_text(item, f)?
                .as_deref()
                .map(str::to_ascii_lowercase)
            {
                Some(s)
                    if ["excluded", "blocked", "self_excluded", "closed"].contains(&s.as_str()) =>
                {
                    CustomerStatus::Excluded
                }
                _ => CustomerStatus::Active,
            },
            None => CustomerStatus::Active,
        };
        let customer = Customer {
            customer_id: self.id(item, &m.id)?,
            brand_id: brand.clone(),
            tracking_code: json::opt_text(item, &m.btag)?,
            country: country.code(),
            registered_at: json::time(item, &m.registered_at)?,
            status,
        };
        Ok((customer, country))
    }

    fn activity(&self, item: &Value, brand: &Id) -> Result<ActivityDay, String> {
        let m = &self.cfg.mapping.activity;
        Ok(ActivityDay {
            customer_id: self.id(item, &m.player_id)?,
            brand_id: brand.clone(),
            date: json::date(item, &m.date)?,
            deposits: json::decimal(item, &m.deposits)?,
            withdrawals: json::decimal_or_zero(item, &m.withdrawals)?,
            bets: json::decimal(item, &m.bets)?,
            wins: json::decimal(item, &m.wins)?,
            bonuses: json::decimal_or_zero(item, &m.bonuses)?,
            chargebacks: json::decimal_or_zero(item, &m.chargebacks)?,
            taxes: json::decimal_or_zero(item, &m.taxes)?,
        })
    }
}

/// Is `a` later than `b` (as times when both parse, else as text)?
fn newer(a: &str, b: &str) -> bool {
    match (json::parse_time(a), json::parse_time(b)) {
        (Some(x), Some(y)) => x > y,
        _ => a > b,
    }
}

#[async_trait::async_trait]
impl Connector for Gaming {
    fn streams(&self) -> Vec<&'static str> {
        vec!["registrations", "activity"]
    }

    async fn test(&mut self) -> Result<String, SyncError> {
        let path = self.cfg.registrations_path.clone();
        let v = self.get(&path, &[]).await?;
        json::array(&v, &self.cfg.items_field).map_err(|e| SyncError::BadJson {
            url: path.clone(),
            detail: format!("{e} (check items_field)"),
        })?;
        Ok(format!(
            "the platform at {} answered {path} with players",
            self.base
        ))
    }

    async fn fetch(&mut self, stream: &str, cursor: Option<&str>) -> Result<Page, SyncError> {
        match stream {
            "registrations" | "activity" => self.page(stream, cursor).await,
            other => Err(SyncError::Config(format!(
                "a gaming feed has no stream '{other}'"
            ))),
        }
    }

    fn convert(&self, stream: &str, raw: &Value) -> Option<Page> {
        if !matches!(stream, "registrations" | "activity") {
            return None;
        }
        let brand = Id::parse("brand_id", &self.cfg.brand_id).ok()?;
        let mut page = Page {
            fetched: 1,
            ..Page::default()
        };
        self.item_into(stream, raw, &brand, &mut page);
        Some(page)
    }
}
