//! A WooCommerce order as our records (REST API v3 "Orders"; statuses
//! `pending`, `processing`, `on-hold`, `completed`, `cancelled`,
//! `refunded`, `failed`, `trash`):
//!
//! * a paid order (`paid_statuses`, by default `processing` and `completed`)
//!   is a purchase; refunds adding up to its total (or status `refunded`)
//!   make it refunded at its modification time (RULES.md: it gives back what
//!   it earned); a partial refund lowers its amount;
//! * `cancelled` and `failed` orders are refunds of purchases stored before
//!   (an order imported as paid that was then cancelled), else nothing;
//! * other statuses (`pending`, `on-hold`, drafts) are not purchases.
//!
//! The buyer becomes a customer the first time an order names them; the
//! tracking code is the order meta `referral_meta_key` when set and present
//! (the shop's referral/affiliate field), else the order's coupon.

use crate::config::WooConfig;
use crate::country::{Aliases, Country};
use crate::json;
use chrono::{DateTime, NaiveDateTime, Utc};
use partnerdesk_domain::data::{Customer, CustomerStatus, Purchase};
use partnerdesk_domain::Id;
use rust_decimal::Decimal;
use serde_json::Value;

pub const NOT_PAID: &str = "orders not paid (pending, on-hold, drafts …): not purchases";
pub const REVERSED: &str =
    "cancelled or failed orders: refunds of purchases stored before, else nothing";

