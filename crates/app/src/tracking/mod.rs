//! Tracking links (issue 29): the operator's settings (path scheme,
//! fallback URL), brands' landing templates, links and click counts. The
//! tracking server's own work (resolving a link, writing clicks) is in
//! [`clicks`]; it acts for anonymous visitors, so it checks no role.

pub mod clicks;
pub mod fraud;
pub mod postbacks_desk;
pub mod postbacks_found;
mod postbacks_group;
pub mod postbacks_in;
pub mod postbacks_out;

use crate::{access, AppError, Context, Result};
use chrono::NaiveDate;
use partnerdesk_domain::tracking::{self as rules, PathScheme};
use partnerdesk_domain::Id;
use partnerdesk_store::tracking::{self as store, LinkRecord};
use partnerdesk_store::StoreError;
use serde::{Deserialize, Serialize};
use specta::Type;

const FALLBACK_KEY: &str = "tracking.fallback_url";
const SCHEME_KEY: &str = "tracking.path_scheme";
const PUBLIC_URL_KEY: &str = "tracking.public_url";

/// The operator's tracking settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
pub struct TrackingSettings {
    /// Where an unknown link (or a link without a landing) sends the visitor.
    pub fallback_url: Option<String>,
    /// `code` (`/{code}`) or `brand/code` (`/{brand}/{code}`): how new links look.
    pub path_scheme: String,
    /// The tracking server's address as visitors reach it (its
    /// `--public-url`), so the desktop shows whole links to copy.
    #[serde(default)]
    pub public_url: Option<String>,
}

/// A tracking link.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
pub struct LinkView {
    /// Served at `/{path}` on the tracking server's public URL.
    pub path: String,
    pub brand_id: String,
    pub code: String,
    pub partner_id: String,
    /// This link's own landing template (else the brand's).
    pub landing_url: Option<String>,
}

/// One of a partner's links as its page shows it: where it is served,
/// where it leads, and its clicks over the chosen days.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
pub struct PartnerLinkView {
    pub path: String,
    pub brand_id: String,
    pub code: String,
    /// The whole link (public URL + path) when the public URL is set.
    pub url: Option<String>,
    /// This link's own landing template, if any.
    pub landing_url: Option<String>,
    /// The template the link redirects to (its own, else the brand's);
    /// None: visitors go to the fallback until a landing is set.
    pub effective_landing: Option<String>,
    pub clicks: u32,
    pub unique_clicks: u32,
    pub bots: u32,
    pub prefetches: u32,
}

/// Clicks of one link over some days (REPORTS.md `clicks`, `unique_clicks`;
/// bots and prefetches apart, never in the first two).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
pub struct ClickCountView {
    pub path: String,
    pub brand_id: String,
    pub code: String,
    pub clicks: u32,
    pub unique_clicks: u32,
    pub bots: u32,
    pub prefetches: u32,
}

fn audit_json<T: Serialize>(v: &T) -> Option<String> {
    serde_json::to_string(v).ok()
}

async fn commit(tx: partnerdesk_store::Tx<'_>) -> Result<()> {
    tx.commit().await.map_err(StoreError::from)?;
    Ok(())
}

/// The stored settings (scheme `code` until one is chosen).
async fn read_settings(tx: &mut partnerdesk_store::Tx<'_>) -> Result<TrackingSettings> {
    let scheme = match tx.meta_get(SCHEME_KEY).await? {
        Some(s) => PathScheme::parse("path_scheme", &s)?,
        None => PathScheme::Code,
    };
    Ok(TrackingSettings {
        fallback_url: tx.meta_get(FALLBACK_KEY).await?.filter(|s| !s.is_empty()),
        path_scheme: scheme.as_str().to_string(),
        public_url: tx.meta_get(PUBLIC_URL_KEY).await?.filter(|s| !s.is_empty()),
    })
}

