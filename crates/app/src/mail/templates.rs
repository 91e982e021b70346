//! Message templates with variables: the built-in ones, saved changes, a
//! reset to the built-in text and a preview with a partner's values.

use super::*;
use crate::access;
use crate::{AppError, Context, Result};
use partnerdesk_domain::mail::{self as dm, Values};
use partnerdesk_store::mail::TemplateRecord;
use partnerdesk_store::partners::PartnerRecord;
use partnerdesk_store::{StoreError, Tx};
use serde::{Deserialize, Serialize};
use specta::Type;

#[derive(Debug, Clone, Serialize, Deserialize, Type)]
pub struct TemplateVariable {
    pub name: String,
    pub description: String,
    pub example: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, Type)]
pub struct TemplateView {
    pub key: String,
    pub name: String,
    pub subject: String,
    pub body: String,
    pub built_in: bool,
    /// Sent automatically when its event happens (built-ins only).
    pub auto_send: bool,
    pub variables: Vec<TemplateVariable>,
    pub updated_at: Option<String>,
    pub updated_by: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, Type)]
pub struct TemplateInput {
    pub key: String,
    pub name: String,
    pub subject: String,
    pub body: String,
    pub auto_send: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize, Type)]
pub struct TemplatePreviewInput {
    pub subject: String,
    pub body: String,
    pub partner_id: Option<String>,
    pub template_key: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, Type)]
pub struct TemplatePreview {
    pub subject: String,
    pub body: String,
    pub warnings: Vec<String>,
}

pub(super) fn variables_view(key: Option<&str>) -> Vec<TemplateVariable> {
    dm::variables(key)
        .into_iter()
        .map(|v| TemplateVariable {
            name: v.name.into(),
            description: v.description.into(),
            example: v.example.into(),
        })
        .collect()
}

pub(super) fn template_view(key: &str, saved: Option<&TemplateRecord>) -> Option<TemplateView> {
    let builtin = dm::built_in(key);
    let (name, subject, body, auto_send) = match (saved, builtin) {
        (Some(t), _) => (
            t.name.clone(),
            t.subject.clone(),
            t.body.clone(),
            t.auto_send != 0,
        ),
        (None, Some(b)) => (b.name.into(), b.subject.into(), b.body.into(), true),
        (None, None) => return None,
    };
    Some(TemplateView {
        key: key.to_string(),
        name,
        subject,
        body,
        built_in: builtin.is_some(),
        auto_send: auto_send && builtin.is_some(),
        variables: variables_view(Some(key)),
        updated_at: saved.map(|t| t.updated_at.clone()),
        updated_by: saved.map(|t| t.updated_by.clone()),
    })
}

pub(super) async fn template(tx: &mut Tx<'_>, key: &str) -> Result<TemplateView> {
    let saved = tx.mail_template(key).await?;
    template_view(key, saved.as_ref()).ok_or_else(|| AppError::NotFound {
        what: "template",
        id: key.to_string(),
    })
}

/// The built-in templates (as edited) and the custom ones.
#[tracing::instrument(name = "mail::templates_list", skip_all, fields(user = %ctx.actor.user))]
pub async fn templates_list(ctx: &Context) -> Result<Vec<TemplateView>> {
    ctx.authorize(&access::READ).await?;
    let saved = ctx.store.read().await?.mail_templates().await?;
    let mut out: Vec<TemplateView> = dm::BUILT_IN
        .iter()
        .filter_map(|b| template_view(b.key, saved.iter().find(|t| t.template_key == b.key)))
        .collect();
    out.extend(
        saved
            .iter()
            .filter(|t| dm::built_in(&t.template_key).is_none())
            .filter_map(|t| template_view(&t.template_key, Some(t))),
    );
    Ok(out)
}

#[tracing::instrument(name = "mail::template_get", skip_all, fields(user = %ctx.actor.user))]
pub async fn template_get(ctx: &Context, key: &str) -> Result<TemplateView> {
    ctx.authorize(&access::READ).await?;
    template(&mut ctx.store.read().await?, key).await
}

pub(super) async fn save_template(
    ctx: &Context,
    rec: TemplateRecord,
    action: &str,
) -> Result<TemplateView> {
    let mut tx = ctx.store.begin().await?;
    let before = tx.mail_template(&rec.template_key).await?;
    partnerdesk_store::mail::upsert_template(&mut tx, &rec).await?;
    partnerdesk_store::audit(
        &mut tx,
        &rec.updated_at,
        &ctx.actor.user,
        action,
        "mail_template",
        &rec.template_key,
        before.map(|b| serde_json::json!({"subject": b.subject, "body": b.body, "auto_send": b.auto_send}).to_string()).as_deref(),
        Some(&serde_json::json!({"subject": rec.subject, "body": rec.body, "auto_send": rec.auto_send}).to_string()),
    )
    .await?;
    let saved = template(&mut tx, &rec.template_key).await?;
    tx.commit().await.map_err(StoreError::from)?;
    Ok(saved)
}

