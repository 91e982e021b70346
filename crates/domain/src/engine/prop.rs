//! Prop trading: purchase attribution (coupon wins, adoption of unattributed
//! customers), first vs repeat purchases, refunds that give back what was earned.

use super::lines::Book;
use super::HashMap;
use super::{overflow, Customers, Engine, EngineError, PurchaseState};
use crate::commission::Kind;
use crate::data::Purchase;
use crate::ids::Id;
use crate::period::Period;
use rust_decimal::Decimal;
use serde_json::json;

/// Attributes every purchase once, in order of (customer, purchased_at, order_id).
pub(crate) fn attribute(
    mut purchases: Vec<Purchase>,
    customers: &Customers,
    mut customer_index: impl FnMut(&str) -> Option<usize>,
    brand_ix: &HashMap<Id, usize>,
    coupon_partner: impl Fn(usize, &str) -> Option<usize>,
) -> Result<Vec<PurchaseState>, EngineError> {
    purchases.sort_by(|a, b| {
        (
            a.customer_id.as_str(),
            a.purchased_at,
            a.order_id.as_str().as_bytes(),
        )
            .cmp(&(
                b.customer_id.as_str(),
                b.purchased_at,
                b.order_id.as_str().as_bytes(),
            ))
    });
    let mut out: Vec<PurchaseState> = Vec::with_capacity(purchases.len());
    let mut adopted: Option<usize> = None;
    // The purchases are moved into their states, not copied.
    for p in purchases {
        let c =
            customer_index(p.customer_id.as_str()).ok_or_else(|| EngineError::UnknownCustomer {
                what: "purchase",
                row: p.order_id.to_string(),
                customer: p.customer_id.to_string(),
            })?;
        // The customer's first purchase: the one before is another customer's.
        let first = out
            .last()
            .is_none_or(|last| last.purchase.customer_id != p.customer_id);
        if first {
            adopted = None;
        }
        let cs = &customers[c];
        let brand = brand_ix.get(&p.brand_id).copied().unwrap_or(cs.brand);
        let coupon = p
            .coupon_code
            .as_deref()
            .filter(|s| !s.is_empty())
            .and_then(|code| coupon_partner(brand, code));
        let (partner, by_coupon) = match (coupon, cs.partner) {
            (Some(cp), _) => {
                if cs.partner.is_none() && adopted.is_none() {
                    adopted = Some(cp); // an unattributed customer joins the partner of its first coupon
                }
                (Some(cp), true)
            }
            (None, Some(own)) => (Some(own), false),
            (None, None) => (adopted, false),
        };
        out.push(PurchaseState {
            purchase: p,
            brand,
            partner,
            by_coupon,
            first,
            earned: Decimal::ZERO,
        });
    }
    Ok(out)
}

/// Books the period's purchases (what they earn) and refunds (minus what they
/// earned). `purchases` are the engine's, taken out of it so that this can
/// run beside the other verticals, which read the engine.
pub(crate) fn period(
    engine: &Engine,
    purchases: &mut [PurchaseState],
    period: Period,
    book: &mut Book,
) -> Result<(), EngineError> {
    let none = Vec::new();
    let bought = engine.purchases_in.get(&period).unwrap_or(&none);
    for &i in bought {
        let (partner, brand, customer_earns) = {
            let p = &purchases[i];
            let c = engine
                .customer_index(p.purchase.customer_id.as_str())
                .map(|c| engine.customers[c].earns)
                .unwrap_or(false);
            (p.partner, p.brand, c)
        };
        purchases[i].earned = Decimal::ZERO;
        let Some(partner) = partner.filter(|_| customer_earns) else {
            continue;
        };
        let Some(rule) = engine
            .plan_for(partner, brand, period)
            .and_then(|p| p.components.purchase_share.as_ref())
        else {
            continue;
        };
        let ps = &mut purchases[i];
        let amount = ps.purchase.amount;
        let overflows = || {
            overflow(format!(
                "purchase '{}' of customer '{}' for {} in {period}",
                ps.purchase.order_id,
                ps.purchase.customer_id,
                engine.who(partner, brand)
            ))
        };
        let earned = if ps.first {
            rule.first_rate
                .checked_mul(amount)
                .and_then(|a| a.checked_add(rule.first_purchase_cpa))
        } else {
            rule.repeat_rate.checked_mul(amount)
        }
        .ok_or_else(overflows)?;
        let e = book.entry(partner, brand, Kind::PurchaseShare);
        e.amount = e.amount.checked_add(earned).ok_or_else(overflows)?;
        ps.earned = earned;
        push(
            e,
            "purchases",
            json!({
            "order_id": ps.purchase.order_id.as_str(), "customer_id": ps.purchase.customer_id.as_str(),
            "product": ps.purchase.product, "amount": amount.normalize().to_string(), "first": ps.first,
            "by_coupon": ps.by_coupon,
            "rate": (if ps.first { rule.first_rate } else { rule.repeat_rate }).normalize().to_string(),
            "first_purchase_cpa": (if ps.first { rule.first_purchase_cpa } else { Decimal::ZERO }).normalize().to_string(),
            "earned": earned.normalize().to_string()}),
        );
    }
    let refunded = engine.refunds_in.get(&period).unwrap_or(&none);
    for &i in refunded {
        let ps = &purchases[i];
        let Some(partner) = ps.partner else { continue };
        if ps.earned.is_zero() {
            continue;
        }
        let e = book.entry(partner, ps.brand, Kind::PurchaseShare);
        e.amount = e.amount.checked_sub(ps.earned).ok_or_else(|| {
            overflow(format!(
                "the refund of purchase '{}' for {} in {period}",
                ps.purchase.order_id,
                engine.who(partner, ps.brand)
            ))
        })?;
        push(
            e,
            "refunds",
            json!({
            "order_id": ps.purchase.order_id.as_str(), "customer_id": ps.purchase.customer_id.as_str(),
            "purchased_at": crate::data::time_to_text(&ps.purchase.purchased_at),
            "given_back": (-ps.earned).normalize().to_string()}),
        );
    }
    Ok(())
}

fn push(e: &mut super::lines::Entry, key: &str, item: serde_json::Value) {
    if let Some(serde_json::Value::Array(a)) = e.explanation.get_mut(key) {
        a.push(item);
    } else {
        e.explanation.insert(key.to_string(), json!([item]));
    }
}
