//! Queueing messages from what happens elsewhere (a partner saved, a
//! statement ready, a payout sent), in the transaction of their cause.

use super::*;
use crate::access;
use crate::{AppError, Context, Result};
use partnerdesk_domain::mail::{self as dm, Values};
use partnerdesk_domain::partner::PartnerStatus;
use partnerdesk_store::mail::NewMessage;
use partnerdesk_store::partners::PartnerRecord;
use partnerdesk_store::{StoreError, Tx};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Queues a template for a partner by hand (any template, auto-send or not).
#[tracing::instrument(name = "mail::queue_template", skip_all, fields(user = %ctx.actor.user))]
pub async fn queue_template(
    ctx: &Context,
    partner_id: &str,
    key: &str,
    extra: BTreeMap<String, String>,
    attachment: Option<PathBuf>,
) -> Result<Option<i64>> {
    ctx.authorize(&access::MAIL_SEND).await?;
    if let Some(path) = &attachment {
        if !path.is_file() {
            return Err(AppError::invalid(
                "attachment",
                format!("{} is not a file", path.display()),
            ));
        }
    }
    let mut tx = ctx.store.begin().await?;
    let p = tx
        .partner(partner_id)
        .await?
        .ok_or_else(|| AppError::NotFound {
            what: "partner",
            id: partner_id.to_string(),
        })?;
    let id = queue_in(ctx, &mut tx, &p, key, extra, attachment.as_deref(), false).await?;
    tx.commit().await.map_err(StoreError::from)?;
    Ok(id)
}

/// A template ready to render for many partners: the template and the
/// operator's name are read once, not once per message.
pub(crate) struct Composer {
    key: String,
    template: TemplateView,
    operator: String,
}

impl Composer {
    pub(crate) async fn load(tx: &mut Tx<'_>, key: &str) -> Result<Composer> {
        Ok(Composer {
            key: key.to_string(),
            template: template(tx, key).await?,
            operator: operator_name(tx).await?,
        })
    }

    /// Whether an automatic trigger may send it (its auto-send switch).
    pub(crate) fn automatic(&self) -> bool {
        self.template.auto_send
    }

    /// The message to `p`; None when the partner has no e-mail address.
    pub(crate) fn message(
        &self,
        p: &PartnerRecord,
        extra: Values,
        attachment: Option<&Path>,
    ) -> Result<Option<NewMessage>> {
        let Some(email) = p.email.clone().filter(|e| !e.is_empty()) else {
            return Ok(None);
        };
        let mut values = partner_values(p, &self.operator);
        values.extend(extra);
        Ok(Some(NewMessage {
            partner_id: Some(p.partner_id.clone()),
            to_address: email,
            subject: dm::render("subject", &self.template.subject, &values)?,
            body: dm::render("body", &self.template.body, &values)?,
            template_key: Some(self.key.clone()),
            announcement_id: None,
            attachment_path: attachment.map(|a| a.display().to_string()),
            attachment_name: attachment
                .and_then(|a| a.file_name())
                .map(|n| n.to_string_lossy().to_string()),
        }))
    }
}

/// Queues messages inside the caller's transaction (multi-row inserts), so
/// they exist exactly when what caused them is saved.
pub(crate) async fn queue_all(
    ctx: &Context,
    tx: &mut Tx<'_>,
    messages: &[NewMessage],
) -> Result<()> {
    partnerdesk_store::mail::queue_messages(tx, messages, &ctx.now(), &ctx.actor.user).await?;
    Ok(())
}

/// Queues template `key` for partner `p` inside the caller's transaction.
/// None when the partner has no e-mail address or (for an `automatic`
/// trigger) the template's auto-send is off.
pub(crate) async fn queue_in(
    ctx: &Context,
    tx: &mut Tx<'_>,
    p: &PartnerRecord,
    key: &str,
    extra: Values,
    attachment: Option<&Path>,
    automatic: bool,
) -> Result<Option<i64>> {
    let c = Composer::load(tx, key).await?;
    if automatic && !c.automatic() {
        return Ok(None);
    }
    let Some(m) = c.message(p, extra, attachment)? else {
        return Ok(None);
    };
    let id = partnerdesk_store::mail::queue_one(tx, &m, &ctx.now(), &ctx.actor.user).await?;
    Ok(Some(id))
}

/// After a partner is saved: welcome a new one, tell an approved one.
pub(crate) async fn on_partner_saved(
    ctx: &Context,
    tx: &mut Tx<'_>,
    before: Option<&PartnerRecord>,
    after: &PartnerRecord,
) -> Result<()> {
    match before {
        None => {
            queue_in(ctx, tx, after, dm::WELCOME, Values::new(), None, true).await?;
        }
        // An application approved (not a suspension lifted).
        Some(b)
            if matches!(
                b.status,
                PartnerStatus::Applied | PartnerStatus::PendingReview
            ) && after.status == PartnerStatus::Active =>
        {
            queue_in(
                ctx,
                tx,
                after,
                dm::APPLICATION_APPROVED,
                Values::new(),
                None,
                true,
            )
            .await?;
        }
        Some(_) => {}
    }
    Ok(())
}
