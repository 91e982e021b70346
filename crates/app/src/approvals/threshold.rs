//! The amount above which a request that moves money needs two approvers:
//! read by everyone, set by an admin.

use super::policy::{threshold, THRESHOLD_KEY};
use crate::access;
use crate::context::Context;
use crate::error::{AppError, Result};
use partnerdesk_store::StoreError;
use rust_decimal::Decimal;
use std::str::FromStr;

/// The amount above which two approvers are needed.
#[tracing::instrument(name = "approvals::get_threshold", skip_all, fields(user = %ctx.actor.user))]
pub async fn get_threshold(ctx: &Context) -> Result<String> {
    ctx.authorize(&access::READ).await?;
    Ok(threshold(&mut ctx.store.read().await?).await?.to_string())
}

/// Sets the amount above which two approvers are needed.
#[tracing::instrument(name = "approvals::set_threshold", skip_all, fields(user = %ctx.actor.user))]
pub async fn set_threshold(ctx: &Context, amount: &str) -> Result<String> {
    ctx.authorize(&access::APPROVALS_SETTINGS).await?;
    let value = Decimal::from_str(amount.trim())
        .ok()
        .filter(|d| !d.is_sign_negative())
        .ok_or_else(|| {
            AppError::invalid(
                "amount",
                format!(
                    "'{}' is not an amount (a decimal such as 10000)",
                    amount.trim()
                ),
            )
        })?;
    let mut tx = ctx.store.begin().await?;
    let before = threshold(&mut tx).await?;
    partnerdesk_store::meta_set(&mut tx, THRESHOLD_KEY, &value.to_string()).await?;
    partnerdesk_store::audit(
        &mut tx,
        &ctx.now(),
        &ctx.actor.user,
        "settings.approval_threshold",
        "setting",
        THRESHOLD_KEY,
        Some(&before.to_string()),
        Some(&value.to_string()),
    )
    .await?;
    tx.commit().await.map_err(StoreError::from)?;
    Ok(value.to_string())
}
