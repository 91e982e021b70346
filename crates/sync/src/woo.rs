//! WooCommerce REST API v3 orders (`/wp-json/wc/v3/orders`), as prop firms
//! sell challenges: consumer key and secret (HTTP Basic over HTTPS), pages
//! with `X-WP-TotalPages`, `modified_after` for what changed since the last
//! sync. An order becomes a purchase (its coupon line attributes it); a
//! refunded order (status `refunded`, or refunds adding up to its total)
//! carries `refunded_at`; a partial refund lowers the amount. The buyer
//! becomes a customer the first time we see them.

use crate::config::WooConfig;
use crate::error::{RecordError, SyncError};
use crate::http::{base_url, join, Http, Request};
use crate::json;
use crate::{Connector, Credentials, Page};
use base64::Engine;
use partnerdesk_domain::data::{Customer, CustomerStatus, Purchase};
use partnerdesk_domain::Id;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use serde_json::Value;

pub struct Woo {
    cfg: WooConfig,
    auth: String,
    http: Http,
    base: url::Url,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct OrderCursor {
    #[serde(default)]
    pub modified_after: Option<String>,
    #[serde(default)]
    pub page: u32,
    #[serde(default)]
    pub newest: Option<String>,
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
        let auth = format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode(format!("{key}:{secret}"))
        );
        let base = base_url(&cfg.base_url)?;
        Ok(Self {
            cfg,
            auth,
            http,
            base,
        })
    }

    async fn orders(&self, query: &[(String, String)]) -> Result<(Value, Option<u32>), SyncError> {
        let mut url = join(&self.base, "wp-json/wc/v3/orders")?;
        url.query_pairs_mut().extend_pairs(query);
        let req = Request::get(url).header("Authorization", self.auth.clone());
        self.http
            .send_parsed(&req, |a| {
                if a.status == 401 || a.status == 403 {
                    return Err(SyncError::Auth(format!(
                        "the shop refused the consumer key/secret ({}): check them and that the key may read orders",
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
                let pages = a.header("x-wp-totalpages").and_then(|p| p.trim().parse().ok());
                Ok((a.json()?, pages))
            })
            .await
    }

    fn order(&self, o: &Value, brand: &Id) -> Result<(Customer, Purchase), String> {
        let id = json::uint(o, "id")?;
        let customer = json::uint(o, "customer_id")?;
        if customer == 0 {
            return Err(
                "a guest order (customer_id 0): the buyer has no account to attribute".into(),
            );
        }
        let customer_id = Id::parse(
            "customer_id",
            &format!("{}{}", self.cfg.customer_prefix, customer),
        )
        .map_err(|e| e.to_string())?;
        let created =
            json::time(o, "date_created_gmt").or_else(|_| json::time(o, "date_created"))?;
        let modified = json::time(o, "date_modified_gmt")
            .or_else(|_| json::time(o, "date_modified"))
            .unwrap_or(created);
        let total = json::decimal(o, "total")?;
        let too_large = || "the order's refund totals are too large to add up".to_string();
        let mut refunded = Decimal::ZERO;
        if json::at(o, "refunds").is_some() {
            for r in json::array(o, "refunds")? {
                refunded = refunded
                    .checked_add(json::decimal(r, "total")?.abs())
                    .ok_or_else(too_large)?;
            }
        }
        let status = json::text(o, "status")?;
        let fully = status == "refunded" || (refunded > Decimal::ZERO && refunded >= total);
        let coupon = match json::at(o, "coupon_lines") {
            Some(_) => json::array(o, "coupon_lines")?
                .first()
                .map(|c| json::text(c, "code"))
                .transpose()?,
            None => None,
        };
        let product = match json::at(o, "line_items") {
            Some(_) => json::array(o, "line_items")?
                .first()
                .map(|l| json::text(l, "name"))
                .transpose()?,
            None => None,
        }
        .unwrap_or_else(|| "order".into());
        let raw_country = json::opt_text(o, "billing.country")?.unwrap_or_default();
        let country = json::country(&raw_country).ok_or_else(|| {
            format!(
                "billing.country {} is not a country code",
                json::shown(&raw_country)
            )
        })?;
        let c = Customer {
            customer_id: customer_id.clone(),
            brand_id: brand.clone(),
            tracking_code: coupon.clone(),
            country,
            registered_at: created,
            status: CustomerStatus::Active,
        };
        let p = Purchase {
            order_id: Id::parse("id", &format!("{}order-{id}", self.cfg.customer_prefix))
                .map_err(|e| e.to_string())?,
            customer_id,
            brand_id: brand.clone(),
            product,
            amount: if fully {
                total
            } else {
                total.checked_sub(refunded).ok_or_else(too_large)?
            },
            coupon_code: coupon,
            purchased_at: created,
            refunded_at: fully.then_some(modified),
        };
        Ok((c, p))
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
        let cur: OrderCursor = match cursor {
            Some(c) => serde_json::from_str(c).map_err(|e| {
                SyncError::Config(format!("the stored orders cursor is unreadable ({e})"))
            })?,
            None => OrderCursor::default(),
        };
        let page_no = cur.page.max(1);
        let mut q: Vec<(String, String)> = vec![
            ("page".into(), page_no.to_string()),
            ("per_page".into(), self.cfg.per_page.to_string()),
            ("orderby".into(), "modified".into()),
            ("order".into(), "asc".into()),
        ];
        if let Some(m) = &cur.modified_after {
            q.push(("modified_after".into(), m.clone()));
        }
        let (v, total_pages) = self.orders(&q).await?;
        self.read_page(cur, &v, total_pages)
    }
}

impl Woo {
    /// The page of orders in the shop's answer `v` (with its
    /// `X-WP-TotalPages`), and the cursor after it (`cur`: the one the
    /// request was made with). Every field the shop sent is checked here.
    pub fn read_page(
        &self,
        mut cur: OrderCursor,
        v: &Value,
        total_pages: Option<u32>,
    ) -> Result<Page, SyncError> {
        let page_no = cur.page.max(1);
        let list = json::array(v, "").map_err(|e| SyncError::BadJson {
            url: "wp-json/wc/v3/orders".into(),
            detail: e,
        })?;
        let brand = Id::parse("brand_id", &self.cfg.brand_id)
            .map_err(|e| SyncError::Config(e.to_string()))?;
        let mut page = Page {
            fetched: list.len() as u64,
            ..Page::default()
        };
        for o in list {
            if let Some(m) = json::opt_text(o, "date_modified_gmt").ok().flatten() {
                if cur.newest.as_ref().is_none_or(|n| m > *n) {
                    cur.newest = Some(m);
                }
            }
            match self.order(o, &brand) {
                Ok((c, p)) => {
                    page.customers_if_new.push(c);
                    page.purchases.push(p);
                }
                Err(e) => page.errors.push(RecordError::new(
                    format!(
                        "order {}",
                        json::text(o, "id").unwrap_or_else(|_| "?".into())
                    ),
                    e,
                )),
            }
        }
        let more = match total_pages {
            Some(t) => page_no < t,
            None => list.len() as u32 >= self.cfg.per_page,
        };
        if more && !list.is_empty() {
            cur.page = page_no.saturating_add(1);
        } else {
            cur.page = 0;
            if cur.newest.is_some() {
                cur.modified_after = cur.newest.take();
            }
            page.done = true;
        }
        page.cursor = Some(serde_json::to_string(&cur).unwrap_or_default());
        Ok(page)
    }
}