/// What an order is for us.
pub enum Outcome {
    Purchase {
        customer: Customer,
        country: Country,
        purchase: Purchase,
    },
    RefundIfStored(Purchase),
    NotAPurchase(&'static str),
}

/// `date_modified_gmt` (GMT, no offset written) as a time.
pub fn modified_gmt(o: &Value) -> Result<NaiveDateTime, String> {
    gmt(o, "date_modified_gmt")
}

fn gmt(o: &Value, field: &str) -> Result<NaiveDateTime, String> {
    let raw = json::text(o, field)?;
    let t = raw.trim();
    DateTime::parse_from_rfc3339(t)
        .map(|d| d.with_timezone(&Utc).naive_utc())
        .or_else(|_| NaiveDateTime::parse_from_str(t, "%Y-%m-%dT%H:%M:%S%.f"))
        .map_err(|_| format!("field '{field}': '{raw}' is not a time"))
}

/// The referral code in the order's `meta_data` under `key`.
fn referral(o: &Value, key: &str) -> Result<Option<String>, String> {
    let Some(_) = json::at(o, "meta_data") else {
        return Ok(None);
    };
    for m in json::array(o, "meta_data")? {
        if json::opt_text(m, "key")?.as_deref() == Some(key) {
            return json::opt_text(m, "value");
        }
    }
    Ok(None)
}

pub fn read(cfg: &WooConfig, aliases: &Aliases, o: &Value, brand: &Id) -> Result<Outcome, String> {
    let id = json::uint(o, "id")?;
    let status = json::text(o, "status")?.trim().to_ascii_lowercase();
    let paid = cfg
        .paid_statuses
        .iter()
        .any(|s| s.trim().eq_ignore_ascii_case(&status));
    let reversed = matches!(status.as_str(), "cancelled" | "failed");
    if !paid && !reversed && status != "refunded" {
        return Ok(Outcome::NotAPurchase(NOT_PAID));
    }
    let customer = json::uint(o, "customer_id")?;
    if customer == 0 {
        return Err("a guest order (customer_id 0): the buyer has no account to attribute".into());
    }
    let customer_id = Id::parse(
        "customer_id",
        &format!("{}{}", cfg.customer_prefix, customer),
    )
    .map_err(|e| e.to_string())?;
    let created = gmt(o, "date_created_gmt")?.and_utc();
    let modified = modified_gmt(o)?.and_utc();
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
    let fully = status == "refunded" || reversed || (refunded > Decimal::ZERO && refunded >= total);
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
    let purchase = Purchase {
        order_id: Id::parse("id", &format!("{}order-{id}", cfg.customer_prefix))
            .map_err(|e| e.to_string())?,
        customer_id: customer_id.clone(),
        brand_id: brand.clone(),
        product,
        amount: if fully {
            total
        } else {
            total.checked_sub(refunded).ok_or_else(too_large)?
        },
        coupon_code: coupon.clone(),
        purchased_at: created,
        refunded_at: fully.then_some(modified),
    };
    if reversed {
        return Ok(Outcome::RefundIfStored(purchase));
    }
    let code = match &cfg.referral_meta_key {
        Some(key) => referral(o, key)?.or(coupon),
        None => coupon,
    };
    let country = aliases.read(&json::opt_text(o, "billing.country")?.unwrap_or_default());
    let customer = Customer {
        customer_id,
        brand_id: brand.clone(),
        tracking_code: code,
        country: country.code(),
        registered_at: created,
        status: CustomerStatus::Active,
    };
    Ok(Outcome::Purchase {
        customer,
        country,
        purchase,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn cfg() -> WooConfig {
        serde_json::from_value(
            json!({"base_url": "https://shop.example", "brand_id": "PROP",
            "referral_meta_key": "_ref"}),
        )
        .unwrap()
    }

    fn order(status: &str, refunds: Value) -> Value {
        json!({"id": 5, "status": status, "customer_id": 9, "total": "100.00",
            "date_created_gmt": "2026-07-01T10:00:00", "date_modified_gmt": "2026-07-05T08:00:00",
            "billing": {"country": "Deutschland"}, "line_items": [{"name": "Challenge 50k"}],
            "coupon_lines": [{"code": "SAVE10"}], "refunds": refunds,
            "meta_data": [{"id": 1, "key": "_ref", "value": "aff-7"}]})
    }

    fn read_one(o: &Value) -> Outcome {
        read(
            &cfg(),
            &Aliases::default(),
            o,
            &Id::parse("b", "PROP").unwrap(),
        )
        .unwrap()
    }

    #[test]
    fn statuses_decide_what_an_order_is() {
        match read_one(&order("processing", json!([]))) {
            Outcome::Purchase {
                customer,
                purchase,
                country,
            } => {
                assert_eq!(purchase.amount.to_string(), "100.00");
                assert_eq!(purchase.refunded_at, None);
                assert_eq!(
                    customer.tracking_code.as_deref(),
                    Some("aff-7"),
                    "the referral meta wins"
                );
                assert_eq!(purchase.coupon_code.as_deref(), Some("SAVE10"));
                assert_eq!(country.code().map(|c| c.to_string()), Some("DE".into()));
            }
            _ => panic!("a paid order is a purchase"),
        }
        for s in ["pending", "on-hold", "checkout-draft"] {
            assert!(
                matches!(read_one(&order(s, json!([]))), Outcome::NotAPurchase(_)),
                "{s}"
            );
        }
        for s in ["cancelled", "failed"] {
            match read_one(&order(s, json!([]))) {
                Outcome::RefundIfStored(p) => {
                    assert_eq!(
                        p.refunded_at.map(|t| t.to_rfc3339()),
                        Some("2026-07-05T08:00:00+00:00".into())
                    );
                    assert_eq!(
                        p.amount.to_string(),
                        "100.00",
                        "a refund gives back the whole amount"
                    );
                }
                _ => panic!("{s}: a refund where stored"),
            }
        }
        match read_one(&order("refunded", json!([{"id": 1, "total": "-100.00"}]))) {
            Outcome::Purchase { purchase, .. } => assert!(purchase.refunded_at.is_some()),
            _ => panic!("a refunded order is a refunded purchase"),
        }
        // Refunded later while the status stayed completed: refunds add up to the total.
        match read_one(&order(
            "completed",
            json!([{"id": 1, "total": "-60.00"}, {"id": 2, "total": "-40.00"}]),
        )) {
            Outcome::Purchase { purchase, .. } => {
                assert!(purchase.refunded_at.is_some());
                assert_eq!(purchase.amount.to_string(), "100.00");
            }
            _ => panic!("completed and fully refunded"),
        }
        // A partial refund lowers the amount: 100.00 − 30.00 = 70.00.
        match read_one(&order("completed", json!([{"id": 1, "total": "-30.00"}]))) {
            Outcome::Purchase { purchase, .. } => {
                assert_eq!(purchase.refunded_at, None);
                assert_eq!(purchase.amount.to_string(), "70.00");
            }
            _ => panic!("a partial refund"),
        }
    }
}