/// Saves a template (a built-in one as edited, or a custom one); an unknown
/// variable or a syntax error is refused naming the field and the variable.
#[tracing::instrument(name = "mail::template_save", skip_all, fields(user = %ctx.actor.user))]
pub async fn template_save(ctx: &Context, input: TemplateInput) -> Result<TemplateView> {
    ctx.authorize(&access::MAIL_TEMPLATES).await?;
    let key = dm::parse_key(&input.key)?;
    let name = input.name.trim();
    if name.is_empty() {
        return Err(AppError::invalid("name", "give the template a name"));
    }
    if input.subject.trim().is_empty() {
        return Err(AppError::invalid("subject", "a message needs a subject"));
    }
    if input.body.trim().is_empty() {
        return Err(AppError::invalid("body", "a message needs a body"));
    }
    let vars = dm::variables(Some(&key));
    dm::check("subject", &input.subject, &vars)?;
    dm::check("body", &input.body, &vars)?;
    let rec = TemplateRecord {
        template_key: key,
        name: name.to_string(),
        subject: input.subject.trim().to_string(),
        body: input.body.clone(),
        auto_send: i64::from(input.auto_send),
        updated_at: ctx.now(),
        updated_by: ctx.actor.user.clone(),
    };
    save_template(ctx, rec, "mail.template.save").await
}

/// Puts a built-in template back to the text it ships with (auto-send on).
#[tracing::instrument(name = "mail::template_reset", skip_all, fields(user = %ctx.actor.user))]
pub async fn template_reset(ctx: &Context, key: &str) -> Result<TemplateView> {
    ctx.authorize(&access::MAIL_TEMPLATES).await?;
    let b = dm::built_in(key).ok_or_else(|| {
        AppError::invalid(
            "key",
            format!("'{key}' is not a built-in template: only those can be reset"),
        )
    })?;
    let now = ctx.now();
    let mut tx = ctx.store.begin().await?;
    let before = tx.mail_template(key).await?;
    partnerdesk_store::mail::delete_template(&mut tx, key).await?;
    partnerdesk_store::audit(
        &mut tx,
        &now,
        &ctx.actor.user,
        "mail.template.reset",
        "mail_template",
        b.key,
        before
            .map(|b| serde_json::json!({"subject": b.subject, "body": b.body}).to_string())
            .as_deref(),
        None,
    )
    .await?;
    let reset = template(&mut tx, key).await?;
    tx.commit().await.map_err(StoreError::from)?;
    Ok(reset)
}

pub(super) async fn operator_name(tx: &mut Tx<'_>) -> Result<String> {
    let s = stored(tx).await?;
    Ok(if s.from_name.is_empty() {
        "Partnerdesk".to_string()
    } else {
        s.from_name
    })
}

pub(super) fn partner_values(p: &PartnerRecord, operator: &str) -> Values {
    let mut v = Values::new();
    v.insert("partner.name".into(), p.name.clone());
    v.insert("partner.id".into(), p.partner_id.clone());
    v.insert("partner.email".into(), p.email.clone().unwrap_or_default());
    v.insert("partner.kind".into(), p.kind.as_str().into());
    v.insert("partner.status".into(), p.status.as_str().into());
    v.insert("partner.currency".into(), p.currency.to_string());
    v.insert("operator.name".into(), operator.to_string());
    v
}

/// Renders a subject and body as a partner (or the examples) would get them.
#[tracing::instrument(name = "mail::template_preview", skip_all, fields(user = %ctx.actor.user))]
pub async fn template_preview(
    ctx: &Context,
    input: TemplatePreviewInput,
) -> Result<TemplatePreview> {
    ctx.authorize(&access::READ).await?;
    let vars = dm::variables(input.template_key.as_deref());
    dm::check("subject", &input.subject, &vars)?;
    dm::check("body", &input.body, &vars)?;
    let mut values = dm::examples(&vars);
    let mut warnings = Vec::new();
    let mut tx = ctx.store.read().await?;
    if let Some(id) = opt(&input.partner_id) {
        let p = tx.partner(&id).await?.ok_or_else(|| AppError::NotFound {
            what: "partner",
            id: id.clone(),
        })?;
        if p.email.as_deref().unwrap_or("").is_empty() {
            warnings.push(format!(
                "{} has no e-mail address: this message would not be sent to them",
                p.name
            ));
        }
        values.extend(partner_values(&p, &operator_name(&mut tx).await?));
    } else {
        values.insert("operator.name".into(), operator_name(&mut tx).await?);
    }
    Ok(TemplatePreview {
        subject: dm::render("subject", &input.subject, &values)?,
        body: dm::render("body", &input.body, &values)?,
        warnings,
    })
}
