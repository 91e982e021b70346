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
//! Checking a postback needs no database ([`check`]: the brand's setting
//! comes from the caller, which caches it); what an event does is decided
//! and written with a group of events in one transaction ([`apply`],
//! `super::postbacks_group`): the claims of their ids, their effects and
//! their log rows commit together. A registration stores the customer
//! with the click's tracking code (as a sync stores a customer first seen:
//! never moved, only given a code it lacked), so RULES.md attribution
//! follows; a deposit adds to the customer's activity of that UTC day
//! under the sync's rule that activity belongs to a stored customer of its
//! brand. The group marks the commissions and the reports' roll-ups stale
//! once, from its earliest touched period, and queues the partners'
//! postbacks out (a new customer's registration; a first deposit's FTD)
//! with the fraud checks of a registration (`super::fraud`). A
//! [`receive`] is a group of one. Refused events change nothing but the log.

use crate::{access, AppError, Context, Result};
use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use partnerdesk_domain::postback::{
    check_window, PostbackAuth, PostbackEvent, WINDOW_SECS_DEFAULT,
};
use partnerdesk_domain::Id;
use partnerdesk_secrets::SecretStore;
use partnerdesk_store::postbacks::{self as pb, PostbackBrandRow, PostbackLogRow};
use partnerdesk_store::{Store, StoreError, Tx};
use serde::{Deserialize, Serialize};
use sha2::Sha256;
use specta::Type;
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
    /// (not authenticated), 422 (refused, with the reason), 503 (the
    /// group's transaction failed: send it again).
    pub status: u16,
    /// `accepted`, `duplicate` or `refused`.
    pub outcome: &'static str,
    pub reason: String,
}

impl Answer {
    pub(crate) fn new(status: u16, outcome: &'static str, reason: impl Into<String>) -> Self {
        Self {
            status,
            outcome,
            reason: reason.into(),
        }
    }
}

/// A postback checked on the request path, without the database
/// ([`check`]): either answered already, or to be taken with a group
/// ([`apply`]).
pub struct Checked(pub(crate) Step);

pub(crate) enum Step {
    /// Not authenticated: answered; nothing stored, not even a log row.
    Answered(Answer),
    /// Authenticated but refused before its event is taken (unreadable,
    /// outside the replay window): answered, its log row written with the group.
    Logged(Answer, PostbackLogRow),
    /// An event to take.
    Event(Incoming),
}

/// An authenticated event within its window.
pub(crate) struct Incoming {
    pub brand_id: String,
    pub event: PostbackEvent,
    /// When the server received it (the log's and the claim's time).
    pub received: String,
}

impl Checked {
    /// The answer when the postback needs no database at all (it is not
    /// authenticated); None when it goes to a group.
    pub fn answered(&self) -> Option<&Answer> {
        match &self.0 {
            Step::Answered(a) => Some(a),
            _ => None,
        }
    }
}

/// A brand's postback setting as the server needs it on every event (it
/// caches it for a few seconds, as the secret); None when postbacks are
/// not set up for the brand, or `brand_id` is no brand id at all.
pub async fn brand_setting(store: &Store, brand_id: &str) -> Result<Option<PostbackBrandRow>> {
    if Id::check("brand", brand_id).is_err() {
        return Ok(None);
    }
    Ok(store.read().await?.postback_brand(brand_id).await?)
}

/// Checks a postback on the request path: the brand's `setting` (from
/// [`brand_setting`]), its secret, the signature or token (constant
/// time), the body and the replay window. No database: what is left to
/// decide is decided in a group ([`apply`]). An `Err` is the secret store
/// failing.
pub fn check(
    setting: Option<&PostbackBrandRow>,
    secrets: &dyn SecretStore,
    now: DateTime<Utc>,
    d: &Delivery<'_>,
) -> Result<Checked> {
    let unauthenticated = |why: &str| {
        // The caller learns only that it is not authenticated; the log says why.
        tracing::warn!(brand = %d.brand_id, why, "postback refused: not authenticated");
        Ok(Checked(Step::Answered(Answer::new(
            401,
            "refused",
            "not authenticated: sign the body with the brand's secret (or send it as the bearer token, as the brand's setting says)",
        ))))
    };
    if Id::check("brand", d.brand_id).is_err() {
        return unauthenticated("not a brand id");
    }
    let Some(setting) = setting.filter(|s| s.brand_id == d.brand_id) else {
        return unauthenticated("postbacks are not set up for this brand");
    };
    let Some(secret) = secrets
        .get(&secret_key(d.brand_id))
        .map_err(AppError::Refused)?
    else {
        return unauthenticated("the brand has no postback secret");
    };
    let auth = PostbackAuth::parse("auth", &setting.auth)?;
    if !authentic(auth, &secret, d) {
        return unauthenticated("bad signature or token");
    }
    let received = partnerdesk_domain::data::time_to_text(&now);
    let event = match PostbackEvent::parse(d.body) {
        Ok(e) => e,
        Err(e) => {
            let a = Answer::new(400, "refused", e.to_string());
            let row = log_row(d.brand_id, "", "", &received, &a);
            return Ok(Checked(Step::Logged(a, row)));
        }
    };
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
        let row = log_row(
            d.brand_id,
            &event.event_id,
            event.kind.as_str(),
            &received,
            &a,
        );
        return Ok(Checked(Step::Logged(a, row)));
    }
    Ok(Checked(Step::Event(Incoming {
        brand_id: d.brand_id.to_string(),
        event,
        received,
    })))
}

/// Takes a group of checked postbacks in ONE transaction (group commit,
/// `super::postbacks_group`) and answers each, in the order given. An
/// `Err` is the database failing: nothing of the group is kept, and the
/// server answers 503 to all of it (the platform sends them again).
#[tracing::instrument(name = "postbacks_in::apply", skip_all, fields(events = items.len()))]
pub async fn apply(store: &Store, items: Vec<Checked>) -> Result<Vec<Answer>> {
    super::postbacks_group::apply(store, items).await
}

/// Takes one postback: [`check`], then [`apply`] as a group of one.
#[tracing::instrument(name = "postbacks_in::receive", skip_all, fields(brand = %d.brand_id))]
pub async fn receive(
    store: &Store,
    secrets: &dyn SecretStore,
    now: DateTime<Utc>,
    d: Delivery<'_>,
) -> Result<Answer> {
    let mut answers = receive_group(store, secrets, now, &[d]).await?;
    answers
        .pop()
        .ok_or_else(|| AppError::Refused("a postback got no answer".into()))
}

/// Takes several postbacks as one group: each is checked (its brand's
/// setting read once per brand), then the group applied in one
/// transaction ([`apply`]); the answers come in the deliveries' order.
pub async fn receive_group(
    store: &Store,
    secrets: &dyn SecretStore,
    now: DateTime<Utc>,
    deliveries: &[Delivery<'_>],
) -> Result<Vec<Answer>> {
    let mut settings: std::collections::HashMap<&str, Option<PostbackBrandRow>> =
        std::collections::HashMap::new();
    let mut items = Vec::with_capacity(deliveries.len());
    for d in deliveries {
        if !settings.contains_key(d.brand_id) {
            settings.insert(d.brand_id, brand_setting(store, d.brand_id).await?);
        }
        let setting = settings.get(d.brand_id).and_then(Option::as_ref);
        items.push(check(setting, secrets, now, d)?);
    }
    apply(store, items).await
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

pub(crate) fn log_row(
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
