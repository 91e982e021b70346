//! Postbacks in: registration and deposit events a brand's platform sends
//! to the tracking server (`POST /postback/{brand}`), and the operator's
//! settings for them.
//!
//! An event is authenticated with the brand's secret, which lives in the
//! secret store (the OS keyring) under `postback:<brand>`, never in the
//! database or a log: either an HMAC-SHA256 of the raw body in
//! [`SIGNATURE_HEADER`] (hex) or the secret as a bearer token, as the
//! brand's setting says; both compared in constant time. Its `time` (inside
//! the signed body) must lie within the brand's replay window of the
//! server's clock, and (brand, event id) is taken once: a repeat answers
//! "duplicate" and changes nothing.
//!
//! What an event does happens in one transaction with the claim of its id
//! and its log row: a registration stores the customer with the click's
//! tracking code (as a sync stores a customer first seen: never moved,
//! only given a code it lacked), so RULES.md attribution follows; a deposit
//! adds to the customer's activity of that UTC day through the writers a
//! sync uses, under the sync's rule that activity belongs to a stored
//! customer of its brand. Both mark the commissions and the reports'
//! roll-ups from the touched period stale, as a sync does, and queue the partner's
//! postbacks out (a new customer's registration; a first deposit's FTD) in
//! the same transaction, with the fraud checks of a registration
//! (`super::fraud`). Refused events change nothing but the log.

use super::postbacks_out::{self, Occurrence};
use crate::sync::write::{owner, Owner};
use crate::{access, AppError, Context, Result};
use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use partnerdesk_domain::data::{ActivityDay, Customer, CustomerStatus};
use partnerdesk_domain::postback::{
    check_window, OutEvent, PostbackAuth, PostbackEvent, PostbackKind, WINDOW_SECS_DEFAULT,
};
use partnerdesk_domain::{Id, Period};
use partnerdesk_secrets::SecretStore;
use partnerdesk_store::data as sd;
use partnerdesk_store::postbacks::{self as pb, PostbackBrandRow, PostbackLogRow};
use partnerdesk_store::sync as ss;
use partnerdesk_store::{Batch, Store, StoreError, Tx};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use sha2::Sha256;
use specta::Type;
use std::str::FromStr;
use subtle::ConstantTimeEq;

/// The header carrying the hex HMAC-SHA256 of the body (`sha256=` before it is allowed).
pub const SIGNATURE_HEADER: &str = "X-Partnerdesk-Signature";

fn secret_key(brand_id: &str) -> String {
    format!("postback:{brand_id}")
}

/// A brand's postback settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
pub struct PostbackSettingsView {
    pub brand_id: String,
    /// `hmac` (a signature of the body) or `token` (a bearer token).
    pub auth: String,
    /// Events whose time is further than this from the server's clock are refused.
    pub window_secs: u32,
    /// Whether a secret is stored (it is never shown again once made).
    pub secret_set: bool,
}

/// One authenticated postback and its outcome.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
pub struct PostbackLogView {
    pub brand_id: String,
    pub event_id: String,
    pub event_type: String,
    pub received_at: String,
    pub status: u16,
    /// `accepted`, `duplicate` or `refused`.
    pub outcome: String,
    pub reason: String,
}

fn settings_view(row: &PostbackBrandRow, secret_set: bool) -> PostbackSettingsView {
    PostbackSettingsView {
        brand_id: row.brand_id.clone(),
        auth: row.auth.clone(),
        window_secs: u32::try_from(row.window_secs).unwrap_or(u32::MAX),
        secret_set,
    }
}

fn default_row(brand_id: &str) -> PostbackBrandRow {
    PostbackBrandRow {
        brand_id: brand_id.to_string(),
        auth: PostbackAuth::Hmac.as_str().to_string(),
        window_secs: WINDOW_SECS_DEFAULT,
    }
}

async fn known_brand(tx: &mut Tx<'_>, brand_id: &str) -> Result<()> {
    if tx.brand(brand_id).await?.is_none() {
        return Err(AppError::NotFound {
            what: "brand",
            id: brand_id.to_string(),
        });
    }
    Ok(())
}

