//! Use cases on brands.

use crate::wire::BrandView;
use crate::{AppError, Context, Result};
use partnerdesk_domain::partner::{parse_name, Vertical};
use partnerdesk_domain::{CurrencyCode, Id};
use partnerdesk_store::brands::{insert_brand, BrandRecord};

fn view(b: BrandRecord) -> BrandView {
    BrandView {
        brand_id: b.brand_id,
        name: b.name,
        vertical: b.vertical.as_str().to_string(),
        currency: b.currency.to_string(),
    }
}

/// Checks a brand as typed.
pub fn validate(input: &BrandView) -> Result<BrandRecord> {
    Ok(BrandRecord {
        brand_id: Id::parse("brand_id", &input.brand_id)?.into_string(),
        name: parse_name("name", &input.name)?,
        vertical: Vertical::parse("vertical", &input.vertical)?,
        currency: CurrencyCode::parse("currency", &input.currency)?,
    })
}

#[tracing::instrument(name = "brands::list", skip_all, fields(user = %ctx.actor.user))]
pub async fn list(ctx: &Context) -> Result<Vec<BrandView>> {
    ctx.authorize(&crate::access::READ).await?;
    let mut tx = ctx.store.read().await?;
    Ok(tx.brands().await?.into_iter().map(view).collect())
}

#[tracing::instrument(name = "brands::create", skip_all, fields(user = %ctx.actor.user))]
pub async fn create(ctx: &Context, input: BrandView) -> Result<BrandView> {
    ctx.authorize(&crate::access::BRAND_CREATE).await?;
    let b = validate(&input)?;
    let now = ctx.now();
    let mut tx = ctx.store.begin().await?;
    if tx.brand(&b.brand_id).await?.is_some() {
        return Err(AppError::invalid(
            "brand_id",
            format!("brand '{}' already exists; choose another id", b.brand_id),
        ));
    }
    insert_brand(&mut tx, &b, &now).await?;
    let after = serde_json::to_string(&view(b.clone())).ok();
    partnerdesk_store::audit(
        &mut tx,
        &now,
        &ctx.actor.user,
        "brand.create",
        "brand",
        &b.brand_id,
        None,
        after.as_deref(),
    )
    .await?;
    tx.commit()
        .await
        .map_err(partnerdesk_store::StoreError::from)?;
    Ok(view(b))
}
