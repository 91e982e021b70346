//! Brands and their geo blocks.

use crate::error::{Result, StoreError};
use crate::words::{column, currency};
use crate::Tx;
use partnerdesk_domain::partner::Vertical;
use partnerdesk_domain::CurrencyCode;
use sqlx::Row;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BrandRecord {
    pub brand_id: String,
    pub name: String,
    pub vertical: Vertical,
    pub currency: CurrencyCode,
}

fn brand_of(r: &sqlx::any::AnyRow) -> Result<BrandRecord> {
    Ok(BrandRecord {
        brand_id: r.try_get("brand_id")?,
        name: r.try_get("name")?,
        vertical: column(r, "brands", "vertical")?,
        currency: currency(r, "brands", "currency")?,
    })
}

impl Tx<'_> {
    pub async fn brands(&mut self) -> Result<Vec<BrandRecord>> {
        let rows =
            sqlx::query("SELECT brand_id, name, vertical, currency FROM brands ORDER BY brand_id")
                .fetch_all(&mut **self)
                .await?;
        rows.iter().map(brand_of).collect()
    }

    pub async fn brand(&mut self, brand_id: &str) -> Result<Option<BrandRecord>> {
        let row = sqlx::query(
            "SELECT brand_id, name, vertical, currency FROM brands WHERE brand_id = $1",
        )
        .bind(brand_id)
        .fetch_optional(&mut **self)
        .await?;
        row.as_ref().map(brand_of).transpose()
    }

    pub async fn geo_blocks(&mut self) -> Result<Vec<(String, String)>> {
        Ok(sqlx::query_as(
            "SELECT brand_id, country FROM brand_geo_blocks ORDER BY brand_id, country",
        )
        .fetch_all(&mut **self)
        .await?)
    }
}

pub async fn insert_brand(tx: &mut Tx<'_>, b: &BrandRecord, now: &str) -> Result<()> {
    sqlx::query("INSERT INTO brands (brand_id, name, vertical, currency, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $5)")
        .bind(&b.brand_id)
        .bind(&b.name)
        .bind(b.vertical.as_str())
        .bind(b.currency.to_string())
        .bind(now)
        .execute(&mut **tx)
        .await
        .map_err(|e| StoreError::translate(e, "brand_id", &format!("brand '{}'", b.brand_id)))?;
    Ok(())
}

pub async fn update_brand(tx: &mut Tx<'_>, b: &BrandRecord, now: &str) -> Result<()> {
    let r = sqlx::query("UPDATE brands SET name = $2, vertical = $3, currency = $4, updated_at = $5 WHERE brand_id = $1")
        .bind(&b.brand_id)
        .bind(&b.name)
        .bind(b.vertical.as_str())
        .bind(b.currency.to_string())
        .bind(now)
        .execute(&mut **tx)
        .await?;
    if r.rows_affected() == 0 {
        return Err(StoreError::NotFound {
            what: "brand",
            id: b.brand_id.clone(),
        });
    }
    Ok(())
}