fn has_secret(ctx: &Context, brand_id: &str) -> Result<bool> {
    Ok(ctx
        .secrets
        .get(&secret_key(brand_id))
        .map_err(AppError::Refused)?
        .is_some())
}

/// A brand's postback settings (HMAC and a 5-minute window until set).
#[tracing::instrument(name = "postbacks_in::settings", skip_all, fields(user = %ctx.actor.user))]
pub async fn settings(ctx: &Context, brand_id: &str) -> Result<PostbackSettingsView> {
    ctx.authorize(&access::READ).await?;
    let mut tx = ctx.store.read().await?;
    known_brand(&mut tx, brand_id).await?;
    let row = tx
        .postback_brand(brand_id)
        .await?
        .unwrap_or_else(|| default_row(brand_id));
    Ok(settings_view(&row, has_secret(ctx, brand_id)?))
}

/// Sets how a brand's postbacks authenticate and the replay window.
#[tracing::instrument(name = "postbacks_in::set_settings", skip_all, fields(user = %ctx.actor.user))]
pub async fn set_settings(
    ctx: &Context,
    brand_id: &str,
    auth: &str,
    window_secs: u32,
) -> Result<PostbackSettingsView> {
    ctx.authorize(&access::TRACKING_SETTINGS).await?;
    let auth = PostbackAuth::parse("auth", auth)?;
    let window_secs = check_window("window_secs", i64::from(window_secs))?;
    let now = ctx.now();
    let mut tx = ctx.store.begin().await?;
    known_brand(&mut tx, brand_id).await?;
    let before = tx.postback_brand(brand_id).await?;
    let row = PostbackBrandRow {
        brand_id: brand_id.to_string(),
        auth: auth.as_str().to_string(),
        window_secs,
    };
    pb::set_postback_brand(&mut tx, &row, &now).await?;
    let secret_set = has_secret(ctx, brand_id)?;
    let json = |r: &PostbackBrandRow| serde_json::to_string(&settings_view(r, secret_set)).ok();
    partnerdesk_store::audit(
        &mut tx,
        &now,
        &ctx.actor.user,
        "postback.settings",
        "brand",
        brand_id,
        before.as_ref().and_then(json).as_deref(),
        json(&row).as_deref(),
    )
    .await?;
    tx.commit().await.map_err(StoreError::from)?;
    Ok(settings_view(&row, secret_set))
}

/// Makes a new secret for a brand's postbacks (the old one stops working)
/// and returns it: the only time it is shown. The audit log records the
/// rotation, never the secret.
#[tracing::instrument(name = "postbacks_in::rotate_secret", skip_all, fields(user = %ctx.actor.user))]
pub async fn rotate_secret(ctx: &Context, brand_id: &str) -> Result<String> {
    ctx.authorize(&access::TRACKING_SETTINGS).await?;
    let now = ctx.now();
    let mut tx = ctx.store.begin().await?;
    known_brand(&mut tx, brand_id).await?;
    if tx.postback_brand(brand_id).await?.is_none() {
        pb::set_postback_brand(&mut tx, &default_row(brand_id), &now).await?;
    }
    let secret = hex::encode(rand::random::<[u8; 32]>());
    partnerdesk_store::audit(
        &mut tx,
        &now,
        &ctx.actor.user,
        "postback.secret.rotate",
        "brand",
        brand_id,
        None,
        Some("{\"secret\":\"(new, kept in the secret store)\"}"),
    )
    .await?;
    // The secret store first: a keyring that refuses it (no session, locked)
    // rolls the rotation back, so the audit log never records one that did
    // not happen.
    ctx.secrets
        .set(&secret_key(brand_id), &secret)
        .map_err(AppError::Refused)?;
    tx.commit().await.map_err(StoreError::from)?;
    Ok(secret)
}

