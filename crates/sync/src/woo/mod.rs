//! WooCommerce REST API v3 orders (`/wp-json/wc/v3/orders`,
//! woocommerce.github.io/woocommerce-rest-api-docs), as prop firms sell
//! challenges.
//!
//! Paging is stable while orders change: every request asks for orders
//! modified after the newest one stored (`orderby=modified&order=asc`,
//! `modified_after`), a keyset instead of page numbers, so an order modified
//! during the sync moves to the end of the list and is read there instead of
//! shifting the pages (and one order out of sight). `modified_after` is
//! compared with the shop's local time unless `dates_are_gmt=true` is sent
//! ("List all orders" parameters): it is sent, with GMT times. Every run
//! starts `overlap_hours` earlier than where the last one stopped; orders
//! read again are stored rows already and change nothing.
//!
//! Authentication: [`auth`]. What an order becomes: [`order`].

pub mod auth;
pub mod order;

use crate::config::WooConfig;
use crate::country::{Aliases, Country};
use crate::error::{RecordError, SyncError};
use crate::http::{base_url, join, Http, Request};
use crate::json;
use crate::{Connector, Credentials, Page, UnmappedCountry};
use auth::Mode;
use chrono::NaiveDateTime;
use partnerdesk_domain::Id;
use serde::{Deserialize, Serialize};
use serde_json::Value;

pub use auth::check as check_auth;

pub struct Woo {
    cfg: WooConfig,
    key: String,
    secret: String,
    mode: Mode,
    aliases: Aliases,
    http: Http,
    base: url::Url,
    /// This run went back over the overlap already.
    rewound: bool,
}

const TIME: &str = "%Y-%m-%dT%H:%M:%S";

/// Where the orders stream stands.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct OrderCursor {
    /// `date_modified_gmt` of the newest order stored (`YYYY-MM-DDTHH:MM:SS`).
    #[serde(default)]
    pub after: Option<String>,
    /// The orders stored with exactly that modification time.
    #[serde(default)]
    pub ids_at: Vec<u64>,
    /// The page among orders of that same second, when more than a page of
    /// them share it (1 otherwise).
    #[serde(default)]
    pub page: u32,
    /// Cursors of page-number paging (before keysets): its `modified_after`.
    #[serde(default, skip_serializing)]
    pub modified_after: Option<String>,
}

impl OrderCursor {
    fn after_time(&self) -> Option<NaiveDateTime> {
        self.after
            .as_deref()
            .and_then(|a| NaiveDateTime::parse_from_str(a, TIME).ok())
    }
}

impl Woo {
    pub fn new(cfg: WooConfig, credentials: &Credentials, http: Http) -> Result<Self, SyncError> {
        let get = |n: &str| {
            credentials
                .get(n)
                .filter(|s| !s.is_empty())
                .cloned()
                .ok_or_else(|| {
                    SyncError::MissingSecret(format!(
                        "the shop's {n} is not in the keyring: edit the connection and enter it"
                    ))
                })
        };
        let (key, secret) = (get("consumer_key")?, get("consumer_secret")?);
        auth::check(&cfg)?;
        let base = base_url(&cfg.base_url)?;
        let aliases = Aliases::parse(&cfg.country_aliases)?;
        Ok(Self {
            mode: Mode::of(&cfg),
            cfg,
            key,
            secret,
            aliases,
            http,
            base,
            rewound: false,
        })
    }

    async fn orders(&self, query: &[(String, String)]) -> Result<(Value, Option<u32>), SyncError> {
        let mut url = join(&self.base, "wp-json/wc/v3/orders")?;
        url.query_pairs_mut().extend_pairs(query);
        let make = || {
            Ok(auth::apply(
                self.mode,
                Request::get(url.clone()),
                &self.key,
                &self.secret,
            ))
        };
        let mode = self.mode;
        self.http
            .send_made(make, |a| {
                if a.status == 401 || a.status == 403 {
                    return Err(auth::refused(mode, &a));
                }
                if a.status >= 400 {
                    return Err(SyncError::Status {
                        status: a.status,
                        url: a.url.clone(),
                        detail: crate::http::snippet(&a.body),
                    });
                }
                let pages = a
                    .header("x-wp-totalpages")
                    .and_then(|p| p.trim().parse().ok());
                Ok((a.json()?, pages))
            })
            .await
    }

    fn brand(&self) -> Result<Id, SyncError> {
        Id::parse("brand_id", &self.cfg.brand_id).map_err(|e| SyncError::Config(e.to_string()))
    }