#[tracing::instrument(name = "tracking::settings", skip_all, fields(user = %ctx.actor.user))]
pub async fn settings(ctx: &Context) -> Result<TrackingSettings> {
    ctx.authorize(&access::READ).await?;
    let mut tx = ctx.store.read().await?;
    read_settings(&mut tx).await
}

#[tracing::instrument(name = "tracking::set_settings", skip_all, fields(user = %ctx.actor.user))]
pub async fn set_settings(ctx: &Context, input: TrackingSettings) -> Result<TrackingSettings> {
    ctx.authorize(&access::TRACKING_SETTINGS).await?;
    let scheme = PathScheme::parse("path_scheme", &input.path_scheme)?;
    let fallback = input
        .fallback_url
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty());
    if let Some(f) = fallback {
        rules::check_url("fallback_url", f)?;
    }
    let public_url = input
        .public_url
        .as_deref()
        .map(|s| s.trim().trim_end_matches('/'))
        .filter(|s| !s.is_empty());
    if let Some(u) = public_url {
        rules::check_url("public_url", u)?;
    }
    let after = TrackingSettings {
        fallback_url: fallback.map(str::to_string),
        path_scheme: scheme.as_str().to_string(),
        public_url: public_url.map(str::to_string),
    };
    let now = ctx.now();
    let mut tx = ctx.store.begin().await?;
    let before = read_settings(&mut tx).await?;
    partnerdesk_store::meta_set(&mut tx, FALLBACK_KEY, fallback.unwrap_or("")).await?;
    partnerdesk_store::meta_set(&mut tx, SCHEME_KEY, scheme.as_str()).await?;
    partnerdesk_store::meta_set(&mut tx, PUBLIC_URL_KEY, public_url.unwrap_or("")).await?;
    partnerdesk_store::audit(
        &mut tx,
        &now,
        &ctx.actor.user,
        "tracking.settings",
        "settings",
        "tracking",
        audit_json(&before).as_deref(),
        audit_json(&after).as_deref(),
    )
    .await?;
    commit(tx).await?;
    Ok(after)
}

#[tracing::instrument(name = "tracking::landing", skip_all, fields(user = %ctx.actor.user))]
pub async fn landing(ctx: &Context, brand_id: &str) -> Result<Option<String>> {
    ctx.authorize(&access::READ).await?;
    let mut tx = ctx.store.read().await?;
    Ok(tx.landing(brand_id).await?)
}

/// Sets a brand's landing URL template (placeholders: `{click_id}`,
/// `{code}`, `{sub1}`…`{sub5}`, `{campaign}`).
#[tracing::instrument(name = "tracking::set_landing", skip_all, fields(user = %ctx.actor.user))]
pub async fn set_landing(ctx: &Context, brand_id: &str, template: &str) -> Result<()> {
    ctx.authorize(&access::LINK_EDIT).await?;
    let template = template.trim();
    rules::check_template("url_template", template)?;
    let now = ctx.now();
    let mut tx = ctx.store.begin().await?;
    if tx.brand(brand_id).await?.is_none() {
        return Err(AppError::NotFound {
            what: "brand",
            id: brand_id.to_string(),
        });
    }
    let before = tx.landing(brand_id).await?;
    store::set_landing(&mut tx, brand_id, template, &now).await?;
    partnerdesk_store::audit(
        &mut tx,
        &now,
        &ctx.actor.user,
        "brand.landing.set",
        "brand",
        brand_id,
        before.as_deref(),
        Some(template),
    )
    .await?;
    commit(tx).await
}

async fn view(tx: &mut partnerdesk_store::Tx<'_>, l: LinkRecord) -> Result<LinkView> {
    let partner_id = tx
        .tracking_code(&l.brand_id, &l.code)
        .await?
        .map(|t| t.partner_id)
        .unwrap_or_default();
    Ok(LinkView {
        path: l.path,
        brand_id: l.brand_id,
        code: l.code,
        partner_id,
        landing_url: l.landing_url,
    })
}