/// The latest postbacks (of one brand), newest first.
#[tracing::instrument(name = "postbacks_in::log", skip_all, fields(user = %ctx.actor.user))]
pub async fn log(
    ctx: &Context,
    brand_id: Option<&str>,
    limit: u32,
) -> Result<Vec<PostbackLogView>> {
    ctx.authorize(&access::READ).await?;
    let mut tx = ctx.store.read().await?;
    Ok(tx
        .postback_log(brand_id, i64::from(limit))
        .await?
        .into_iter()
        .map(|r| PostbackLogView {
            brand_id: r.brand_id,
            event_id: r.event_id,
            event_type: r.event_type,
            received_at: r.received_at,
            status: u16::try_from(r.status).unwrap_or(0),
            outcome: r.outcome,
            reason: r.reason,
        })
        .collect())
}

/// A postback as the server received it.
pub struct Delivery<'a> {
    pub brand_id: &'a str,
    /// The [`SIGNATURE_HEADER`] value.
    pub signature: Option<&'a str>,
    /// The token of an `Authorization: Bearer` header.
    pub bearer: Option<&'a str>,
    /// The raw body, exactly as signed.
    pub body: &'a [u8],
}

/// What the server answers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Answer {
    /// The HTTP status: 200 (accepted, duplicate), 400 (unreadable), 401
    /// (not authenticated), 422 (refused, with the reason).
    pub status: u16,
    /// `accepted`, `duplicate` or `refused`.
    pub outcome: &'static str,
    pub reason: String,
}

impl Answer {
    fn new(status: u16, outcome: &'static str, reason: impl Into<String>) -> Self {
        Self {
            status,
            outcome,
            reason: reason.into(),
        }
    }
}

/// Why an authenticated event changes nothing.
struct Refusal(u16, String);

/// A deposit that was a customer's first (RULES.md FTD), known when its
/// event is taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Taken {
    Registration,
    Deposit { ftd: bool },
}

/// Takes one postback: authenticates it, then applies it in one
/// transaction (see the module's comment). An `Err` is the database
/// failing; the server answers 503 and the platform retries.
#[tracing::instrument(name = "postbacks_in::receive", skip_all, fields(brand = %d.brand_id))]
pub async fn receive(
    store: &Store,
    secrets: &dyn SecretStore,
    now: DateTime<Utc>,
    d: Delivery<'_>,
) -> Result<Answer> {
    let unauthenticated = |why: &str| {
        // The caller learns only that it is not authenticated; the log says why.
        tracing::warn!(brand = %d.brand_id, why, "postback refused: not authenticated");
        Answer::new(
            401,
            "refused",
            "not authenticated: sign the body with the brand's secret (or send it as the bearer token, as the brand's setting says)",
        )
    };
    if Id::check("brand", d.brand_id).is_err() {
        return Ok(unauthenticated("not a brand id"));
    }
    let Some(setting) = store.read().await?.postback_brand(d.brand_id).await? else {
        return Ok(unauthenticated("postbacks are not set up for this brand"));
    };
    let Some(secret) = secrets
        .get(&secret_key(d.brand_id))
        .map_err(AppError::Refused)?
    else {
        return Ok(unauthenticated("the brand has no postback secret"));
    };
    let auth = PostbackAuth::parse("auth", &setting.auth)?;
    if !authentic(auth, &secret, &d) {
        return Ok(unauthenticated("bad signature or token"));
    }
    let received = partnerdesk_domain::data::time_to_text(&now);
    let event = match PostbackEvent::parse(d.body) {
        Ok(e) => e,
        Err(e) => {
            let a = Answer::new(400, "refused", e.to_string());
            write_log(store, d.brand_id, "", "", &received, &a).await?;
            return Ok(a);
        }
    };
    let kind = event.kind.as_str();
    let skew = (now - event.time).num_seconds().abs();
    if skew > setting.window_secs {
        let a = Answer::new(
            422,
            "refused",
            format!(
                "the event's time {} is {skew} s from the server's clock {received}, outside the replay window of {} s; send events as they happen (check the platform's clock)",
                partnerdesk_domain::data::time_to_text(&event.time),
                setting.window_secs
            ),
        );
        write_log(store, d.brand_id, &event.event_id, kind, &received, &a).await?;
        return Ok(a);
    }
    let mut tx = store.begin().await?;
    let claimed = pb::claim_postback_event(
        &mut tx,
        d.brand_id,
        &event.event_id,
        kind,
        event.customer_id.as_str(),
        match event.kind {
            PostbackKind::Registration => event.click_id.as_deref(),
            PostbackKind::Deposit => None,
        },
        &received,
    )
    .await?;
    if !claimed {
        drop(tx);
        let a = Answer::new(
            200,
            "duplicate",
            "this event was taken before; nothing changed",
        );
        write_log(store, d.brand_id, &event.event_id, kind, &received, &a).await?;
        return Ok(a);
    }
    let applied = match event.kind {
        PostbackKind::Registration => register(&mut tx, d.brand_id, &event).await?,
        PostbackKind::Deposit => deposit(&mut tx, d.brand_id, &event).await?,
    };
    match applied {
        Ok(taken) => {
            let a = Answer::new(200, "accepted", describe(taken));
            pb::log_postback(
                &mut tx,
                &log_row(d.brand_id, &event.event_id, kind, &received, &a),
            )
            .await?;
            tx.commit().await.map_err(StoreError::from)?;
            Ok(a)
        }
        Err(Refusal(status, reason)) => {
            // Nothing of the event is kept, its id included: the platform
            // may send it again once what it lacked is there.
            tx.rollback().await.map_err(StoreError::from)?;
            let a = Answer::new(status, "refused", reason);
            write_log(store, d.brand_id, &event.event_id, kind, &received, &a).await?;
            Ok(a)
        }
    }
}