    /// One order into `page`.
    fn order_into(&self, o: &Value, brand: &Id, page: &mut Page) {
        match order::read(&self.cfg, &self.aliases, o, brand) {
            Ok(order::Outcome::Purchase {
                customer,
                country,
                purchase,
            }) => {
                if let Country::Unknown(Some(text)) = country {
                    page.unmapped_countries.push(UnmappedCountry {
                        customer_id: customer.customer_id.to_string(),
                        text,
                    });
                }
                page.customers_if_new.push(customer);
                page.purchases.push(purchase);
            }
            Ok(order::Outcome::RefundIfStored(p)) => {
                page.note(order::REVERSED);
                page.refunds_if_stored.push(p);
            }
            Ok(order::Outcome::NotAPurchase(note)) => page.note(note),
            Err(e) => {
                let id = json::text(o, "id").unwrap_or_else(|_| "?".into());
                let err = RecordError::new(format!("order {id}"), e);
                page.errors.push(if id == "?" {
                    err
                } else {
                    err.waiting(format!("{}order-{id}", self.cfg.customer_prefix), o)
                });
            }
        }
    }
}

#[async_trait::async_trait]
impl Connector for Woo {
    fn streams(&self) -> Vec<&'static str> {
        vec!["orders"]
    }

    async fn test(&mut self) -> Result<String, SyncError> {
        let (v, pages) = self.orders(&[("per_page".into(), "1".into())]).await?;
        json::array(&v, "").map_err(|e| SyncError::BadJson {
            url: "wp-json/wc/v3/orders".into(),
            detail: e,
        })?;
        Ok(format!(
            "the shop at {} answered the orders endpoint ({} orders)",
            self.base,
            pages
                .map(|p| p.to_string())
                .unwrap_or_else(|| "some".into())
        ))
    }

    async fn fetch(&mut self, stream: &str, cursor: Option<&str>) -> Result<Page, SyncError> {
        if stream != "orders" {
            return Err(SyncError::Config(format!(
                "a shop has no stream '{stream}'"
            )));
        }
        let mut cur: OrderCursor = match cursor {
            Some(c) => serde_json::from_str(c).map_err(|e| {
                SyncError::Config(format!("the stored orders cursor is unreadable ({e})"))
            })?,
            None => OrderCursor::default(),
        };
        if cur.after.is_none() {
            cur.after = cur.modified_after.take();
        }
        if !self.rewound {
            self.rewound = true;
            if let Some(t) = cur.after_time() {
                let overlap = chrono::Duration::hours(i64::from(self.cfg.overlap_hours));
                if !overlap.is_zero() {
                    cur.after = Some((t - overlap).format(TIME).to_string());
                    cur.ids_at.clear();
                    cur.page = 1;
                }
            }
        }
        let page_no = cur.page.max(1);
        let after = cur.after_time();
        let mut q: Vec<(String, String)> = vec![
            ("page".into(), page_no.to_string()),
            ("per_page".into(), self.cfg.per_page.to_string()),
            ("orderby".into(), "modified".into()),
            ("order".into(), "asc".into()),
            ("dates_are_gmt".into(), "true".into()),
        ];
        if let Some(t) = after {
            // modified_after is exclusive and to the second: one second
            // earlier includes the orders of `after` itself (ids_at skips
            // those stored).
            let since = t - chrono::Duration::seconds(1);
            q.push(("modified_after".into(), since.format(TIME).to_string()));
        }
        let (v, total_pages) = self.orders(&q).await?;
        let list = json::array(&v, "").map_err(|e| SyncError::BadJson {
            url: "wp-json/wc/v3/orders".into(),
            detail: e,
        })?;
        let brand = self.brand()?;
        let mut page = Page {
            fetched: list.len() as u64,
            ..Page::default()
        };
        let mut newest: Option<NaiveDateTime> = None;
        let mut ids_newest: Vec<u64> = Vec::new();
        for o in list {
            let id = json::uint(o, "id").ok();
            let modified = order::modified_gmt(o).ok();
            if let (Some(m), Some(i)) = (modified, id) {
                if newest.is_none_or(|n| m > n) {
                    newest = Some(m);
                    ids_newest.clear();
                }
                if newest == Some(m) {
                    ids_newest.push(i);
                }
                if Some(m) == after && cur.ids_at.contains(&i) {
                    // Stored before with this very modification: nothing new.
                    continue;
                }
            }
            self.order_into(o, &brand, &mut page);
        }
        match newest {
            Some(n) if after.is_none_or(|a| n > a) => {
                cur.after = Some(n.format(TIME).to_string());
                cur.ids_at = ids_newest;
                cur.page = 1;
            }
            Some(_) => {
                // A whole page of orders of the same second: the next page of them.
                cur.ids_at.extend(ids_newest);
                cur.ids_at.sort_unstable();
                cur.ids_at.dedup();
                cur.page = page_no.saturating_add(1);
            }
            None => {}
        }
        let full = list.len() as u32 >= self.cfg.per_page;
        let more = full && total_pages.is_none_or(|t| page_no < t);
        page.done = !more;
        page.cursor = Some(serde_json::to_string(&cur).unwrap_or_default());
        Ok(page)
    }

    fn convert(&self, stream: &str, raw: &Value) -> Option<Page> {
        if stream != "orders" {
            return None;
        }
        let brand = self.brand().ok()?;
        let mut page = Page {
            fetched: 1,
            ..Page::default()
        };
        self.order_into(raw, &brand, &mut page);
        Some(page)
    }
}