fn check_landing(landing_url: Option<&str>) -> Result<Option<String>> {
    let l = landing_url.map(str::trim).filter(|s| !s.is_empty());
    if let Some(l) = l {
        rules::check_template("landing_url", l)?;
    }
    Ok(l.map(str::to_string))
}

/// Makes the link of a tracking code, at the path the operator's scheme
/// gives; `landing_url` overrides the brand's template.
#[tracing::instrument(name = "tracking::create_link", skip_all, fields(user = %ctx.actor.user))]
pub async fn create_link(
    ctx: &Context,
    brand_id: &str,
    code: &str,
    landing_url: Option<&str>,
) -> Result<LinkView> {
    ctx.authorize(&access::LINK_EDIT).await?;
    Id::check("brand_id", brand_id)?;
    Id::check("code", code)?;
    let landing_url = check_landing(landing_url)?;
    let now = ctx.now();
    let mut tx = ctx.store.begin().await?;
    let scheme = PathScheme::parse("path_scheme", &read_settings(&mut tx).await?.path_scheme)?;
    let path = scheme.path(brand_id, code);
    rules::check_link_path("code", &path)?;
    if tx.tracking_code(brand_id, code).await?.is_none() {
        return Err(AppError::invalid(
            "code",
            format!(
                "brand '{brand_id}' has no tracking code '{code}'; add the code to a partner first"
            ),
        ));
    }
    if let Some(other) = tx.link(&path).await? {
        return Err(AppError::invalid(
            "code",
            format!(
                "the path /{path} is taken by the link of code '{}' in brand '{}'; with codes shared across brands, choose the path scheme brand/code",
                other.code, other.brand_id
            ),
        ));
    }
    let record = LinkRecord {
        path,
        brand_id: brand_id.to_string(),
        code: code.to_string(),
        landing_url,
    };
    store::insert_link(&mut tx, &record, &now).await?;
    let v = view(&mut tx, record).await?;
    partnerdesk_store::audit(
        &mut tx,
        &now,
        &ctx.actor.user,
        "link.create",
        "link",
        &v.path,
        None,
        audit_json(&v).as_deref(),
    )
    .await?;
    commit(tx).await?;
    Ok(v)
}

/// Sets or clears (None) a link's own landing template. The tracking
/// server sees the change within its cache's time (docs/decisions.md §19).
#[tracing::instrument(name = "tracking::set_link_landing", skip_all, fields(user = %ctx.actor.user))]
pub async fn set_link_landing(
    ctx: &Context,
    path: &str,
    landing_url: Option<&str>,
) -> Result<LinkView> {
    ctx.authorize(&access::LINK_EDIT).await?;
    let landing_url = check_landing(landing_url)?;
    let now = ctx.now();
    let mut tx = ctx.store.begin().await?;
    let Some(before) = tx.link(path).await? else {
        return Err(AppError::NotFound {
            what: "link",
            id: path.to_string(),
        });
    };
    store::update_link_landing(&mut tx, path, landing_url.as_deref(), &now).await?;
    let before = view(&mut tx, before).await?;
    let after = LinkView {
        landing_url,
        ..before.clone()
    };
    partnerdesk_store::audit(
        &mut tx,
        &now,
        &ctx.actor.user,
        "link.edit",
        "link",
        path,
        audit_json(&before).as_deref(),
        audit_json(&after).as_deref(),
    )
    .await?;
    commit(tx).await?;
    Ok(after)
}