fn describe(t: Taken) -> &'static str {
    match t {
        Taken::Registration => "registration taken",
        Taken::Deposit { ftd: true } => "deposit taken (the customer's first)",
        Taken::Deposit { ftd: false } => "deposit taken",
    }
}

/// Whether the delivery carries the brand's secret as its setting says,
/// compared in constant time.
fn authentic(auth: PostbackAuth, secret: &str, d: &Delivery<'_>) -> bool {
    match auth {
        PostbackAuth::Hmac => {
            let Some(sig) = d.signature.map(str::trim) else {
                return false;
            };
            let sig = sig.strip_prefix("sha256=").unwrap_or(sig);
            let Ok(sig) = hex::decode(sig) else {
                return false;
            };
            let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(secret.as_bytes()) else {
                return false;
            };
            mac.update(d.body);
            mac.verify_slice(&sig).is_ok()
        }
        PostbackAuth::Token => d
            .bearer
            .is_some_and(|t| bool::from(t.trim().as_bytes().ct_eq(secret.as_bytes()))),
    }
}

/// The hex HMAC-SHA256 of `body` with `secret`: what a platform puts in
/// [`SIGNATURE_HEADER`] (tests and the README's example use it).
pub fn sign(secret: &str, body: &[u8]) -> String {
    let mut mac = match Hmac::<Sha256>::new_from_slice(secret.as_bytes()) {
        Ok(m) => m,
        // HMAC takes a key of any length; this is never reached.
        Err(_) => return String::new(),
    };
    mac.update(body);
    hex::encode(mac.finalize().into_bytes())
}

fn log_row(
    brand_id: &str,
    event_id: &str,
    kind: &str,
    received: &str,
    a: &Answer,
) -> PostbackLogRow {
    PostbackLogRow {
        id: 0,
        brand_id: brand_id.to_string(),
        event_id: event_id.to_string(),
        event_type: kind.to_string(),
        received_at: received.to_string(),
        status: i64::from(a.status),
        outcome: a.outcome.to_string(),
        reason: a.reason.clone(),
    }
}

async fn write_log(
    store: &Store,
    brand_id: &str,
    event_id: &str,
    kind: &str,
    received: &str,
    a: &Answer,
) -> Result<()> {
    let mut tx = store.begin().await?;
    pb::log_postback(&mut tx, &log_row(brand_id, event_id, kind, received, a)).await?;
    tx.commit().await.map_err(StoreError::from)?;
    Ok(())
}

