//! The `c` slices: a month's figures by tracking code, countries summed and
//! the blocked ones kept apart. A report by partner (or code) over whole
//! months without a country reads them instead of the `m` slices, which
//! hold a slice per code and country (ten times as many at scale L).
//!
//! Whether a country is blocked is decided when the `c` slices are summed,
//! so a change of the geo blocks marks them stale (in its transaction) and
//! [`refresh`] sums them again from the `m` slices, which keep countries:
//! reading a few hundred thousand month slices, not the raw rows.

use crate::Result;
use partnerdesk_domain::report::figures::Figures;
use partnerdesk_store::reports::{self as sr, Packer, SliceOut};
use partnerdesk_store::{Store, StoreError};
use std::collections::BTreeMap;

/// (source, month, brand, code, out, partner): a `c` slice's key.
type Key = (char, String, String, String, bool, String);

/// Sums the `c` slices again from the `m` slices when the geo blocks
/// changed. Returns whether it did.
pub(crate) async fn refresh(store: &Store) -> Result<bool> {
    let version = {
        let mut tx = store.read().await?;
        if !tx.report_codes_stale().await? {
            return Ok(false);
        }
        tx.data_version().await?
    };
    let mut tx = store.begin().await?;
    let geo = super::rollup::geo(&mut tx).await?;
    let mut sums: BTreeMap<Key, Figures> = BTreeMap::new();
    tx.visit_rollups(
        'm',
        "0000-00-00",
        "9999-12-31",
        None,
        |source, month, brand, s| -> std::result::Result<(), StoreError> {
            let blocked = geo.get(brand).is_some_and(|c| c.contains(s.country));
            let key = (
                source,
                month.to_string(),
                brand.to_string(),
                s.tracking_code.to_string(),
                s.excluded || blocked,
                s.partner_id.to_string(),
            );
            sums.entry(key).or_default().merge(&s.figures);
            Ok(())
        },
    )
    .await?;
    let mut packer = Packer::default();
    let mut row: Option<((char, String, String), usize)> = None;
    for ((source, month, brand, code, out, partner), f) in &sums {
        let group = (*source, month.clone(), brand.clone());
        let at = match &row {
            Some((g, at)) if *g == group => *at,
            _ => {
                let at = packer.row('c', *source, month, brand);
                row = Some((group, at));
                at
            }
        };
        let slice = SliceOut {
            tracking_code: code,
            country: "",
            excluded: *out,
            partner_id: partner,
            figures: f,
        };
        packer.push(at, &slice);
    }
    sr::delete_grain(&mut tx, 'c').await?;
    sr::write_packed(&mut tx, packer.finish()).await?;
    sr::clear_codes_stale(&mut tx, Some(&version)).await?;
    tx.commit().await.map_err(StoreError::from)?;
    Ok(true)
}