/// Removes a link; its clicks stay. Its path then goes to the fallback.
#[tracing::instrument(name = "tracking::delete_link", skip_all, fields(user = %ctx.actor.user))]
pub async fn delete_link(ctx: &Context, path: &str) -> Result<()> {
    ctx.authorize(&access::LINK_EDIT).await?;
    let now = ctx.now();
    let mut tx = ctx.store.begin().await?;
    let Some(before) = tx.link(path).await? else {
        return Err(AppError::NotFound {
            what: "link",
            id: path.to_string(),
        });
    };
    let before = view(&mut tx, before).await?;
    store::delete_link(&mut tx, path).await?;
    partnerdesk_store::audit(
        &mut tx,
        &now,
        &ctx.actor.user,
        "link.delete",
        "link",
        path,
        audit_json(&before).as_deref(),
        None,
    )
    .await?;
    commit(tx).await
}

/// The links of a brand, or of every brand.
#[tracing::instrument(name = "tracking::links", skip_all, fields(user = %ctx.actor.user))]
pub async fn links(ctx: &Context, brand_id: Option<&str>) -> Result<Vec<LinkView>> {
    ctx.authorize(&access::READ).await?;
    let mut tx = ctx.store.read().await?;
    Ok(tx
        .links_with_partner(brand_id)
        .await?
        .into_iter()
        .map(|(path, brand_id, code, landing_url, partner_id)| LinkView {
            path,
            brand_id,
            code,
            partner_id,
            landing_url,
        })
        .collect())
}

/// A partner's links with their clicks over the UTC days `from..=to`
/// (`YYYY-MM-DD`; REPORTS.md `clicks` and `unique_clicks`; bots and
/// prefetches apart).
#[tracing::instrument(name = "tracking::partner_links", skip_all, fields(user = %ctx.actor.user))]
pub async fn partner_links(
    ctx: &Context,
    partner_id: &str,
    from: &str,
    to: &str,
) -> Result<Vec<PartnerLinkView>> {
    ctx.authorize(&access::READ).await?;
    let from = partnerdesk_domain::data::parse_date("from", from)?;
    let to = partnerdesk_domain::data::parse_date("to", to)?;
    if to < from {
        return Err(AppError::invalid("to", "the last day is before the first"));
    }
    let mut tx = ctx.store.read().await?;
    if tx.partner(partner_id).await?.is_none() {
        return Err(AppError::NotFound {
            what: "partner",
            id: partner_id.to_string(),
        });
    }
    let base = read_settings(&mut tx).await?.public_url;
    let day = |d: NaiveDate| d.format("%Y-%m-%d").to_string();
    let n = |v: i64| u32::try_from(v).unwrap_or(u32::MAX);
    Ok(tx
        .partner_links(partner_id, &day(from), &day(to))
        .await?
        .into_iter()
        .map(|r| PartnerLinkView {
            url: base.as_ref().map(|b| format!("{b}/{}", r.path)),
            effective_landing: r.landing_url.clone().or(r.brand_landing),
            path: r.path,
            brand_id: r.brand_id,
            code: r.code,
            landing_url: r.landing_url,
            clicks: n(r.clicks),
            unique_clicks: n(r.unique_clicks),
            bots: n(r.bots),
            prefetches: n(r.prefetches),
        })
        .collect())
}

/// Clicks per link for the UTC days `from..=to`.
#[tracing::instrument(name = "tracking::click_counts", skip_all, fields(user = %ctx.actor.user))]
pub async fn click_counts(
    ctx: &Context,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<ClickCountView>> {
    ctx.authorize(&access::READ).await?;
    if to < from {
        return Err(AppError::invalid("to", "the last day is before the first"));
    }
    let mut tx = ctx.store.read().await?;
    let n = |v: i64| u32::try_from(v).unwrap_or(u32::MAX);
    Ok(tx
        .click_counts(
            &from.format("%Y-%m-%d").to_string(),
            &to.format("%Y-%m-%d").to_string(),
        )
        .await?
        .into_iter()
        .map(|c| ClickCountView {
            path: c.link_path,
            brand_id: c.brand_id,
            code: c.code,
            clicks: n(c.clicks),
            unique_clicks: n(c.unique_clicks),
            bots: n(c.bots),
            prefetches: n(c.prefetches),
        })
        .collect())
}