fn refuse(reason: impl Into<String>) -> std::result::Result<Taken, Refusal> {
    Err(Refusal(422, reason.into()))
}

/// A registration: the customer, with the tracking code of its click (or
/// the code sent), stored as a sync stores a customer it sees first.
async fn register(
    tx: &mut Tx<'_>,
    brand_id: &str,
    e: &PostbackEvent,
) -> Result<std::result::Result<Taken, Refusal>> {
    let mut subs: [Option<String>; 5] = Default::default();
    let code = match &e.click_id {
        Some(click_id) => match tx.click_origin(click_id).await? {
            None => {
                return Ok(refuse(format!(
                    "unknown click id '{}': no click of this tracking server has it (was the visitor sent by another tracker, or the id cut?)",
                    partnerdesk_domain::limits::shown(click_id)
                )))
            }
            Some(c) if c.brand_id != brand_id => {
                return Ok(refuse(format!(
                    "click '{click_id}' was on a link of brand '{}', not '{brand_id}'",
                    c.brand_id
                )))
            }
            Some(c) => {
                subs = c.subs;
                c.code
            }
        },
        None => e.code.clone().unwrap_or_default(),
    };
    let brand = Id::parse("brand", brand_id)?;
    let customer = Customer {
        customer_id: e.customer_id.clone(),
        brand_id: brand.clone(),
        tracking_code: Some(code.clone()).filter(|c| !c.is_empty()),
        country: e.country,
        registered_at: e.time,
        status: CustomerStatus::Active,
    };
    if let Err(err) = customer.check() {
        return Ok(refuse(err.to_string()));
    }
    let known = ss::customer_brands_of(tx, &[e.customer_id.as_str()]).await?;
    if let Owner::Other(why) = owner(&known, &e.customer_id, &brand) {
        return Ok(refuse(why));
    }
    // Inserted when new; a stored customer is never moved nor re-dated,
    // only given the code it lacked (as a sync's first-seen customers).
    let batch = Batch::new(
        ss::CUSTOMERS.table,
        ss::CUSTOMERS.columns,
        " ON CONFLICT (customer_id) DO NOTHING",
    );
    let counts = ss::upsert_counted(
        tx,
        &ss::CUSTOMERS,
        batch,
        vec![sd::customer_values(&customer)],
        true,
    )
    .await?;
    let filled = if code.is_empty() {
        0
    } else {
        partnerdesk_store::sync_retry::fill_tracking_codes(
            tx,
            &[(e.customer_id.as_str(), code.as_str())],
        )
        .await?
    };
    if counts.inserted + filled > 0 {
        let period = Period::of(e.time.date_naive()).to_string();
        crate::commissions::mark_dirty(tx, &period).await?;
        // Reports read roll-ups: a new customer is a registration there.
        crate::reports::mark_stale(tx, &period).await?;
    }
    super::fraud::check_registration(
        tx,
        &super::fraud::Registration {
            brand_id,
            customer_id: e.customer_id.as_str(),
            code: &code,
            had_click: e.click_id.is_some(),
            email: e.email.as_deref(),
            payment_details: e.payment_details.as_deref(),
        },
        &partnerdesk_domain::data::time_to_text(&e.time),
    )
    .await?;
    if counts.inserted > 0 {
        postbacks_out::queue(
            tx,
            &Occurrence {
                event: OutEvent::Registration,
                brand_id,
                customer_id: &e.customer_id,
                code: Some(code.as_str()),
                click_id: e.click_id.as_deref(),
                subs: subs.each_ref().map(|s| s.as_deref()),
                amount: None,
                currency: None,
            },
            &e.time,
        )
        .await?;
    }
    Ok(Ok(Taken::Registration))
}

fn stored_amount(text: &str) -> Result<Decimal> {
    Decimal::from_str(text).map_err(|_| {
        AppError::Store(StoreError::Corrupt(format!(
            "an activity amount is stored as '{text}', not a decimal"
        )))
    })
}

/// A deposit: added to the customer's activity of the event's UTC day.
async fn deposit(
    tx: &mut Tx<'_>,
    brand_id: &str,
    e: &PostbackEvent,
) -> Result<std::result::Result<Taken, Refusal>> {
    let (Some(amount), Some(currency)) = (e.amount, e.currency) else {
        return Ok(refuse("a deposit needs its amount and currency"));
    };
    let Some(brand_row) = tx.brand(brand_id).await? else {
        return Ok(refuse(format!("brand '{brand_id}' does not exist")));
    };
    if brand_row.currency != currency {
        return Ok(refuse(format!(
            "the deposit is in {currency}, brand '{brand_id}' counts in {}; send the amount in the brand's currency",
            brand_row.currency
        )));
    }
    let brand = Id::parse("brand", brand_id)?;
    let known = ss::customer_brands_of(tx, &[e.customer_id.as_str()]).await?;
    match owner(&known, &e.customer_id, &brand) {
        Owner::Brand => {}
        Owner::Unknown => {
            return Ok(refuse(format!(
                "customer '{}' is not known: send its registration first (or sync or import it)",
                e.customer_id
            )))
        }
        Owner::Other(why) => return Ok(refuse(why)),
    }
    let date = e.time.date_naive();
    let day_text = date.to_string();
    let stored = tx.activity_day(e.customer_id.as_str(), &day_text).await?;
    let mut day = ActivityDay {
        customer_id: e.customer_id.clone(),
        brand_id: brand,
        date,
        deposits: Decimal::ZERO,
        withdrawals: Decimal::ZERO,
        bets: Decimal::ZERO,
        wins: Decimal::ZERO,
        bonuses: Decimal::ZERO,
        chargebacks: Decimal::ZERO,
        taxes: Decimal::ZERO,
    };
    if let Some([dep, wd, bets, wins, bonuses, cb, taxes]) = &stored {
        day.deposits = stored_amount(dep)?;
        day.withdrawals = stored_amount(wd)?;
        day.bets = stored_amount(bets)?;
        day.wins = stored_amount(wins)?;
        day.bonuses = stored_amount(bonuses)?;
        day.chargebacks = stored_amount(cb)?;
        day.taxes = stored_amount(taxes)?;
    }
    let before_today = day.deposits;
    let Some(total) = day.deposits.checked_add(amount) else {
        return Ok(refuse(
            "the day's deposits would exceed the amounts the system computes",
        ));
    };
    day.deposits = total;
    if let Err(err) = day.check() {
        return Ok(refuse(err.to_string()));
    }
    // RULES.md FTD: the first day ever with deposits > 0.
    let mut ftd = before_today <= Decimal::ZERO;
    if ftd {
        for d in tx
            .deposits_before(e.customer_id.as_str(), &day_text)
            .await?
        {
            if stored_amount(&d)? > Decimal::ZERO {
                ftd = false;
                break;
            }
        }
    }
    ss::upsert_counted(
        tx,
        &ss::ACTIVITY,
        sd::activity_batch(),
        vec![sd::activity_values(&day)],
        false,
    )
    .await?;
    let period = Period::of(date).to_string();
    crate::commissions::mark_dirty(tx, &period).await?;
    crate::reports::mark_stale(tx, &period).await?;
    if ftd {
        let code = tx
            .customer(e.customer_id.as_str())
            .await?
            .and_then(|c| c.tracking_code);
        let click_id = tx
            .registration_click(brand_id, e.customer_id.as_str())
            .await?;
        let subs = match &click_id {
            Some(id) => tx
                .click_origin(id)
                .await?
                .map(|c| c.subs)
                .unwrap_or_default(),
            None => Default::default(),
        };
        postbacks_out::queue(
            tx,
            &Occurrence {
                event: OutEvent::Ftd,
                brand_id,
                customer_id: &e.customer_id,
                code: code.as_deref(),
                click_id: click_id.as_deref(),
                subs: subs.each_ref().map(|s| s.as_deref()),
                amount: Some(amount.to_string()),
                currency: Some(currency.as_str()),
            },
            &e.time,
        )
        .await?;
    }
    Ok(Ok(Taken::Deposit { ftd }))
}
